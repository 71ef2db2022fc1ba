"""The customer's sign-off page, /sign-off?token=… (hooks.website_route_rules; docs/sign-off.md).

No login: the token in the e-mailed link is the only key (brm_app.signoff.records.TOKENS). A GET records
nothing (mail scanners open links): it only shows

- an open request: the case as the signatory was asked about it (requirements with acceptance criteria and
  priority, costs, benefits, NPV / ROI / payback: brm_app/templates/sign_off_case.html) and a form, Accept
  or Reject per requirement with a comment required on a rejection, sent to
  brm_app.api.sign_off.submit_by_link;
- a decided one: a read-only receipt (each decision, when, by whom);
- anything else (unknown, expired, withdrawn, voided): a message, with status 410; failed lookups count
  against the client's budget as on the survey page (brm_app.links.throttle: 429 once spent).

The page speaks the signatory's language (`page_language`) and has no site navigation. Every value is
escaped in the templates (frappe's Jinja does not autoescape); nothing anyone typed is rendered as a
template.
"""

import frappe
from frappe import _
from frappe.utils import format_datetime

from brm_app.api.sign_off import link_unusable_message
from brm_app.links import throttle
from brm_app.links.throttle import SurveyRateLimitError
from brm_app.signoff import flow, view
from brm_app.signoff import records as rec
from brm_app.surveys.scheduling import chosen_language

no_cache = 1
sitemap = 0

SUBMIT_METHOD = "/api/method/brm_app.api.sign_off.submit_by_link"
LOOKUP_FIELDS = ("language", "channel", "decided_on", "customer", "signatory_contact")


def get_context(context):
	context.no_cache = 1
	context.no_breadcrumbs = 1
	context.show_sidebar = 0
	token = frappe.form_dict.get("token")
	row = rec.TOKENS.find(token, LOOKUP_FIELDS)
	language = page_language(row)
	if language:
		frappe.local.lang = language
	context.lang = frappe.local.lang
	context.title = _("Customer Sign-off")

	if row and row.channel == rec.LINK and rec.TOKENS.is_open(row):
		return _open(context, token, frappe.get_doc(rec.SIGN_OFF, row.name))
	if row and row.decided_on and row.status in (rec.ACCEPTED, rec.REJECTED, rec.VOIDED):
		return _receipt(context, frappe.get_doc(rec.SIGN_OFF, row.name))
	# a valid link always opens; failures count against the client's budget (429 once spent)
	try:
		throttle.record_failure()
	except SurveyRateLimitError:
		frappe.local.message_log = []
		return _closed(
			context, "limited", _("Too many attempts. Please wait a few minutes and try again."), 429
		)
	return _closed(context, "closed", closed_message(row), 410)


def page_language(row) -> str | None:
	"""The language to show the page in, or None to keep frappe's choice for guests: a language picked on
	the page (``?_lang=``, which frappe already applied); the sign-off's language (the customer's, set when
	it was asked for); the contact's user's or the customer's chosen language; else the browser's."""
	if frappe.form_dict.get("_lang") or not row:
		return None
	if row.language and frappe.db.exists("Language", {"name": row.language, "enabled": 1}):
		return row.language
	return chosen_language(row.customer, row.signatory_contact)


def closed_message(row) -> str:
	"""What a link that cannot be used says: why, when the link is known; one message otherwise."""
	if not row or row.channel != rec.LINK:
		return link_unusable_message()
	if row.status == rec.WITHDRAWN:
		return _(
			"This sign-off request was withdrawn by your relationship manager: no decision is needed now. If the case is sent again, you will receive a new link."
		)
	if row.status == rec.VOIDED:
		return _(
			"The business case changed after this request was sent, so it no longer applies. If your sign-off is still needed, you will receive a new link."
		)
	if row.status in (rec.EXPIRED, *rec.OPEN):
		return _("This sign-off link has expired. Please contact your relationship manager for a new one.")
	return link_unusable_message()


def _open(context, token: str, record):
	context.state = "open"
	context.case = view.case_view(record)
	context.decide = True
	context.max_comment = flow.MAX_COMMENT
	context.signatory_name = record.signatory_name
	context.expires_on = format_datetime(record.expires_on) if record.expires_on else ""
	context.page_data = {
		"submit_url": SUBMIT_METHOD,
		"token": token,
		"max_comment": flow.MAX_COMMENT,
		"messages": {
			"choose": _("Please choose Accept or Reject."),
			"comment_required": _("Please say why you reject this requirement."),
			"too_long": _("Please keep your comment under {0} characters.").format(flow.MAX_COMMENT),
			"fix_errors": _("Please complete the requirements marked in red."),
			"closed": link_unusable_message(),
			"limited": _("Too many attempts. Please wait a few minutes and try again."),
			"failed": _("Your decision could not be sent. Please try again."),
			"sending": _("Sending…"),
		},
	}
	return context


def _receipt(context, record):
	context.state = "receipt"
	context.case = view.case_view(record)
	context.decide = False
	context.status = record.status
	context.signatory_name = record.signatory_name
	context.decided_on = format_datetime(record.decided_on) if record.decided_on else ""
	context.comment = record.comment
	context.accepted = all(row.decision == rec.ACCEPTED for row in record.decisions)
	context.no_longer_counts = record.status == rec.VOIDED
	return context


def _closed(context, state: str, message: str, status: int):
	context.state = state
	context.message = message
	context.http_status_code = status
	return context
