"""The public survey page in a real headless Chromium (Debian's chromium + chromium-driver, via selenium;
nothing is downloaded): open the e-mailed link, get told about unanswered questions, answer, submit, and be
thanked. Screenshots go to artifacts/e2e/survey_english/ (git-ignored).

The browser, the live server and the clean-up of committed records come from tests/e2e/conftest.py; the
server sees only committed data, so the test commits what it makes (deleted again at the end).
"""

import frappe
import pytest
from frappe.utils import add_to_date, now_datetime
from selenium.webdriver.common.by import By

from brm_app.jobs import surveys as jobs
from brm_app.links import throttle
from tests.support.browser import tap_answer
from tests.support.factories import make_contact, make_email_account, make_issue, make_portfolio, mute_mail
from tests.support.survey_mail import path_of, survey_links

SURVEY = "Satisfaction Survey"
TALL_PHONE = (390, 1400)  # a phone's width, tall enough for the whole form in one screenshot


@pytest.fixture
def survey_link(site, committed):
	"""A survey sent for a closed Issue (committed): (survey name, e-mailed link)."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	mute_mail(account=False)
	committed.add("Email Account", make_email_account().name)
	portfolio = make_portfolio()
	committed.add("Customer", portfolio.customer)
	committed.add("Customer Portfolio", portfolio.name)
	contact = make_contact(portfolio.customer)
	committed.add("Contact", contact.name)
	issue = make_issue(portfolio.customer, contact, subject="VPN drops every hour")
	committed.add("Issue", issue.name)
	issue.status = "Closed"
	issue.save(ignore_permissions=True)
	survey = frappe.get_all(SURVEY, filters={"reference_name": issue.name}, pluck="name")[0]
	committed.add(SURVEY, survey)
	frappe.db.set_value(SURVEY, survey, "scheduled_for", add_to_date(now_datetime(), minutes=-1))
	jobs.send_due_surveys()
	committed.add_related(SURVEY, survey)
	committed.add_related("Issue", issue.name)
	committed.commit()
	throttle.reset()
	(link,) = survey_links(survey)
	yield survey, link
	frappe.db.rollback()


def test_a_respondent_answers_the_survey_in_a_real_browser(open_browser, survey_link):
	survey, link = survey_link
	phone = open_browser("survey_english", size=TALL_PHONE, desk=False)
	phone.get(path_of(link))
	form = phone.visible("#brm-survey-form")
	questions = form.find_elements(By.CSS_SELECTOR, "fieldset.brm-question")
	assert len(questions) == 5
	assert "How satisfied are you with how your request was handled?" in questions[0].text

	# submitting with nothing answered: the browser says which questions need an answer, nothing is sent
	form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
	assert "is-invalid" in questions[0].get_attribute("class")
	assert questions[0].find_element(By.CSS_SELECTOR, ".brm-error").text == "Please answer this question."
	assert "is-invalid" not in questions[4].get_attribute("class")  # the text question is optional

	tap_answer(questions[0], "4")
	tap_answer(questions[1], "2")
	tap_answer(questions[2], "6")
	tap_answer(questions[3], "No")
	questions[4].find_element(By.TAG_NAME, "textarea").send_keys("It took <b>three</b> calls {{ 7*7 }}")
	assert "is-invalid" not in questions[0].get_attribute("class")
	phone.shot("survey_form_mobile")

	form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
	thanks = phone.visible("#brm-survey-thanks")
	assert "Thank you" in thanks.text
	assert not form.is_displayed()
	shot = phone.shot("survey_thanks_mobile")

	frappe.db.rollback()  # see what the server committed
	stored = frappe.get_doc(SURVEY, survey)
	assert stored.status == "Responded"
	assert [row.answer for row in stored.answers][:4] == ["4", "2", "6", "No"]
	assert stored.nps_category == "Detractor"
	assert "{{ 7*7 }}" in stored.answers[4].answer

	# the link is used up: opening it again says so
	phone.get(path_of(link))
	closed = phone.visible("#brm-survey-closed")
	assert "expired or has already been used" in closed.text
	assert shot.stat().st_size > 10_000
