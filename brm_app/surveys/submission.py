"""Storing a respondent's answers from the public survey page (docs/security.md cases 10-14).

The token is the only thing that says which survey is answered: the request can name no survey, and
fields other than the answers never reach the survey (the endpoint takes only ``token`` and ``answers``; the
controller computes the scores). The survey row is locked (SELECT … FOR UPDATE) and its status read again
under the lock, so of two submissions at the same time exactly one is stored; the other, like a reused,
expired, cancelled or unknown token, gets the same SurveyLinkError (HTTP 410) with the same message.

A response below the low-score threshold opens a follow-up ToDo for the relationship manager.
"""

import hmac

import frappe
from frappe import _
from frappe.utils import add_days, cstr, escape_html, nowdate

from brm_app.brm_app.doctype.satisfaction_survey.satisfaction_survey import submit_answers
from brm_app.exceptions import SurveyAnswerValidationError, SurveyLinkError
from brm_app.links import throttle
from brm_app.surveys import drafts, tokens

SURVEY = "Satisfaction Survey"
FOLLOW_UP_DAYS = 2


def link_unusable_message() -> str:
	return _(
		"This survey link has expired or has already been used. Each link can be used once and only for a "
		"limited time. If you still want to give feedback, please contact us."
	)


def refuse_link() -> None:
	throttle.record_failure()
	frappe.throw(link_unusable_message(), exc=SurveyLinkError, title=_("Survey Link Not Valid"))


def lock_open_survey(token: object) -> frappe._dict:
	"""The survey row of `token`, locked (SELECT … FOR UPDATE), once its status, expiry and token hash are
	read again under the lock; a used, expired, cancelled or unknown link is refused (HTTP 410, counted by
	the throttle). The one check of a survey link for a submission and a draft alike."""
	row = tokens.find_survey(token)
	if not tokens.is_open(row):
		refuse_link()
	locked = lock(row.name)
	if (
		not locked
		or not tokens.is_open(locked)
		or not hmac.compare_digest(locked.token_hash or "", tokens.hash_token(token))
	):
		refuse_link()
	return locked


def submit_with_token(token: object, answers: object, channel: object = None) -> "frappe.Document":
	"""Store `answers` (answer row name -> value) for the survey of `token`; returns the survey. The
	response channel is recorded from `channel` (brm_app.surveys.drafts.channel_of)."""
	locked = lock_open_survey(token)
	if not isinstance(answers, dict):
		frappe.throw(
			_("Answers must be given per question."),
			exc=SurveyAnswerValidationError,
			title=_("Invalid Answer"),
		)
	survey = submit_answers(locked.name, answers, ignore_permissions=True)
	survey.db_set("response_channel", drafts.channel_of(channel), update_modified=False)
	tokens.forget_token(survey.name)  # drops the draft too
	open_follow_up(survey)
	return survey


def lock(name: str) -> frappe._dict | None:
	table = frappe.qb.DocType(SURVEY)
	rows = (
		frappe.qb.from_(table)
		.select(table.name, table.token_hash, table.status, table.expires_on)
		.where(table.name == name)
		.for_update()
	).run(as_dict=True)
	return rows[0] if rows else None


def open_follow_up(survey) -> str | None:
	"""A ToDo for the relationship manager when the response needs a follow-up; returns its name."""
	if not survey.needs_follow_up or survey.follow_up:
		return None
	owner = survey.relationship_manager
	if not (owner and frappe.db.get_value("User", owner, "enabled")):
		frappe.log_error(
			title="Survey follow-up without relationship manager",
			message=f"Survey {survey.name} needs a follow-up but its portfolio has no enabled relationship manager.",
			reference_doctype=SURVEY,
			reference_name=survey.name,
		)
		return None
	score = _("CSAT {0}%").format(survey.csat_percent) if survey.csat_percent is not None else ""
	if survey.nps_category:
		score = ", ".join(
			filter(None, [score, _("NPS {0} ({1})").format(survey.nps_score, _(survey.nps_category))])
		)
	description = _("Low satisfaction score from {0} ({1}): {2}. Please follow up with the customer.").format(
		escape_html(cstr(survey.email)), escape_html(cstr(survey.customer_name or survey.customer)), score
	)
	todo = frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": owner,
			"reference_type": SURVEY,
			"reference_name": survey.name,
			"description": f"<p>{description}</p>",
			"priority": "High",
			"date": add_days(nowdate(), FOLLOW_UP_DAYS),
			"assigned_by": "Administrator",
		}
	)
	todo.insert(ignore_permissions=True)
	survey.db_set("follow_up", todo.name, update_modified=False)
	return todo.name
