"""From an approved Business Case to the ERPNext Project that delivers it, and back (docs/design.md S4 "project
portfolio"; "Processes").

- `create_project(business_case)` (POST, the "Create Project" button of an approved case) makes the
  Project with one Task per requirement and links them both ways: Business Case Requirement.task,
  Service Opportunity.project, and on the Project the custom fields brm_business_case and
  brm_service_opportunity (brm_app/brm_app/custom/project.json).
- `on_project_update` (Project doc_event) and `on_task_update` (Task doc_event: ERPNext updates a project's
  percent complete and status from its tasks without running the project's hooks) move the opportunity to
  In Delivery / Awaiting Acceptance (brm_app.services.opportunity_status.status_for_project); a completed
  project asks the customer to accept the delivery (brm_app.signoff.acceptance), and the opportunity is
  Delivered once they do (or a process manager waives it).
"""

import frappe
from frappe import _
from frappe.utils import cstr, escape_html, get_link_to_form

from brm_app.controllers.checks import refuse_existing
from brm_app.exceptions import ProjectCreationError
from brm_app.integrations.tickets import run_safely, skipped
from brm_app.services import approval_rules as rules
from brm_app.services import opportunity_status
from brm_app.surveys.scheduling import schedule_project_surveys

PROJECT_CASE_FIELD = "brm_business_case"
PROJECT_OPPORTUNITY_FIELD = "brm_service_opportunity"
TASK_SUBJECT_LENGTH = 140
COMPLETED = "Completed"


@frappe.whitelist(methods=["POST"])
def create_project(business_case: str) -> str:
	"""Create the ERPNext Project of an approved business case (once); returns the project's name."""
	frappe.has_permission("Project", "create", throw=True)
	frappe.has_permission("Task", "create", throw=True)
	case = frappe.get_doc("Business Case", business_case)
	case.check_permission("read")
	# lock the case's row: two clicks (or two users) make one project
	frappe.db.get_value("Business Case", case.name, "name", for_update=True)

	if case.docstatus != 1 or case.get("workflow_state") != rules.APPROVED:
		frappe.throw(
			_("Business Case {0} is not approved: a project is made only from an approved case.").format(
				frappe.bold(case.name)
			),
			exc=ProjectCreationError,
			title=_("Not Approved"),
		)
	refuse_existing(
		case.name,
		existing_project(case),
		_("Business Case {0} already has Project {1}."),
		ProjectCreationError,
		_("Project Exists"),
	)

	project = frappe.get_doc(
		{
			"doctype": "Project",
			"project_name": _project_name(case),
			"customer": case.customer,
			"company": _default_company(),
			"status": "Open",
			"percent_complete_method": "Task Completion",
			PROJECT_CASE_FIELD: case.name,
			PROJECT_OPPORTUNITY_FIELD: case.get("service_opportunity"),
		}
	).insert()

	for row in case.requirements:
		task = frappe.get_doc(
			{
				"doctype": "Task",
				"subject": _task_subject(row),
				"description": _task_description(row),
				"project": project.name,
			}
		).insert()
		# the requirement's task link is allowed on submit; written directly, the case stays as approved
		frappe.db.set_value("Business Case Requirement", row.name, "task", task.name, update_modified=False)

	if case.get("service_opportunity"):
		frappe.db.set_value("Service Opportunity", case.service_opportunity, "project", project.name)
	case.add_comment("Info", _("Project {0} created").format(get_link_to_form("Project", project.name)))
	return project.name


def existing_project(case) -> str | None:
	"""The project already made for the case: linked from it, or from its opportunity."""
	name = frappe.db.get_value("Project", {PROJECT_CASE_FIELD: case.name}, "name")
	if name:
		return name
	if case.get("service_opportunity"):
		linked = frappe.db.get_value("Service Opportunity", case.service_opportunity, "project")
		if linked and frappe.db.exists("Project", linked):
			return linked
	return None


def _project_name(case) -> str:
	return cstr(case.title or case.name).strip()[:TASK_SUBJECT_LENGTH]


def _task_subject(row) -> str:
	first_line = cstr(row.requirement).strip().splitlines()[0] if cstr(row.requirement).strip() else ""
	subject = first_line or _("Requirement {0}").format(row.idx)
	return subject[:TASK_SUBJECT_LENGTH]


def _task_description(row) -> str:
	"""The requirement and its acceptance criteria, as escaped HTML (the description is a Text Editor)."""
	parts = [escape_html(cstr(row.requirement).strip())]
	if cstr(row.acceptance_criteria).strip():
		parts.append(
			"<b>{}</b><br>{}".format(
				escape_html(_("Acceptance criteria")), escape_html(cstr(row.acceptance_criteria).strip())
			)
		)
	return "<p>" + "</p><p>".join(part.replace("\n", "<br>") for part in parts) + "</p>"


def _default_company() -> str | None:
	return (
		frappe.defaults.get_user_default("Company")
		or frappe.db.get_single_value("Global Defaults", "default_company")
		or frappe.db.get_value("Company", {}, "name")
	)


# --- the opportunity follows its project -----------------------------------------------------------------


def on_project_update(doc, method=None) -> None:
	"""Project doc_event: a project just completed asks its business case's stakeholders for feedback
	("Project Delivered" surveys), and the linked opportunity moves to In Delivery / Delivered.

	ERPNext also completes projects without a save (Project.update_project, when the last task closes, uses
	db_update and fires no hook); the hourly job brm_app.jobs.surveys.schedule_delivered_projects catches
	those, and `on_task_update` moves their opportunity."""
	before = doc.get_doc_before_save()
	just_completed = doc.status == COMPLETED and (before is None or before.status != COMPLETED)
	if not skipped() and just_completed:
		run_safely(doc, "project_survey", lambda: schedule_project_surveys(doc))
	target = sync_opportunity_with_project(
		doc.name, doc.status, doc.percent_complete, doc.get(PROJECT_OPPORTUNITY_FIELD)
	)
	if just_completed and target is None:
		ask_acceptance_again(doc.name, doc.get(PROJECT_OPPORTUNITY_FIELD))


def on_task_update(doc, method=None) -> None:
	"""Task doc_event: ERPNext has just updated the task's project (percent complete, Completed)."""
	if not doc.get("project"):
		return
	project = frappe.db.get_value(
		"Project", doc.project, ["status", "percent_complete", PROJECT_OPPORTUNITY_FIELD], as_dict=True
	)
	if project:
		sync_opportunity_with_project(
			doc.project, project.status, project.percent_complete, project.get(PROJECT_OPPORTUNITY_FIELD)
		)


def sync_opportunity_with_project(
	project: str, status: str | None, percent_complete: float | None, opportunity: str | None = None
) -> str | None:
	"""Set the status of the project's opportunity (db_set: the system moves it, not a user); returns
	the new status, or None when it stays. A project made from a business case that completes asks the
	case's signatories to accept the delivery (brm_app.signoff.acceptance): the opportunity then waits in
	Awaiting Acceptance."""
	opportunity = opportunity or frappe.db.get_value("Service Opportunity", {"project": project}, "name")
	if not opportunity:
		return None
	current = frappe.db.get_value("Service Opportunity", opportunity, "status")
	case_name = project_case(project, opportunity)
	target = opportunity_status.status_for_project(
		status, percent_complete, current, needs_acceptance=bool(case_name)
	)
	if target:
		from brm_app.brm_app.doctype.service_opportunity.service_opportunity import move_status

		move_status(opportunity, target)
	if target == opportunity_status.DELIVERED:
		from brm_app.rhythm.change_impact import retire_delivered

		retire_delivered(opportunity)  # a delivered Retirement retires its services
	if target == opportunity_status.AWAITING_ACCEPTANCE:
		from brm_app.signoff import acceptance

		acceptance.start(frappe.get_doc("Business Case", case_name))
	return target


def ask_acceptance_again(project: str, opportunity: str | None = None) -> list[str]:
	"""A project completed again (reopened after a signatory did not accept the delivery, then finished)
	while its opportunity still awaits acceptance: ask the signatories who have not accepted again."""
	opportunity = opportunity or frappe.db.get_value("Service Opportunity", {"project": project}, "name")
	if not opportunity:
		return []
	status = frappe.db.get_value("Service Opportunity", opportunity, "status")
	case_name = project_case(project, opportunity)
	if status != opportunity_status.AWAITING_ACCEPTANCE or not case_name:
		return []
	from brm_app.signoff import acceptance

	return acceptance.start(frappe.get_doc("Business Case", case_name))


def project_case(project: str, opportunity: str | None = None) -> str | None:
	"""The approved business case the project was made from (the project's link, else the opportunity's
	approved case)."""
	name = frappe.db.get_value("Project", project, PROJECT_CASE_FIELD)
	if name:
		return name
	if opportunity:
		return frappe.db.get_value(
			"Business Case",
			{"service_opportunity": opportunity, "docstatus": 1, "workflow_state": rules.APPROVED},
			"name",
		)
	return None
