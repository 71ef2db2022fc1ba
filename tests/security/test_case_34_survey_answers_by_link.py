"""docs/security.md case 34: the invitation's one-click answers and the respondent's draft (issue 18 item 8;
docs/rhythm-surveys.md).

- a GET of a one-click link (what a mail scanner does) records nothing: the survey stays unanswered, no
  draft, no channel; only the confirming POST stores the answer, with its channel;
- the draft is saved by a guest POST with the token only, shown again on the next visit, never answers
  the survey, and is refused (410) for a used or unknown link;
- the survey page is the survey alone under the provider's name: no website navigation, login link,
  footer or newsletter sign-up.

Over HTTP on a real server, as anonymous respondents."""

import frappe
import pytest
import requests

from brm_app.notifications.mail import sender_name
from tests.support.security import (
	GOOD,
	JSON_HEADERS,
	SURVEY,
	answers_for,
	new_link,
	post,
	random_address,
	refresh,
	survey_customer_fixture,
)
from tests.support.survey_mail import choice_links, path_of, token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures
pytestmark = pytest.mark.usefixtures("fresh_limits")

DRAFT = "/api/method/brm_app.api.survey.save_draft"

customer = survey_customer_fixture("brm-sec-c34-rm@example.com")


def save_draft(server, token, answers):
	return requests.post(
		server.url + DRAFT,
		json={"token": token, "answers": answers},
		headers={**JSON_HEADERS, "X-Forwarded-For": random_address()},
		timeout=60,
	)


def unanswered(survey):
	refresh()
	row = frappe.db.get_value(
		SURVEY, survey, ["status", "responded_on", "response_channel", "draft_answers"], as_dict=True
	)
	answers = frappe.get_all(
		"Satisfaction Survey Answer", filters={"parent": survey, "answer": ("is", "set")}, pluck="name"
	)
	return row.status == "Sent" and not (
		row.responded_on or row.response_channel or row.draft_answers or answers
	)


def test_one_click_get_records_nothing_and_the_confirm_post_does(server, committed, customer):
	survey, link = new_link(committed, customer)
	four = next(c for c in choice_links(survey) if c.endswith("choice=4"))
	for _ in range(2):  # a scanner, then the respondent
		page = requests.get(server.url + path_of(four), timeout=30)
		assert page.status_code == 200
	assert 'value="4" checked' in page.text
	assert 'id="brm-confirm"' in page.text
	assert '"channel": "email_button"' in page.text
	assert unanswered(survey)

	response = post(server, token_of(link), answers_for(survey, GOOD), channel="email_button")
	assert response.status_code == 200, response.text
	refresh()
	assert frappe.db.get_value(SURVEY, survey, ["status", "response_channel"]) == (
		"Responded",
		"E-mail Button",
	)
	assert frappe.db.get_value(SURVEY, survey, "csat_percent") == 100


def test_the_page_is_the_survey_alone(server, committed, customer):
	_survey, link = new_link(committed, customer)
	page = requests.get(server.url + path_of(link), timeout=30)
	assert page.status_code == 200
	text = page.text
	assert 'id="brm-survey-form"' in text
	assert 'class="brm-provider-name"' in text and frappe.utils.escape_html(sender_name()) in text
	assert '"channel": "survey_link"' in text
	for markup in (
		'class="navbar',
		"web-footer",
		'href="/login"',
		"/login?",
		"newsletter",
		"footer-subscribe",
	):
		assert markup not in text, markup


def test_draft_kept_restored_never_an_answer_and_refused_once_used(server, committed, customer):
	survey, link = new_link(committed, customer)
	token = token_of(link)
	first, *_rest = answers_for(survey, GOOD)
	saved = save_draft(server, token, {first: 2})
	assert saved.status_code == 200, saved.text
	refresh()
	assert frappe.db.get_value(SURVEY, survey, ["status", "responded_on"]) == ("Sent", None)
	page = requests.get(server.url + path_of(link), timeout=30)
	assert 'value="2" checked' in page.text

	assert post(server, token, answers_for(survey, GOOD)).status_code == 200
	refresh()
	assert frappe.db.get_value(SURVEY, survey, ["draft_answers", "response_channel"]) == (None, "Survey Link")
	assert save_draft(server, token, {first: 1}).status_code == 410
	assert save_draft(server, "x" * 43, {first: 1}).status_code == 410
	refresh()
	assert frappe.db.get_value(SURVEY, survey, "draft_answers") is None


def test_draft_refuses_questions_of_another_survey(server, committed, customer):
	survey, link = new_link(committed, customer)
	other, _other_link = new_link(committed, customer)
	(foreign, *_rest) = answers_for(other, GOOD)
	assert save_draft(server, token_of(link), {foreign: 3}).status_code == 417
	assert unanswered(survey) and unanswered(other)
