"""The public survey page in a real headless Chromium (Debian's chromium + chromium-driver, via selenium;
nothing is downloaded): open the e-mailed link, get told about unanswered questions, answer, submit, and be
thanked. Screenshots go to artifacts/ (git-ignored): survey_form_mobile.png and survey_thanks_mobile.png.

Like the HTTP tests, the server is a separate process on loopback and sees only committed data, so the
module commits what it makes and deletes it again at the end."""

import os
import shutil
from pathlib import Path

import frappe
import pytest
from frappe.utils import add_to_date, now_datetime
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from brm_app.surveys import guard, jobs
from tests.support.factories import make_contact, make_email_account, make_issue, make_portfolio, mute_mail
from tests.support.live_server import Committed, LiveServer
from tests.support.survey_mail import path_of, survey_links

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--no-first-run",
	"--window-size=390,1400",  # a phone's width
)
SURVEY = "Satisfaction Survey"


@pytest.fixture(scope="module")
def committed(site):
	tracker = Committed()
	yield tracker
	tracker.cleanup()


@pytest.fixture(scope="module")
def server(site, committed):
	live = LiveServer(site).start()
	yield live
	live.stop()


@pytest.fixture(scope="module")
def browser():
	# selenium must not try to fetch a driver or a browser: both come from Debian's packages
	os.environ.setdefault("SE_OFFLINE", "true")
	options = webdriver.ChromeOptions()
	options.binary_location = CHROMIUM
	for flag in CHROMIUM_FLAGS:
		options.add_argument(flag)
	driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
	driver.set_page_load_timeout(60)
	yield driver
	driver.quit()


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
	guard.reset()
	(link,) = survey_links(survey)
	yield survey, link
	frappe.db.rollback()


def choose(driver, fieldset, value: str) -> None:
	"""Tap the answer button labelled `value` in a question."""
	for label in fieldset.find_elements(By.CSS_SELECTOR, ".brm-scale label"):
		if label.find_element(By.TAG_NAME, "input").get_attribute("value") == value:
			label.click()
			return
	raise AssertionError(f"no answer {value!r}")


def test_a_respondent_answers_the_survey_in_a_real_browser(server, browser, survey_link):
	survey, link = survey_link
	ARTIFACTS.mkdir(exist_ok=True)
	browser.get(server.url + path_of(link))
	wait = WebDriverWait(browser, 20)
	form = wait.until(expected_conditions.visibility_of_element_located((By.ID, "brm-survey-form")))
	questions = form.find_elements(By.CSS_SELECTOR, "fieldset.brm-question")
	assert len(questions) == 5
	assert "How satisfied are you with how your request was handled?" in questions[0].text

	# submitting with nothing answered: the browser says which questions need an answer, nothing is sent
	form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
	assert "is-invalid" in questions[0].get_attribute("class")
	assert questions[0].find_element(By.CSS_SELECTOR, ".brm-error").text == "Please answer this question."
	assert "is-invalid" not in questions[4].get_attribute("class")  # the text question is optional

	choose(browser, questions[0], "4")
	choose(browser, questions[1], "2")
	choose(browser, questions[2], "6")
	choose(browser, questions[3], "No")
	questions[4].find_element(By.TAG_NAME, "textarea").send_keys("It took <b>three</b> calls {{ 7*7 }}")
	assert "is-invalid" not in questions[0].get_attribute("class")
	browser.save_screenshot(str(ARTIFACTS / "survey_form_mobile.png"))

	form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
	thanks = wait.until(expected_conditions.visibility_of_element_located((By.ID, "brm-survey-thanks")))
	assert "Thank you" in thanks.text
	assert not form.is_displayed()
	browser.save_screenshot(str(ARTIFACTS / "survey_thanks_mobile.png"))

	frappe.db.rollback()  # see what the server committed
	stored = frappe.get_doc(SURVEY, survey)
	assert stored.status == "Responded"
	assert [row.answer for row in stored.answers][:4] == ["4", "2", "6", "No"]
	assert stored.nps_category == "Detractor"
	assert "{{ 7*7 }}" in stored.answers[4].answer

	# the link is used up: opening it again says so
	browser.get(server.url + path_of(link))
	closed = wait.until(expected_conditions.visibility_of_element_located((By.ID, "brm-survey-closed")))
	assert "expired or has already been used" in closed.text
	assert (ARTIFACTS / "survey_thanks_mobile.png").stat().st_size > 10_000
