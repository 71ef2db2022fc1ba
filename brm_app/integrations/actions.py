"""Turn a ticket or a low-score survey into a continual improvement opportunity (docs/design.md S3 g, K7).

The Service Opportunity points at its origin (``source_issue`` / ``source_hd_ticket`` / ``source_survey``)
and the origin shows the opportunity: in its dashboard connections (brm_app.integrations.dashboards) and in a
timeline comment linking to it. Asking twice returns the opportunity already made.
"""

import frappe
from frappe import _
from frappe.utils import cstr, escape_html, get_link_to_form

from brm_app.exceptions import ImprovementOpportunityError
from brm_app.integrations import HD_TICKET, helpdesk_installed
from brm_app.integrations.complaints import is_complaint
from brm_app.integrations.tickets import erpnext_customer
from brm_app.services import opportunity_status

OPPORTUNITY = "Service Opportunity"
SURVEY = "Satisfaction Survey"
CLOSED_OPPORTUNITY_STATUSES = opportunity_status.CLOSING  # an open one is reused, a closed one is not
# source doctype -> (opportunity link field, opportunity source)
SOURCES = {
	"Issue": ("source_issue", "Complaint or Feedback"),
	HD_TICKET: ("source_hd_ticket", "Complaint or Feedback"),
	SURVEY: ("source_survey", "Survey"),
}
TITLE_LENGTH = 140


@frappe.whitelist(methods=["POST"])
def create_improvement_opportunity(doctype: str, name: str | int) -> str:
	"""Make (or return the existing) "Continual Improvement" opportunity from an Issue, HD Ticket or a
	low-score Satisfaction Survey; returns the opportunity's name.

	The caller must be able to read the ticket / survey and to create Service Opportunities for its
	customer (the opportunity is inserted with the caller's permissions).
	"""
	if doctype not in SOURCES or (doctype == HD_TICKET and not helpdesk_installed()):
		frappe.throw(
			_(
				"An improvement opportunity can only be made from an Issue, an HD Ticket or a Satisfaction Survey."
			),
			exc=ImprovementOpportunityError,
			title=_("Not Supported"),
		)
	source = frappe.get_doc(doctype, name)
	source.check_permission("read")
	frappe.has_permission(OPPORTUNITY, "create", throw=True)

	link_field, source_type = SOURCES[doctype]
	existing = frappe.db.get_value(
		OPPORTUNITY,
		{link_field: str(source.name), "status": ("not in", CLOSED_OPPORTUNITY_STATUSES)},
		"name",
	)
	if existing:
		return existing

	details = _details(source)
	opportunity = frappe.get_doc(
		{
			"doctype": OPPORTUNITY,
			"opportunity_title": details["title"][:TITLE_LENGTH],
			"customer": details["customer"],
			"opportunity_type": "Continual Improvement",
			"source": source_type,
			"priority": details["priority"],
			"business_impact": details["impact"],
			link_field: str(source.name),
		}
	)
	opportunity.insert()
	source.add_comment(
		"Info",
		_("Improvement opportunity {0} created from this {1}.").format(
			get_link_to_form(OPPORTUNITY, opportunity.name), _(doctype)
		),
	)
	return opportunity.name


def _details(source) -> dict:
	if source.doctype == SURVEY:
		return _survey_details(source)
	customer = source.customer if source.doctype == "Issue" else erpnext_customer(source.customer)
	type_field = "issue_type" if source.doctype == "Issue" else "ticket_type"
	_require_customer(customer, source)
	subject = cstr(source.subject) or cstr(source.name)
	complaint = is_complaint(source.get(type_field))
	return {
		"title": _("Improve: {0}").format(subject),
		"customer": customer,
		"priority": "High" if complaint else "Medium",
		"impact": "<p>{}</p>".format(
			escape_html(
				_("{0} {1} raised by {2}: {3}").format(
					_(source.doctype), source.name, cstr(source.get("raised_by")), subject
				)
			)
		),
	}


def _survey_details(survey) -> dict:
	if survey.status != "Responded" or not survey.needs_follow_up:
		frappe.throw(
			_("Only a responded survey with a low score can become an improvement opportunity."),
			exc=ImprovementOpportunityError,
			title=_("Score Not Low"),
		)
	_require_customer(survey.customer, survey)
	comments = [
		f"<li>{escape_html(cstr(row.question))}: {escape_html(cstr(row.answer))}</li>"
		for row in survey.answers
		if row.question_type == "Text" and cstr(row.answer).strip()
	]
	summary = _("Low satisfaction score from {0}: CSAT {1}%, NPS category {2}.").format(
		cstr(survey.email),
		survey.csat_percent if survey.csat_percent is not None else "-",
		_(survey.nps_category or "-"),
	)
	return {
		"title": _("Improve after survey {0} ({1})").format(
			survey.name, survey.customer_name or survey.customer
		),
		"customer": survey.customer,
		"priority": "High" if survey.nps_category == "Detractor" else "Medium",
		"impact": "<p>{}</p>{}".format(
			escape_html(summary), f"<ul>{''.join(comments)}</ul>" if comments else ""
		),
	}


def _require_customer(customer: str | None, source) -> None:
	if customer and frappe.db.exists("Customer Portfolio", {"customer": customer}):
		return
	frappe.throw(
		_("{0} {1} has no customer with a Customer Portfolio; set its customer first.").format(
			_(source.doctype), frappe.bold(escape_html(str(source.name)))
		),
		exc=ImprovementOpportunityError,
		title=_("Customer Required"),
	)
