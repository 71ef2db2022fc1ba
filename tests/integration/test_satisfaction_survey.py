"""Satisfaction Survey and Satisfaction Survey Template rules (docs/design.md "Satisfaction Survey",
docs/security.md cases 13, 14, 15, 16)."""

import frappe
import pytest
from frappe.utils import add_to_date, get_datetime, now_datetime

from brm_app.brm_app.doctype.satisfaction_survey.satisfaction_survey import (
	low_score_threshold,
	submit_answers,
)
from brm_app.brm_app.doctype.satisfaction_survey_template.satisfaction_survey_template import (
	default_template_languages,
	ensure_default_templates,
)
from brm_app.controllers.customer_linked import MissingPortfolioError
from brm_app.exceptions import (
	SurveyAnswerValidationError,
	SurveyClosedError,
	SurveyContactError,
	SurveyDateError,
	SurveyResponseLockedError,
	SurveyTemplateDisabledError,
	SurveyTemplateError,
)
from tests.support.factories import (
	make_contact,
	make_customer,
	make_portfolio,
	make_survey,
	make_survey_template,
	uid,
)
from tests.support.users import as_user, make_user

DEFAULT_TRIGGERS = ("Ticket Closed", "Project Delivered", "Periodic Relationship Review")

# make_survey_template's default questions, in order:
# 0 Rating (mandatory), 1 Rating (mandatory), 2 NPS (mandatory), 3 Yes/No (mandatory), 4 Text (optional)
GOOD = [5, 4, 9, "Yes", "Great service"]


def _respond(survey, values, **fields):
	"""Fill the answers in order and mark the survey Responded through a normal save."""
	for row, value in zip(survey.answers, values, strict=True):
		row.answer = value
	survey.status = "Responded"
	survey.update(fields)
	return survey.save()


def _by_name(survey, values):
	return {row.name: value for row, value in zip(survey.answers, values, strict=True)}


# Template


def test_template_needs_at_least_one_question():
	with pytest.raises(SurveyTemplateError):
		frappe.get_doc(
			{"doctype": "Satisfaction Survey Template", "template_name": uid("T "), "questions": []}
		).insert()


def test_template_question_type_must_be_known():
	with pytest.raises(SurveyTemplateError):
		make_survey_template(questions=[("How many stars?", "Stars")])


def test_template_question_count_is_bounded():
	with pytest.raises(SurveyTemplateError):
		make_survey_template(questions=[(f"Question {n}", "Rating") for n in range(201)])


def test_default_templates_are_created_once():
	ensure_default_templates()
	counts = {
		trigger: frappe.db.count("Satisfaction Survey Template", {"trigger": trigger})
		for trigger in DEFAULT_TRIGGERS
	}
	assert all(count >= 1 for count in counts.values())
	assert ensure_default_templates() == []
	assert counts == {
		trigger: frappe.db.count("Satisfaction Survey Template", {"trigger": trigger})
		for trigger in DEFAULT_TRIGGERS
	}


def test_default_templates_have_the_expected_questions():
	_remove_templates_of_default_triggers()
	languages = default_template_languages()
	created = ensure_default_templates()
	assert len(created) == 3 * len(languages)
	for name in created:
		template = frappe.get_doc("Satisfaction Survey Template", name)
		assert template.enabled
		types = [row.question_type for row in template.questions]
		assert 2 <= types.count("Rating") <= 3
		assert types.count("NPS") == 1
		assert types.count("Yes/No") == 1
		assert types.count("Text") == 1
		assert {row.mandatory for row in template.questions if row.question_type == "Text"} == {0}
	made = frappe.get_all(
		"Satisfaction Survey Template", filters={"name": ("in", created)}, fields=["trigger", "language"]
	)
	assert sorted((row.trigger, row.language) for row in made) == sorted(
		(trigger, language) for trigger in DEFAULT_TRIGGERS for language in languages
	)


def test_default_templates_are_made_in_english_and_in_indonesian():
	"""One template per trigger and language: a survey takes the one in its respondent's language."""
	assert {"en", "id"} <= set(default_template_languages())
	_remove_templates_of_default_triggers()
	ensure_default_templates()
	questions = {}
	for language in ("en", "id"):
		(name,) = frappe.get_all(
			"Satisfaction Survey Template",
			filters={"trigger": "Ticket Closed", "language": language},
			pluck="name",
		)
		template = frappe.get_doc("Satisfaction Survey Template", name)
		questions[language] = [row.question for row in template.questions]
		if language == "id":
			assert name == "Survei Tiket Ditutup"
			assert template.intro.startswith("Anda baru saja menghubungi kami")
	assert questions["en"][0] == "How satisfied are you with how your request was handled?"
	assert questions["id"][0] == "Seberapa puas Anda dengan penanganan permintaan Anda?"
	assert len(questions["id"]) == len(questions["en"])
	assert not set(questions["id"]) & set(questions["en"])


def test_a_site_with_english_templates_only_gets_the_indonesian_ones_on_migrate():
	_remove_templates_of_default_triggers()
	ensure_default_templates()
	for name in frappe.get_all("Satisfaction Survey Template", filters={"language": "id"}, pluck="name"):
		frappe.delete_doc("Satisfaction Survey Template", name, force=True, ignore_permissions=True)
	created = ensure_default_templates()
	assert (
		sorted(frappe.db.get_value("Satisfaction Survey Template", name, "language") for name in created)
		== ["id"] * 3
	)
	assert ensure_default_templates() == []


def test_default_templates_leave_an_existing_template_of_a_trigger_alone():
	_remove_templates_of_default_triggers()
	own = make_survey_template(trigger="Project Delivered", template_name=uid("Our delivery survey "))
	created = ensure_default_templates()
	assert len(created) == 2 * len(default_template_languages())
	assert frappe.db.get_all(
		"Satisfaction Survey Template", filters={"trigger": "Project Delivered"}, pluck="name"
	) == [own.name]


def test_install_and_migrate_make_the_default_templates():
	from brm_app.setup.install import ensure_setup

	_remove_templates_of_default_triggers()
	ensure_setup()
	for trigger in DEFAULT_TRIGGERS:
		assert frappe.db.count("Satisfaction Survey Template", {"trigger": trigger}) == len(
			default_template_languages()
		)


def _remove_templates_of_default_triggers():
	for name in frappe.get_all(
		"Satisfaction Survey Template", filters={"trigger": ("in", DEFAULT_TRIGGERS)}, pluck="name"
	):
		frappe.delete_doc("Satisfaction Survey Template", name, force=True, ignore_permissions=True)


# 1. customer, portfolio and contact


def test_survey_takes_portfolio_and_relationship_manager_of_its_customer():
	manager = make_user(f"{uid('rm')}@example.com", ("Business Relationship Manager",))
	portfolio = make_portfolio(relationship_manager=manager)
	survey = make_survey(customer=portfolio.customer)
	assert survey.portfolio == portfolio.name
	assert survey.relationship_manager == manager


def test_survey_needs_a_customer_with_a_portfolio():
	with pytest.raises(frappe.MandatoryError):
		frappe.get_doc(
			{
				"doctype": "Satisfaction Survey",
				"template": make_survey_template().name,
				"email": "a@example.com",
			}
		).insert()
	customer = make_customer().name
	frappe.db.delete("Customer Portfolio", {"customer": customer})  # in case one was made automatically
	with pytest.raises(MissingPortfolioError):
		make_survey(customer=customer)


def test_contact_email_is_used_when_no_email_is_given():
	customer = make_portfolio().customer
	contact = make_contact(customer, email="buyer@example.com")
	survey = make_survey(customer=customer, contact=contact.name, email=None)
	assert survey.email == "buyer@example.com"
	kept = make_survey(customer=customer, contact=contact.name, email="other@example.com")
	assert kept.email == "other@example.com"


def test_contact_of_another_customer_is_refused():
	customer = make_portfolio().customer
	stranger = make_contact(make_customer().name)
	with pytest.raises(SurveyContactError):
		make_survey(customer=customer, contact=stranger.name)


# 2. questions from the template


def test_new_survey_copies_the_template_questions():
	template = make_survey_template()
	survey = make_survey(template=template.name)
	assert [(row.question, row.question_type, row.mandatory) for row in survey.answers] == [
		(row.question, row.question_type, row.mandatory) for row in template.questions
	]
	assert all(row.answer is None for row in survey.answers)


def test_given_answer_rows_are_not_replaced():
	survey = make_survey(answers=[{"question": "Only this?", "question_type": "Yes/No", "mandatory": 1}])
	assert [row.question for row in survey.answers] == ["Only this?"]


def test_disabled_template_cannot_start_a_survey():
	template = make_survey_template(enabled=0)
	with pytest.raises(SurveyTemplateDisabledError):
		make_survey(template=template.name)


def test_disabling_a_template_later_keeps_its_surveys_usable():
	template = make_survey_template()
	survey = make_survey(template=template.name)
	frappe.db.set_value("Satisfaction Survey Template", template.name, "enabled", 0)
	_respond(survey, GOOD)
	assert survey.status == "Responded"


# 3. answers by type (SECURITY case 15)


@pytest.mark.parametrize(
	("index", "value"),
	[
		(2, -1),
		(2, 11),
		(2, 7.5),
		(2, "7.5"),
		(2, "abc"),
		(2, None),
		(0, 0),
		(0, 6),
		(0, "five"),
		(3, "maybe"),
	],
	ids=[
		"nps-minus-1",
		"nps-11",
		"nps-7.5",
		"nps-7.5-text",
		"nps-abc",
		"nps-null",
		"rating-0",
		"rating-6",
		"rating-word",
		"yes-no-maybe",
	],
)
def test_invalid_answer_is_refused_naming_the_question(index, value):
	survey = make_survey()
	values = list(GOOD)
	values[index] = value
	with pytest.raises(SurveyAnswerValidationError) as raised:
		_respond(survey, values)
	assert survey.answers[index].question in str(raised.value)
	assert frappe.db.get_value("Satisfaction Survey", survey.name, "status") == "Scheduled"


def test_answer_rows_are_bounded():
	rows = [{"question": f"Q{n}", "question_type": "Rating", "mandatory": 0} for n in range(201)]
	with pytest.raises(SurveyAnswerValidationError):
		make_survey(answers=rows)


def test_mandatory_answers_are_only_required_on_response():
	survey = make_survey()
	survey.status = "Sent"
	survey.sent_on = now_datetime()
	survey.save()
	assert survey.status == "Sent"
	_respond(survey, [5, 4, 9, "Yes", None])  # the Text question is optional
	assert survey.status == "Responded"


def test_answers_are_stored_normalised():
	survey = _respond(make_survey(), [" 4 ", 5.0, "10", True, "  thanks  "])
	survey.reload()
	assert [row.answer for row in survey.answers] == ["4", "5", "10", "Yes", "thanks"]
	assert [row.score for row in survey.answers[:3]] == [4, 5, 10]


def test_client_sent_score_of_a_row_is_overwritten():
	survey = make_survey()
	survey.answers[0].score = 5
	_respond(survey, [1, 1, 0, "No", ""])
	assert survey.answers[0].score == 1


def test_type_errors_are_caught_before_the_response():
	survey = make_survey()
	survey.answers[2].answer = "eleven"
	with pytest.raises(SurveyAnswerValidationError):
		survey.save()


# 4. scores


def test_scores_are_computed_on_response():
	survey = _respond(make_survey(), [5, 3, 10, "Yes", ""])
	assert survey.csat_percent == 50
	assert survey.rating_mean == 4
	assert survey.nps_score == 10
	assert survey.nps_category == "Promoter"


def test_client_sent_scores_are_overwritten():
	# SECURITY case 13: csat=99 and friends from the client are ignored
	survey = make_survey(csat_percent=99, nps_category="Promoter", needs_follow_up=0, rating_mean=5)
	assert not survey.csat_percent
	assert not survey.nps_category
	survey.csat_percent = 99
	survey.needs_follow_up = 0
	_respond(survey, [1, 2, 3, "No", ""])
	stored = frappe.db.get_value(
		"Satisfaction Survey", survey.name, ["csat_percent", "nps_category", "needs_follow_up"], as_dict=True
	)
	assert stored.csat_percent == 0
	assert stored.nps_category == "Detractor"
	assert stored.needs_follow_up == 1
	survey.reload()
	survey.csat_percent = 99
	survey.save()
	assert frappe.db.get_value("Satisfaction Survey", survey.name, "csat_percent") == 0


def test_low_score_is_followed_up_with_the_default_threshold():
	frappe.db.delete("Singles", {"doctype": "BRM Settings", "field": "low_score_threshold"})
	assert low_score_threshold() == 60
	survey = _respond(make_survey(), [5, 2, 9, "Yes", ""])  # CSAT 50 %, a promoter
	assert survey.csat_percent == 50
	assert survey.needs_follow_up == 1


def test_follow_up_threshold_comes_from_brm_settings():
	frappe.db.set_single_value("BRM Settings", "low_score_threshold", 40)
	assert low_score_threshold() == 40
	survey = _respond(make_survey(), [5, 2, 9, "Yes", ""])  # CSAT 50 % is not below 40 %
	assert survey.needs_follow_up == 0
	detractor = _respond(make_survey(), [5, 5, 6, "Yes", ""])
	assert detractor.needs_follow_up == 1


# 5. dates (SECURITY case 16)


def test_responded_on_is_set_on_response():
	before = now_datetime().replace(microsecond=0)
	survey = _respond(make_survey(), GOOD)
	stored = frappe.db.get_value("Satisfaction Survey", survey.name, "responded_on")
	assert stored is not None
	assert get_datetime(stored) >= before


def test_responded_on_of_an_unanswered_survey_is_cleared():
	survey = make_survey(responded_on=now_datetime())
	assert survey.responded_on is None


def test_response_before_sending_is_refused():
	sent = now_datetime()
	survey = make_survey(sent_on=sent, status="Sent")
	with pytest.raises(SurveyDateError):
		_respond(survey, GOOD, responded_on=add_to_date(sent, hours=-1))


@pytest.mark.parametrize("hours", [-1, 0])
def test_expiry_must_be_after_sending(hours):
	sent = now_datetime()
	with pytest.raises(SurveyDateError):
		make_survey(sent_on=sent, expires_on=add_to_date(sent, hours=hours))
	assert make_survey(sent_on=sent, expires_on=add_to_date(sent, days=14)).expires_on


# 6. a response is final


def test_answers_of_a_responded_survey_cannot_change():
	survey = _respond(make_survey(), GOOD)
	survey.reload()
	survey.answers[0].answer = "1"
	with pytest.raises(SurveyResponseLockedError):
		survey.save()
	assert frappe.db.get_value("Satisfaction Survey Answer", survey.answers[0].name, "answer") == "5"


def test_answer_rows_of_a_responded_survey_cannot_be_added_or_removed():
	survey = _respond(make_survey(), GOOD)
	survey.reload()
	survey.append("answers", {"question": "Extra?", "question_type": "Text"})
	with pytest.raises(SurveyResponseLockedError):
		survey.save()
	survey.reload()
	survey.answers.pop()
	with pytest.raises(SurveyResponseLockedError):
		survey.save()


def test_responded_survey_cannot_leave_responded():
	survey = _respond(make_survey(), GOOD)
	survey.reload()
	survey.status = "Sent"
	with pytest.raises(SurveyResponseLockedError):
		survey.save()


def test_responded_on_cannot_change():
	survey = _respond(make_survey(), GOOD)
	survey.reload()
	survey.responded_on = add_to_date(survey.responded_on, days=-3)
	with pytest.raises(SurveyResponseLockedError):
		survey.save()


def test_responded_survey_can_still_be_saved_unchanged():
	survey = _respond(make_survey(), GOOD)
	survey.reload()
	survey.save()
	survey = frappe.get_doc("Satisfaction Survey", survey.name)
	survey.save()
	assert survey.status == "Responded"


# 7. text answers (SECURITY case 14: stored harmlessly)


def test_script_in_a_text_answer_is_stored_harmlessly():
	payload = "<script>alert(1)</script> and <img src=x onerror=alert(2)>"
	survey = _respond(make_survey(), [5, 4, 9, "Yes", payload])
	stored = frappe.db.get_value("Satisfaction Survey Answer", survey.answers[4].name, "answer")
	# frappe's save-time XSS filter escapes the tag and drops the handler: shown as text, never run
	assert "<script" not in stored.lower()
	assert "onerror" not in stored.lower()
	assert "&lt;script&gt;alert(1)&lt;/script&gt;" in stored


@pytest.mark.parametrize("text", ["1 < 2 & 3 > 2", "{{ 7*7 }}", "javascript:alert(1)", "Ünïcödé ✓"])
def test_text_answers_that_are_not_html_round_trip_unchanged(text):
	survey = _respond(make_survey(), [5, 4, 9, "Yes", text])
	assert frappe.db.get_value("Satisfaction Survey Answer", survey.answers[4].name, "answer") == text


def test_text_answer_is_capped_at_2000_characters():
	survey = _respond(make_survey(), [5, 4, 9, "Yes", "a" * 2000])
	assert len(frappe.db.get_value("Satisfaction Survey Answer", survey.answers[4].name, "answer")) == 2000
	with pytest.raises(SurveyAnswerValidationError):
		_respond(make_survey(), [5, 4, 9, "Yes", "a" * 2001])
	with pytest.raises(SurveyAnswerValidationError):
		_respond(make_survey(), [5, 4, 9, "Yes", "a" * 1_000_000])


# 8. submit_answers


def test_submit_answers_stores_the_response():
	survey = make_survey(status="Sent", sent_on=now_datetime())
	submit_answers(survey.name, _by_name(survey, [4, 5, 8, "no", "ok"]))
	stored = frappe.get_doc("Satisfaction Survey", survey.name)
	assert stored.status == "Responded"
	assert stored.responded_on
	assert [row.answer for row in stored.answers] == ["4", "5", "8", "No", "ok"]
	assert stored.csat_percent == 100
	assert stored.nps_category == "Passive"


def test_submit_answers_refuses_a_question_of_another_survey():
	survey = make_survey()
	other = make_survey()
	answers = _by_name(survey, GOOD)
	answers[other.answers[0].name] = 1
	with pytest.raises(SurveyAnswerValidationError):
		submit_answers(survey.name, answers)
	assert frappe.db.get_value("Satisfaction Survey", survey.name, "status") == "Scheduled"
	assert frappe.db.get_value("Satisfaction Survey Answer", other.answers[0].name, "answer") is None


def test_submit_answers_refuses_bad_values():
	survey = make_survey()
	with pytest.raises(SurveyAnswerValidationError):
		submit_answers(survey.name, _by_name(survey, [5, 4, 11, "Yes", ""]))
	with pytest.raises(SurveyAnswerValidationError):
		submit_answers(survey.name, _by_name(survey, [5, 4, None, "Yes", ""]))


def test_submit_answers_only_once():
	survey = make_survey()
	submit_answers(survey.name, _by_name(survey, GOOD))
	with pytest.raises(SurveyClosedError):
		submit_answers(survey.name, _by_name(survey, [1, 1, 0, "No", "changed my mind"]))
	assert frappe.db.get_value("Satisfaction Survey Answer", survey.answers[0].name, "answer") == "5"


@pytest.mark.parametrize("status", ["Expired", "Cancelled"])
def test_submit_answers_refuses_closed_surveys(status):
	survey = make_survey(status=status)
	with pytest.raises(SurveyClosedError):
		submit_answers(survey.name, _by_name(survey, GOOD))


def test_submit_answers_refuses_after_expiry():
	sent = add_to_date(now_datetime(), days=-20)
	survey = make_survey(status="Sent", sent_on=sent, expires_on=add_to_date(sent, days=14))
	with pytest.raises(SurveyClosedError):
		submit_answers(survey.name, _by_name(survey, GOOD))


def test_submit_answers_checks_permissions_unless_told_otherwise():
	survey = make_survey()
	outsider = make_user(f"{uid('outsider')}@example.com", ())
	with as_user(outsider), pytest.raises(frappe.PermissionError):
		submit_answers(survey.name, _by_name(survey, GOOD))
	assert frappe.db.get_value("Satisfaction Survey", survey.name, "status") == "Scheduled"
	with as_user("Guest"):
		submit_answers(survey.name, _by_name(survey, GOOD), ignore_permissions=True)
	assert frappe.db.get_value("Satisfaction Survey", survey.name, "status") == "Responded"
