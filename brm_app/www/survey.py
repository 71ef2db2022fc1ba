"""The public survey page, /survey?token=… (docs/design.md "Public survey page").

No login: the token in the e-mailed link is the only key (brm_app.surveys.tokens). The questions are shown
in the respondent's language (``page_language``: a language picked with ?_lang=, else the survey's
respondent_language, else the customer's / contact's, else the browser's), via frappe's translations. An unknown,
used, expired or cancelled token gets the same page and status (410) with one message (docs/security.md case 12);
too many failed attempts from one client get 429 (brm_app.links.throttle). Every value in the page is escaped in the template
(frappe's Jinja does not autoescape) and nothing a respondent typed is ever rendered as a template.
"""

import frappe
from frappe import _

from brm_app.links import throttle
from brm_app.links.throttle import SurveyRateLimitError
from brm_app.notifications.mail import sender_name
from brm_app.services.survey_scoring import MAX_TEXT_LENGTH, NPS_MAX, NPS_MIN, RATING_MAX, RATING_MIN
from brm_app.surveys import drafts, tokens
from brm_app.surveys.scheduling import chosen_language
from brm_app.surveys.submission import link_unusable_message

no_cache = 1
sitemap = 0

SURVEY = "Satisfaction Survey"
SUBMIT_METHOD = "/api/method/brm_app.api.survey.submit"
DRAFT_METHOD = "/api/method/brm_app.api.survey.save_draft"


def get_context(context):
	provider(context)
	context.no_cache = 1
	context.no_breadcrumbs = 1
	context.show_sidebar = 0
	context.title = _("Satisfaction Survey")
	token = frappe.form_dict.get("token")
	row = tokens.find_survey(token)
	if not tokens.is_open(row):
		# a valid link always opens; failures count against the client's budget (429 once spent)
		try:
			throttle.record_failure()
		except SurveyRateLimitError:
			frappe.local.message_log = []
			return _closed(
				context, "limited", _("Too many attempts. Please wait a few minutes and try again."), 429
			)
		return _closed(context, "closed", link_unusable_message(), 410)

	survey = frappe.get_doc(SURVEY, row.name)
	language = page_language(survey)
	if language:
		frappe.local.lang = language
	template = (
		frappe.db.get_value(
			"Satisfaction Survey Template", survey.template, ["intro", "thank_you_message"], as_dict=True
		)
		if survey.template
		else None
	) or frappe._dict()

	context.state = "open"
	context.title = _("Satisfaction Survey")
	context.lang = frappe.local.lang
	context.token = token
	context.intro = (
		_(template.intro) if template.intro else _("Please tell us how we did; it takes a minute.")
	)
	context.questions = [
		{
			"name": answer.name,
			"text": _(answer.question),
			"type": answer.question_type,
			"mandatory": bool(answer.mandatory),
		}
		for answer in survey.answers
	]
	# answers to show chosen: the draft kept from an earlier visit, then the one-click rating of the
	# e-mail (?choice=N) on its question; showing them records nothing (docs/rhythm-surveys.md)
	chosen = {name: str(value) for name, value in drafts.load_draft(survey).items()}
	choice = drafts.chosen_rating(frappe.form_dict.get("choice"))
	first_rating = drafts.first_rating_row(survey)
	context.confirm_choice = None
	if choice is not None and first_rating is not None:
		chosen[first_rating.name] = str(choice)
		context.confirm_choice = {"question": _(first_rating.question), "value": choice}
	for question in context.questions:
		question["chosen"] = chosen.get(question["name"])
	context.rating_range = list(range(RATING_MIN, RATING_MAX + 1))
	context.nps_range = list(range(NPS_MIN, NPS_MAX + 1))
	context.max_text_length = MAX_TEXT_LENGTH
	context.page_data = {
		"submit_url": SUBMIT_METHOD,
		"draft_url": DRAFT_METHOD,
		"token": token,
		"channel": "email_button" if context.confirm_choice else "survey_link",
		"thank_you": _(template.thank_you_message)
		if template.thank_you_message
		else _("Thank you for your feedback."),
		"messages": {
			"required": _("Please answer this question."),
			"fix_errors": _("Please answer the questions marked in red."),
			"too_long": _("Please keep your answer under {0} characters.").format(MAX_TEXT_LENGTH),
			"closed": link_unusable_message(),
			"limited": _("Too many attempts. Please wait a few minutes and try again."),
			"failed": _("Your answers could not be sent. Please try again."),
			"sending": _("Sending…"),
		},
	}
	return context


def provider(context) -> None:
	"""The provider's name and logo, the page's only heading: the survey page is the survey alone, without
	the website's navigation, login link or footer (survey.html overrides those blocks)."""
	context.provider_name = sender_name()
	company = frappe.defaults.get_global_default("company")
	context.provider_logo = (
		frappe.db.get_value("Company", company, "company_logo") if company else None
	) or frappe.db.get_single_value("Website Settings", "app_logo")


def page_language(survey) -> str | None:
	"""The language to show the survey in, or None to keep frappe's choice for guests.

	In order: the language the respondent picked on the page (``?_lang=``, which frappe already applied);
	the survey's respondent language (set from the customer / contact when it was made); the contact's
	user's language, or the customer's when it is not just the site's default; else frappe's guess from the browser (cookie, Accept-Language)."""
	if frappe.form_dict.get("_lang"):
		return None
	if survey.respondent_language:
		return survey.respondent_language
	return chosen_language(survey.customer, survey.contact)


def _closed(context, state: str, message: str, status: int):
	context.state = state
	context.message = message
	context.http_status_code = status
	return context
