"""Half-filled answers and the response channel of the public survey page (docs/rhythm-surveys.md).

A respondent who leaves the page half-way finds their answers again when they come back through the same
link: the page posts them as a *draft* (``brm_app.api.survey.save_draft``, guest, POST, the token the only
key, failed lookups throttled like a submission: brm_app.links.throttle). The draft is kept on the survey
(``draft_answers``, JSON of answer row name -> normalised value; server-owned, hidden), never makes the
survey Responded and never counts in a figure; it is dropped when the survey is submitted, expires or is
cancelled (brm_app.surveys.tokens.forget_token).

The channel a response came through is recorded by the server when the answers are stored
(``response_channel``): ``E-mail Button`` when the page was opened from one of the invitation's one-click
rating buttons and that answer confirmed, ``Survey Link`` for the page opened from the link itself. The
client only says which of these two it is (any other value counts as Survey Link); responses cannot be
recorded on the desk (the status is server-owned), so there is no desk channel.
"""

import json

import frappe
from frappe import _
from frappe.utils import cstr, escape_html, now_datetime

from brm_app.exceptions import SurveyAnswerValidationError
from brm_app.services import survey_scoring
from brm_app.services.survey_scoring import RATING_MAX, RATING_MIN, SurveyAnswerError

SURVEY = "Satisfaction Survey"
EMAIL_BUTTON, SURVEY_LINK = "E-mail Button", "Survey Link"
CHANNELS = (EMAIL_BUTTON, SURVEY_LINK)
# what the page sends (a key, not a label) -> the stored channel
CHANNEL_KEYS = {"email_button": EMAIL_BUTTON, "survey_link": SURVEY_LINK}


def channel_of(value: object) -> str:
	"""The stored channel for what the page sent: E-mail Button only for its exact key, else Survey Link."""
	return CHANNEL_KEYS.get(value, SURVEY_LINK) if isinstance(value, str) else SURVEY_LINK


def first_rating_row(survey) -> "frappe._dict | None":
	"""The survey's first Rating question (the one the invitation offers as one-click buttons), or None."""
	for row in survey.answers:
		if row.question_type == "Rating":
			return row
	return None


def chosen_rating(value: object) -> int | None:
	"""The rating a one-click link carries (?choice=N), or None when it is not a rating value."""
	try:
		number = int(cstr(value).strip())
	except ValueError:
		return None
	return number if RATING_MIN <= number <= RATING_MAX else None


def clean_draft(survey, answers: dict) -> dict:
	"""The draft's answers checked like the survey's own (types and lengths, no mandatory check): row name
	-> normalised value; blanks dropped; an unknown row refused."""
	rows = {row.name: row for row in survey.answers}
	cleaned = {}
	for name, value in answers.items():
		row = rows.get(name)
		if row is None:
			frappe.throw(
				_("This survey has no question {0}.").format(frappe.bold(escape_html(cstr(name)))),
				exc=SurveyAnswerValidationError,
				title=_("Invalid Answer"),
			)
		try:
			value = survey_scoring.validate_answer(row.question_type, value, mandatory=False)
		except SurveyAnswerError as exc:
			frappe.throw(
				_("Question {0} ({1}): {2}").format(
					row.idx, frappe.bold(escape_html(cstr(row.question))), _(str(exc))
				),
				exc=SurveyAnswerValidationError,
				title=_("Invalid Answer"),
			)
		if value is not None:
			cleaned[name] = value
	return cleaned


def save_draft_with_token(token: object, answers: dict) -> None:
	"""Keep the answers given so far on the open survey of `token` (a used, expired, cancelled or unknown
	link is refused like a submission: HTTP 410, counted by the throttle)."""
	from brm_app.surveys.submission import lock_open_survey

	survey = frappe.get_doc(SURVEY, lock_open_survey(token).name)
	cleaned = clean_draft(survey, answers)
	frappe.db.set_value(
		SURVEY,
		survey.name,
		{"draft_answers": json.dumps(cleaned) if cleaned else None, "draft_saved_on": now_datetime()},
		update_modified=False,
	)


def load_draft(survey) -> dict:
	"""The draft kept on `survey` (row name -> value), {} when there is none or it cannot be read."""
	try:
		draft = json.loads(survey.draft_answers or "{}")
	except ValueError:
		return {}
	return draft if isinstance(draft, dict) else {}
