# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Satisfaction Survey Template: the questions a survey copies when it is created (docs/design.md S3 f, K6)."""

from contextlib import contextmanager
from pathlib import Path

import frappe
from frappe import _
from frappe.model.document import Document

from brm_app.controllers.checks import options_list, refuse_more_than
from brm_app.exceptions import SurveyTemplateError
from brm_app.services.survey_scoring import MAX_ANSWERS, QUESTION_TYPES


class SatisfactionSurveyTemplate(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from brm_app.brm_app.doctype.survey_template_question.survey_template_question import (
			SurveyTemplateQuestion,
		)

		enabled: DF.Check
		intro: DF.SmallText | None
		language: DF.Link | None
		questions: DF.Table[SurveyTemplateQuestion]
		template_name: DF.Data
		thank_you_message: DF.SmallText | None
		trigger: DF.Literal["Ticket Closed", "Project Delivered", "Periodic Relationship Review", "Manual"]

	# end: auto-generated types
	def validate(self):
		self.validate_questions()

	def validate_questions(self):
		if not self.questions:
			frappe.throw(
				_("Add at least one question to the template."),
				exc=SurveyTemplateError,
				title=_("No Questions"),
			)
		refuse_more_than(
			self.questions,
			MAX_ANSWERS,
			_("A template can have at most {0} questions."),
			SurveyTemplateError,
			_("Too Many Questions"),
		)
		for row in self.questions:
			if row.question_type not in QUESTION_TYPES:
				frappe.throw(
					_("Row {0}: question type must be one of: {1}.").format(
						row.idx, options_list(QUESTION_TYPES)
					),
					exc=SurveyTemplateError,
					title=_("Invalid Question Type"),
				)


TEMPLATE = "Satisfaction Survey Template"


def _default_templates() -> list[dict]:
	"""The templates made on install, one per automatic trigger, in the current language (frappe.local.lang)."""
	recommend = _("How likely are you to recommend our IT services to a colleague?")
	return [
		{
			"template_name": _("Ticket Closed Survey"),
			"trigger": "Ticket Closed",
			"intro": _("You recently contacted us. Please tell us how we did; it takes a minute."),
			"thank_you_message": _("Thank you for your feedback."),
			"questions": [
				(_("How satisfied are you with how your request was handled?"), "Rating", 1),
				(_("How satisfied are you with the time it took to resolve your request?"), "Rating", 1),
				(recommend, "NPS", 1),
				(_("Was your request resolved to your satisfaction?"), "Yes/No", 1),
				(_("Is there anything we could have done better?"), "Text", 0),
			],
		},
		{
			"template_name": _("Project Delivered Survey"),
			"trigger": "Project Delivered",
			"intro": _("We have delivered your project. Please tell us how well it meets your needs."),
			"thank_you_message": _("Thank you for your feedback."),
			"questions": [
				(_("How well does the delivered service meet your business needs?"), "Rating", 1),
				(_("How satisfied are you with the communication during the project?"), "Rating", 1),
				(_("How satisfied are you with the quality of the delivery?"), "Rating", 1),
				(recommend, "NPS", 1),
				(_("Was the project delivered when you needed it?"), "Yes/No", 1),
				(_("What should we do differently in the next project?"), "Text", 0),
			],
		},
		{
			"template_name": _("Periodic Relationship Review Survey"),
			"trigger": "Periodic Relationship Review",
			"intro": _("Please tell us how our services and our relationship with you are going."),
			"thank_you_message": _("Thank you for your feedback."),
			"questions": [
				(_("How well do our services support your business goals?"), "Rating", 1),
				(_("How satisfied are you with your relationship manager?"), "Rating", 1),
				(_("How satisfied are you with our services overall?"), "Rating", 1),
				(recommend, "NPS", 1),
				(_("Are you kept informed of changes that affect your services?"), "Yes/No", 1),
				(_("What should we improve, or start doing for you?"), "Text", 0),
			],
		},
	]


def default_template_languages() -> list[str]:
	"""The languages the default templates are made in: English, the site's language and every language
	brm_app ships a translation for (brm_app/translations/<lang>.csv), each only when enabled on the site.
	A survey takes the template in its respondent's language (brm_app.surveys.scheduling.require_template)."""
	shipped = sorted(
		path.stem for path in (Path(frappe.get_app_path("brm_app")) / "translations").glob("*.csv")
	)
	languages: list[str] = []
	for language in ("en", frappe.db.get_default("lang"), *shipped):
		if (
			language
			and language not in languages
			and frappe.db.exists("Language", {"name": language, "enabled": 1})
		):
			languages.append(language)
	return languages


@contextmanager
def _in_language(language: str):
	"""Translate with `_()` into `language` inside the block."""
	previous = getattr(frappe.local, "lang", None)
	frappe.local.lang = language
	try:
		yield
	finally:
		frappe.local.lang = previous


def default_templates_by_language() -> dict[str, list[dict]]:
	"""`_default_templates()` rendered in each of `default_template_languages()`."""
	rendered = {}
	for language in default_template_languages():
		with _in_language(language):
			rendered[language] = _default_templates()
	return rendered


def ensure_default_templates() -> list[str]:
	"""Create the default template of each automatic trigger in each language of
	`default_template_languages()` that the trigger has no template in yet; returns the names made.

	Idempotent: a (trigger, language) that already has a template is left alone, so re-running never
	duplicates nor overwrites edits; and a trigger with a template of the administrator's own (a name that is
	none of the default names) is left alone altogether: their survey stays the one that is sent.
	"""
	created = []
	rendered = default_templates_by_language()
	for position, trigger in enumerate(t["trigger"] for t in _default_templates()):
		default_names = {templates[position]["template_name"] for templates in rendered.values()}
		existing = frappe.get_all(TEMPLATE, filters={"trigger": trigger}, fields=["name", "language"])
		if any(row.name not in default_names for row in existing):
			continue
		languages_made = {row.language for row in existing}
		for language, templates in rendered.items():
			template = templates[position]
			if language in languages_made or frappe.db.exists(TEMPLATE, template["template_name"]):
				continue
			doc = frappe.get_doc(
				{
					"doctype": TEMPLATE,
					"template_name": template["template_name"],
					"trigger": template["trigger"],
					"enabled": 1,
					"language": language,
					"intro": template["intro"],
					"thank_you_message": template["thank_you_message"],
					"questions": [
						{"question": question, "question_type": question_type, "mandatory": mandatory}
						for question, question_type, mandatory in template["questions"]
					],
				}
			)
			doc.insert(ignore_permissions=True)
			created.append(doc.name)
	return created
