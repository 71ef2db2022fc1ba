# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Satisfaction Survey (docs/design.md S3 f, K6): one invitation to one respondent and, once answered, its scores.

Answers are checked and normalised by brm_app.services.survey_scoring; scores are computed here on the
server and overwrite whatever the client sent (docs/security.md case 13). Once Responded, the response is
immutable: its answers, response time and status never change again.
"""

from contextlib import contextmanager

import frappe
from frappe import _
from frappe.utils import cint, cstr, escape_html, flt, get_datetime, now_datetime

from brm_app.approvals import bulk
from brm_app.controllers.customer_linked import link_portfolio, require_contact_of_customer
from brm_app.controllers.records import BRMRecord
from brm_app.exceptions import (
	SurveyAnswerValidationError,
	SurveyClosedError,
	SurveyContactError,
	SurveyDateError,
	SurveyResponseLockedError,
	SurveyServerFieldError,
	SurveyTemplateDisabledError,
)
from brm_app.services import survey_scoring
from brm_app.services.survey_scoring import SurveyAnswerError
from brm_app.settings import low_score_threshold

RESPONDED = "Responded"
SCHEDULED = "Scheduled"
CLOSED_STATUSES = (RESPONDED, "Expired", "Cancelled")
# Fields only the server writes (case 28): the send / remind / expire jobs, the respondent's link
# (submit_answers) and a process manager's cancel_survey. A desk or REST save, or a job a request started
# (bulk update, Data Import), that changes them is refused.
SERVER_FIELDS = (
	"status",
	"token_hash",
	"sent_on",
	"reminded_on",
	"responded_on",
	"expires_on",
	"follow_up",
	# the respondent's channel and half-filled answers (docs/rhythm-surveys.md)
	"response_channel",
	"draft_answers",
	"draft_saved_on",
)
# the recipient: chosen while the survey is Scheduled, fixed once its link was sent
RECIPIENT_FIELDS = ("contact", "email", "respondent_language")
DATETIME_SERVER_FIELDS = ("sent_on", "reminded_on", "responded_on", "expires_on", "draft_saved_on")
SERVER_WRITE_FLAG = "brm_survey_server_write"
NUMERIC_QUESTION_TYPES = ("Rating", "NPS")
# The parts of an answer row that a response fixes for good.
LOCKED_ANSWER_FIELDS = ("question", "question_type", "mandatory", "answer")


class SatisfactionSurvey(BRMRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from brm_app.brm_app.doctype.satisfaction_survey_answer.satisfaction_survey_answer import (
			SatisfactionSurveyAnswer,
		)

		answers: DF.Table[SatisfactionSurveyAnswer]
		contact: DF.Link | None
		csat_percent: DF.Percent
		customer: DF.Link
		customer_name: DF.Data | None
		draft_answers: DF.LongText | None
		draft_saved_on: DF.Datetime | None
		email: DF.Data | None
		expires_on: DF.Datetime | None
		follow_up: DF.Link | None
		naming_series: DF.Literal["SVY-.YYYY.-"]
		needs_follow_up: DF.Check
		nps_category: DF.Literal["", "Promoter", "Passive", "Detractor"]
		nps_score: DF.Int
		portfolio: DF.Link | None
		rating_count: DF.Int
		rating_mean: DF.Float
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		relationship_manager: DF.Link | None
		reminded_on: DF.Datetime | None
		responded_on: DF.Datetime | None
		respondent_language: DF.Link | None
		response_channel: DF.Literal["", "E-mail Button", "Survey Link"]
		satisfied_count: DF.Int
		scheduled_for: DF.Datetime | None
		sent_on: DF.Datetime | None
		status: DF.Literal["Scheduled", "Sent", "Reminded", "Responded", "Expired", "Cancelled"]
		template: DF.Link
		token_hash: DF.Data | None
		trigger: DF.Literal["Ticket Closed", "Project Delivered", "Periodic Relationship Review", "Manual"]

	# end: auto-generated types
	def before_insert(self):
		self.copy_template_questions()

	def validate(self):
		link_portfolio(self)
		self.validate_contact()
		self.validate_template()
		self.validate_response_lock()
		self.validate_dates()
		answers = self.validate_answers()
		self.compute_scores(answers)
		self.validate_server_fields()

	# insert

	def copy_template_questions(self):
		"""Give a new survey its template's questions, unless answer rows were given already."""
		if self.answers or not self.template:
			return
		questions = frappe.get_all(
			"Survey Template Question",
			filters={
				"parent": self.template,
				"parenttype": "Satisfaction Survey Template",
				"parentfield": "questions",
			},
			fields=["question", "question_type", "mandatory"],
			order_by="idx asc",
		)
		for question in questions:
			self.append(
				"answers",
				{
					"question": question.question,
					"question_type": question.question_type,
					"mandatory": question.mandatory,
				},
			)

	# validation steps

	def validate_contact(self):
		if not self.contact:
			return
		require_contact_of_customer(
			self.contact,
			self.customer,
			_("Contact {0} is not a contact of customer {1}."),
			SurveyContactError,
			_("Invalid Contact"),
		)
		if not self.email:
			self.email = frappe.db.get_value("Contact", self.contact, "email_id")

	def validate_template(self):
		"""Only an enabled template can start a survey (checked when the survey is made or re-templated)."""
		if not self.template:
			return
		before = self.get_doc_before_save()
		if before and before.template == self.template:
			return
		if not frappe.db.get_value("Satisfaction Survey Template", self.template, "enabled"):
			frappe.throw(
				_("Survey Template {0} is disabled.").format(frappe.bold(self.template)),
				exc=SurveyTemplateDisabledError,
				title=_("Disabled Template"),
			)

	def validate_response_lock(self):
		"""A stored response is final: no status change and no change to its answers."""
		before = self.get_doc_before_save()
		if not before or before.status != RESPONDED:
			return
		if self.status != RESPONDED:
			self._refuse_change(_("Its status cannot change any more."))
		if _datetime(self.responded_on) != _datetime(before.responded_on):
			self._refuse_change(_("Its response time cannot change."))
		if _answer_rows(self) != _answer_rows(before):
			self._refuse_change(_("Its answers cannot change."))

	def validate_server_fields(self):
		"""Status, answers, token hash, dates and (once sent) the recipient are the server's: a save from
		outside (a request, or a job a request started) that sets them is refused (case 28)."""
		if not written_from_outside():
			return
		if self.is_new():
			changed = [f for f in SERVER_FIELDS if f != "status" and self.get(f)]
			if self.status not in (None, "", SCHEDULED):
				changed.append("status")
			if any(cstr(row.answer).strip() for row in self.answers):
				changed.append("answers")
		else:
			before = self.get_doc_before_save()
			if before is None:
				self.load_doc_before_save(raise_exception=True)
				before = self.get_doc_before_save()
			fields = SERVER_FIELDS + (RECIPIENT_FIELDS if before.status != SCHEDULED else ())
			changed = [f for f in fields if _stored_form(f, self.get(f)) != _stored_form(f, before.get(f))]
			if _server_answer_rows(self) != _server_answer_rows(before):
				changed.append("answers")
		if changed:
			frappe.throw(
				_("{0} cannot be set by hand: the survey's link and the server's jobs set it.").format(
					", ".join(frappe.bold(_(self.meta.get_label(f))) for f in changed)
				),
				exc=SurveyServerFieldError,
				title=_("Not Allowed"),
			)

	def _refuse_change(self, reason: str):
		frappe.throw(
			_("Survey {0} has been responded to. {1}").format(frappe.bold(self.name), reason),
			exc=SurveyResponseLockedError,
			title=_("Response Is Final"),
		)

	def validate_dates(self):
		if self.status == RESPONDED:
			if not self.responded_on:
				self.responded_on = now_datetime()
		else:
			self.responded_on = None
		if not self.sent_on:
			return
		sent_on = get_datetime(self.sent_on)
		if self.responded_on and get_datetime(self.responded_on) < sent_on:
			frappe.throw(
				_("Responded On cannot be before Sent On."),
				exc=SurveyDateError,
				title=_("Invalid Dates"),
			)
		if self.expires_on and get_datetime(self.expires_on) <= sent_on:
			frappe.throw(
				_("Expires On must be after Sent On."),
				exc=SurveyDateError,
				title=_("Invalid Dates"),
			)

	def validate_answers(self) -> list[tuple[str, object]]:
		"""Check every answer against its question type and store it normalised.

		Mandatory answers are required once the survey is Responded. Returns (question type, value) pairs.
		"""
		if len(self.answers) > survey_scoring.MAX_ANSWERS:
			frappe.throw(
				_("A survey can have at most {0} questions.").format(survey_scoring.MAX_ANSWERS),
				exc=SurveyAnswerValidationError,
				title=_("Too Many Questions"),
			)
		responded = self.status == RESPONDED
		pairs = []
		for row in self.answers:
			try:
				value = survey_scoring.validate_answer(
					row.question_type, row.answer, mandatory=responded and bool(cint(row.mandatory))
				)
			except SurveyAnswerError as exc:
				frappe.throw(
					_("Question {0} ({1}): {2}").format(
						row.idx, frappe.bold(escape_html(cstr(row.question))), _(str(exc))
					),
					exc=SurveyAnswerValidationError,
					title=_("Invalid Answer"),
				)
			row.answer = None if value is None else str(value)
			row.score = value if row.question_type in NUMERIC_QUESTION_TYPES else None
			pairs.append((row.question_type, value))
		return pairs

	def compute_scores(self, answers: list[tuple[str, object]]):
		"""Scores of a response, computed here only; anything the client sent is overwritten."""
		if self.status != RESPONDED:
			self.csat_percent = None
			self.rating_mean = None
			self.rating_count = 0
			self.satisfied_count = 0
			self.nps_score = None
			self.nps_category = None
			self.needs_follow_up = 0
			return
		result = survey_scoring.score(answers)
		self.csat_percent = result.csat_percent
		self.rating_mean = result.rating_mean
		# stored so that K6 / health CSAT sum them over surveys instead of joining the answer rows
		self.rating_count = result.rating_count
		self.satisfied_count = result.satisfied_count
		self.nps_score = result.nps_score
		self.nps_category = result.nps_category
		self.needs_follow_up = int(survey_scoring.needs_follow_up(result, low_score_threshold()))


def _datetime(value):
	return get_datetime(value) if value else None


def _stored_form(fieldname: str, value) -> str:
	if fieldname in DATETIME_SERVER_FIELDS:
		return str(get_datetime(value)) if value else ""
	return cstr(value)


def _server_answer_rows(doc) -> list[tuple]:
	return [
		(row.name, cstr(row.question), cstr(row.question_type), cint(row.mandatory), cstr(row.answer))
		for row in doc.get("answers") or []
	]


@contextmanager
def server_write():
	"""The server's own change of a survey (the respondent's link, cancel_survey): its fields may change."""
	previous = frappe.flags.get(SERVER_WRITE_FLAG)
	frappe.flags[SERVER_WRITE_FLAG] = True
	try:
		yield
	finally:
		frappe.flags[SERVER_WRITE_FLAG] = previous


def written_from_outside() -> bool:
	"""Whether this save comes from a request or from a background job (which a request may have started),
	and not from one of the server's own survey paths (server_write)."""
	if frappe.flags.get(SERVER_WRITE_FLAG):
		return False
	return getattr(frappe.local, "request", None) is not None or bulk.in_background_job()


def _answer_rows(doc) -> list[tuple]:
	return [
		(row.name, *(cstr(row.get(fieldname)) for fieldname in LOCKED_ANSWER_FIELDS))
		for row in doc.get("answers") or []
	]


def submit_answers(survey_name: str, answers: dict[str, object], ignore_permissions: bool = False):
	"""Store a respondent's answers (answer row name -> value) and mark the survey Responded.

	Not whitelisted: the public survey page calls it once it has checked the respondent's token. Values
	are validated by the survey's own validation; unknown row names are refused; permissions apply unless
	the caller (never the client) passes ignore_permissions.
	"""
	doc = frappe.get_doc("Satisfaction Survey", survey_name)
	if doc.status in CLOSED_STATUSES:
		frappe.throw(
			_("This survey can no longer be answered."),
			exc=SurveyClosedError,
			title=_("Survey Closed"),
		)
	if doc.expires_on and get_datetime(doc.expires_on) < now_datetime():
		frappe.throw(
			_("This survey has expired."),
			exc=SurveyClosedError,
			title=_("Survey Closed"),
		)
	if not isinstance(answers, dict):
		frappe.throw(
			_("Answers must be given per question."),
			exc=SurveyAnswerValidationError,
			title=_("Invalid Answer"),
		)
	rows = {row.name: row for row in doc.answers}
	unknown = [name for name in answers if name not in rows]
	if unknown:
		frappe.throw(
			_("This survey has no question {0}.").format(frappe.bold(escape_html(cstr(unknown[0])))),
			exc=SurveyAnswerValidationError,
			title=_("Invalid Answer"),
		)
	for name, value in answers.items():
		rows[name].answer = value
	doc.status = RESPONDED
	doc.responded_on = now_datetime()
	with server_write():
		doc.save(ignore_permissions=ignore_permissions)
	return doc
