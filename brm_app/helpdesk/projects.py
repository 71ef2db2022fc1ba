"""doc_events of ERPNext Project: a delivered (Completed) project asks its business case's stakeholders
for feedback ("Project Delivered" surveys, brm_app.surveys.scheduling.schedule_project_surveys).

ERPNext also completes projects without a save (Project.update_project, when the last task closes, uses
db_update and fires no hook); the hourly job brm_app.surveys.jobs.schedule_delivered_projects catches those.
"""

from brm_app.helpdesk.tickets import run_safely, skipped
from brm_app.surveys.scheduling import schedule_project_surveys

COMPLETED = "Completed"


def on_project_update(doc, method=None) -> None:
	if skipped():
		return
	before = doc.get_doc_before_save()
	if doc.status == COMPLETED and (before is None or before.status != COMPLETED):
		run_safely(doc, "project_survey", lambda: schedule_project_surveys(doc))
