"""Number cards that a count over one doctype cannot express (the workspace's CSAT and NPS cards).

Count-based cards go through frappe.get_list, which applies brm_app's permission_query_conditions; these
methods run their own SQL (brm_app.brm_app.report.shared.survey_queries), which is scoped to the session user's
portfolios by a ReportScope (brm_app.brm_app.report.shared.scope), never to a user named in the request.

Without responses there is no CSAT or NPS: the card shows NO_DATA ("—"), not 0 % / 0. frappe's number card
shows a plain string as it is (a figure comes as {value, fieldtype, route}, and a click opens the report).
"""

import frappe
from frappe.utils import add_days, getdate, today

from brm_app.brm_app.report.shared import survey_queries
from brm_app.brm_app.report.shared.scope import ReportScope
from brm_app.services import kpi

WINDOW_DAYS = 90
NO_DATA = "\u2014"


def _last_days() -> tuple:
	end = getdate(today())
	return getdate(add_days(end, -(WINDOW_DAYS - 1))), end


def _require_survey_read() -> None:
	if not frappe.has_permission("Satisfaction Survey", "read"):
		frappe.throw(frappe._("Not permitted"), frappe.PermissionError)


@frappe.whitelist()
@frappe.read_only()
def csat_last_90_days(filters: str | dict | None = None) -> dict | str:
	"""CSAT % of the rating answers received in the last 90 days, in the reader's portfolios."""
	_require_survey_read()
	counts = survey_queries.survey_counts(ReportScope(), *_last_days())
	return _card(kpi.share(counts["satisfied"], counts["ratings"]), "Percent")


@frappe.whitelist()
@frappe.read_only()
def nps_last_90_days(filters: str | dict | None = None) -> dict | str:
	"""NPS of the responses received in the last 90 days, in the reader's portfolios."""
	_require_survey_read()
	counts = survey_queries.survey_counts(ReportScope(), *_last_days())
	return _card(kpi.nps(counts["promoters"], counts["detractors"], counts["nps_answers"]), "Float")


def _card(value: float | None, fieldtype: str) -> dict | str:
	"""The card's figure (one decimal), or NO_DATA when there is none."""
	if value is None:
		return NO_DATA
	return {
		"value": value,
		"fieldtype": fieldtype,
		"precision": 1,
		"route": ["query-report", "Customer Satisfaction"],
	}
