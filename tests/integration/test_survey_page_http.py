"""The public survey page through frappe's HTTP layer, on a real server on loopback (issue 5): the whole
loop from a closed Issue to the follow-up ToDo, the respondent's language, a page fit for phones.

What the page and its endpoint must withstand (docs/security.md cases 8, 10-15) is tested case by case in
tests/security/, with the same helpers (tests.support.security).

The server is another process and only sees committed data, so this module commits what it makes and
deletes it again at the end (tests.support.live_server.Committed). One server for the whole module."""

import frappe
import pytest
import requests
from frappe.utils import add_to_date, now_datetime

from brm_app.jobs import surveys as jobs
from tests.support.factories import make_contact, make_issue
from tests.support.security import LOW, answers_for, muted_mail, new_link, post, refresh, survey_customer
from tests.support.survey_mail import path_of, queued_mails, survey_links, token_of

pytest_plugins = ["tests.support.security"]  # committed, server, survey_settings, fresh_limits

SURVEY = "Satisfaction Survey"
RM = "brm-h5-http-rm@example.com"


@pytest.fixture(scope="module")
def customer(committed, survey_settings):
	"""A customer with a portfolio (relationship manager RM), an outgoing e-mail account, committed."""
	from frappe.translate import clear_cache as clear_translation_cache

	clear_translation_cache()
	return survey_customer(committed, RM)


@pytest.fixture(autouse=True)
def muted(db, customer, fresh_limits):
	muted_mail()


# --- the whole loop ------------------------------------------------------------------------------------


def test_the_whole_loop_from_a_closed_ticket_to_a_follow_up(server, committed, customer):
	# close an Issue -> a survey is scheduled
	contact = frappe.get_doc("Contact", committed.add("Contact", make_contact(customer).name))
	issue = make_issue(customer, contact, subject="Printer on floor 3 is jammed")
	committed.add("Issue", issue.name)
	issue.status = "Closed"
	issue.save(ignore_permissions=True)
	(survey,) = frappe.get_all(
		SURVEY,
		filters={"reference_doctype": "Issue", "reference_name": issue.name},
		fields=["name", "status"],
	)
	committed.add(SURVEY, survey.name)
	assert survey.status == "Scheduled"

	# the job sends it: an e-mail with a working link is queued
	frappe.db.set_value(SURVEY, survey.name, "scheduled_for", add_to_date(now_datetime(), minutes=-1))
	assert jobs.send_due_surveys() >= 1
	committed.add_related(SURVEY, survey.name)
	committed.commit()
	(mail,) = queued_mails(survey.name)
	assert mail.recipients == [contact.email_id]
	assert "Printer on floor 3 is jammed" in mail.html
	(link,) = survey_links(survey.name)

	# the respondent opens the link (no login) ...
	page = requests.get(server.url + path_of(link), timeout=30)
	assert page.status_code == 200
	assert 'id="brm-survey-form"' in page.text
	assert "How satisfied are you with how your request was handled?" in page.text
	assert "/login" not in page.url

	# ... and answers through the endpoint
	response = post(server, token_of(link), answers_for(survey.name, LOW))
	assert response.status_code == 200, response.text
	assert response.json()["message"]["message"]

	refresh()
	stored = frappe.get_doc(SURVEY, survey.name)
	assert stored.status == "Responded"
	assert stored.csat_percent == 0
	assert stored.nps_category == "Detractor"
	assert stored.needs_follow_up
	todo = frappe.get_doc("ToDo", stored.follow_up)
	committed.add("ToDo", todo.name)
	assert todo.allocated_to == RM
	assert todo.reference_name == survey.name


def test_the_page_speaks_the_respondents_language(server, committed, customer):
	_survey, link = new_link(committed, customer, language="id")
	page = requests.get(server.url + path_of(link), timeout=30)
	assert page.status_code == 200
	assert "Seberapa puas Anda dengan penanganan permintaan Anda?" in page.text
	assert "Survei Kepuasan" in page.text
	assert ">Kirim<" in page.text


def test_the_page_is_mobile_ready_and_validates_on_the_client(server, committed, customer):
	_survey, link = new_link(committed, customer)
	page = requests.get(server.url + path_of(link), timeout=30).text
	assert 'name="viewport"' in page
	assert "@media (max-width: 480px)" in page
	assert 'data-mandatory="1"' in page and "messages.required" in page  # client-side required check
	assert 'name="referrer" content="no-referrer"' in page  # the token does not leak to other sites
