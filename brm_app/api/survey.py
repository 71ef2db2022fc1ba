"""Endpoints of the survey lifecycle.

``submit`` is the public survey page's endpoint: guest, POST only; failed token lookups are limited per real
client address (brm_app.links.throttle: X-Forwarded-For counts only from declared proxies), and a valid link
always answers. It accepts only the token and the answers;
anything else in the request (a survey name, customer, owner, docstatus, scores) is ignored by frappe
because this function does not take it.
"""

import frappe
from frappe import _

from brm_app.api import json_object
from brm_app.exceptions import SurveyAnswerValidationError, SurveyMailError
from brm_app.notifications.mail import SURVEY_INVITATION, send_survey_mail
from brm_app.services import roles
from brm_app.surveys import tokens
from brm_app.surveys.drafts import save_draft_with_token
from brm_app.surveys.submission import submit_with_token

SURVEY = "Satisfaction Survey"
MAX_ANSWERS_JSON = 200_000


@frappe.whitelist(allow_guest=True, methods=["POST"])
def submit(token: str | None = None, answers: dict | str | None = None, channel: str | None = None) -> dict:
	"""Store the answers of the survey the token belongs to; returns the thank-you message. `channel`
	("email_button" or "survey_link") is only which of the two the response came through (recorded by the
	server, brm_app.surveys.drafts)."""
	survey = submit_with_token(token, _parse_answers(answers), channel)
	thanks = None
	if survey.template:
		thanks = frappe.db.get_value("Satisfaction Survey Template", survey.template, "thank_you_message")
	if survey.respondent_language:
		frappe.local.lang = survey.respondent_language
	return {"message": _(thanks) if thanks else _("Thank you for your feedback.")}


@frappe.whitelist(allow_guest=True, methods=["POST"])
def save_draft(token: str | None = None, answers: dict | str | None = None) -> dict:
	"""Keep the answers given so far on the survey the token belongs to, for a return through the same link
	(brm_app.surveys.drafts); the survey stays unanswered."""
	save_draft_with_token(token, _parse_answers(answers))
	return {"saved": True}


PUBLIC_PATHS = (
	"/api/method/brm_app.api.survey.submit",
	"/api/method/brm_app.api.survey.save_draft",
	"/survey",
	# the customer's sign-off link (brm_app.api.sign_off.submit_by_link, brm_app/www/sign_off.py)
	"/api/method/brm_app.api.sign_off.submit_by_link",
	"/sign-off",
	"/sign_off",
)


def harden_public_requests() -> None:
	"""before_request hook for the survey and sign-off pages and endpoints (frappe 15 behaviour worked
	around):

	- an anonymous caller gets an error's message, never the server's traceback: frappe adds it to error
	  responses (410 / 417 / 429 and argument type errors raised before the endpoint runs too) while System
	  Settings "Allow Error Traceback" is on, which is its default;
	- a `cmd` field in the request is dropped: frappe would run it instead of the endpoint the path names
	  (its deprecated RPC style), and answers 500 when it is not a string. The path says what is called."""
	request = getattr(frappe.local, "request", None)
	if request is None or request.path not in PUBLIC_PATHS:
		return
	frappe.form_dict.pop("cmd", None)
	if frappe.session.user == "Guest":
		frappe.flags.disable_traceback = True


# the hook's first name: sites that cached their hooks before the rename still call it
hide_tracebacks_from_respondents = harden_public_requests


def _parse_answers(answers: dict | str | None) -> dict:
	answers = json_object(answers, MAX_ANSWERS_JSON)
	if answers is None:
		frappe.throw(
			_("Answers must be given per question."),
			exc=SurveyAnswerValidationError,
			title=_("Invalid Answer"),
		)
	return answers


CANCEL_ROLES = roles.FULL_ACCESS
CANCELLABLE = ("Scheduled", *tokens.OPEN_STATUSES)


@frappe.whitelist(methods=["POST"])
def cancel_survey(name: str, reason: str | None = None) -> str:
	"""Cancel an open survey, with a reason recorded on its timeline (case 28). Its link stops working.

	A survey that was sent is cancelled only by a BRM Process Manager, Process Owner or System Manager (a
	relationship manager could otherwise suppress an unhappy contact's answer); one still Scheduled also by
	whoever may edit it."""
	from brm_app.brm_app.doctype.satisfaction_survey.satisfaction_survey import server_write
	from brm_app.exceptions import SurveyCancelError
	from brm_app.surveys.submission import lock

	survey = frappe.get_doc(SURVEY, name)
	survey.check_permission("write")
	reason = (reason or "").strip()
	if not reason:
		frappe.throw(_("Say why the survey is cancelled."), exc=SurveyCancelError, title=_("Reason Required"))
	row = lock(survey.name)  # a respondent answering at the same moment waits, then one of the two wins
	if not row or row.status not in CANCELLABLE:
		frappe.throw(
			_(
				"Only a survey that is scheduled or waiting for its answer can be cancelled (it is {0})."
			).format(_(row.status if row else "")),
			exc=SurveyCancelError,
			title=_("Cannot Cancel"),
		)
	if row.status != "Scheduled" and not set(CANCEL_ROLES) & set(frappe.get_roles()):
		frappe.throw(
			_("Only a BRM Process Manager can cancel a survey that was sent."),
			exc=frappe.PermissionError,
			title=_("Not Permitted"),
		)
	survey.reload()
	survey.status = "Cancelled"
	with server_write():
		survey.save()
	tokens.forget_token(survey.name)
	survey.add_comment(
		"Info",
		_("Survey cancelled by {0}. Reason: {1}").format(
			frappe.utils.escape_html(frappe.session.user), frappe.utils.escape_html(reason)
		),
	)
	return survey.status


@frappe.whitelist(methods=["POST"])
def resend_invitation(name: str) -> str:
	"""E-mail the invitation of a Sent / Reminded survey again, with the same link (e.g. after a bounce)."""
	survey = frappe.get_doc(SURVEY, name)
	survey.check_permission("write")
	if survey.status not in tokens.OPEN_STATUSES:
		frappe.throw(
			_("Only a survey that was sent and not answered yet can be sent again."),
			exc=SurveyMailError,
			title=_("Cannot Resend"),
		)
	queue = send_survey_mail(survey, SURVEY_INVITATION, tokens.token_for_sending(survey.name))
	survey.add_comment(
		"Info", _("Survey invitation sent again to {0}.").format(frappe.utils.escape_html(survey.email))
	)
	return queue
