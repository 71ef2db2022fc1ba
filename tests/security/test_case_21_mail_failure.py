"""docs/security.md case 21: outgoing mail fails → the survey stays retryable, its link still works after a
resend, no duplicate invitations.

The invitation is queued by the send job; delivering it fails because the outgoing mail server refuses the
connection (frappe's Email Queue, run as its worker runs it: its own connection, committing), up to frappe's
retry limit. Over HTTP on a real server: the link still opens the survey, the relationship manager resends
the invitation, which carries the same link, and the respondent answers through it; the send job never
sends a second invitation; a survey answered cannot be resent."""

import frappe
import pytest
import requests
from frappe.email.doctype.email_queue.email_queue import EmailQueue, get_email_retry_limit

from brm_app.jobs import surveys as jobs
from tests.support.live_server import free_port
from tests.support.security import (
	GOOD,
	SURVEY,
	HttpUser,
	answers_for,
	exc_type,
	http_user,
	new_link,
	post,
	refresh,
	run_in_threads,
	survey_customer,
)
from tests.support.survey_mail import path_of, queued_mails, survey_links, token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures
pytestmark = pytest.mark.usefixtures("fresh_limits")  # empty rate-limit counters around each test

RM = "brm-sec-c21-rm@example.com"


@pytest.fixture(scope="module")
def customer(committed, survey_settings):
	customer = survey_customer(committed, RM)
	http_user(committed, RM, ("Business Relationship Manager",))
	# the module's outgoing account points at a port nobody listens on: every delivery fails
	for doctype, name in committed.records:
		if doctype == "Email Account":
			frappe.db.set_value(doctype, name, "smtp_port", free_port())
	committed.commit()
	yield customer
	frappe.db.rollback()
	for log in frappe.get_all(
		"Notification Log", filters={"creation": (">=", committed.started), "for_user": "Administrator"}
	):
		committed.add("Notification Log", log.name)


def deliver(queue: str) -> str:
	"""One delivery attempt of a queued e-mail, as frappe's worker makes it; returns the queue's status."""
	(attempt,) = run_in_threads([("Administrator", lambda: EmailQueue.find(queue).send())])
	# the worker's job fails with the SMTP error, after frappe has recorded the attempt on the queue row
	assert not attempt.ok and "Outgoing Mail Server" in str(attempt.error), attempt
	refresh()
	return frappe.db.get_value("Email Queue", queue, "status")


def test_a_failed_delivery_leaves_the_survey_retryable_and_its_resent_link_works(server, committed, customer):
	survey, link = new_link(committed, customer)
	(invitation,) = queued_mails(survey)

	statuses = [deliver(invitation.name) for _ in range(get_email_retry_limit() + 1)]
	assert statuses[:-1] == ["Not Sent"] * get_email_retry_limit()  # frappe retries it ...
	assert statuses[-1] == "Error"  # ... until its limit
	assert frappe.db.get_value("Email Queue", invitation.name, "error")  # the SMTP failure, kept

	# the survey is still open and its link works
	assert frappe.db.get_value(SURVEY, survey, "status") == "Sent"
	assert requests.get(server.url + path_of(link), timeout=30).status_code == 200
	# the send job does not send a second invitation on its own
	jobs.send_due_surveys()
	frappe.db.rollback()
	assert len(queued_mails(survey)) == 1

	# the relationship manager resends it: the same link, which then works
	resent = HttpUser(server, RM).call("brm_app.api.survey.resend_invitation", name=survey)
	assert resent.status_code == 200, resent.text
	refresh()
	committed.add_related(SURVEY, survey)
	assert [token_of(sent) for sent in survey_links(survey)] == [token_of(link)] * 2
	assert frappe.db.get_value(SURVEY, survey, "status") == "Sent"
	assert post(server, token_of(link), answers_for(survey, GOOD)).status_code == 200
	refresh()
	assert frappe.db.get_value(SURVEY, survey, "status") == "Responded"


def test_an_answered_survey_cannot_be_resent(server, committed, customer):
	survey, link = new_link(committed, customer)
	assert post(server, token_of(link), answers_for(survey, GOOD)).status_code == 200
	response = HttpUser(server, RM).call("brm_app.api.survey.resend_invitation", name=survey)
	assert response.status_code == 417, response.text
	assert exc_type(response) == "SurveyMailError"
	refresh()
	assert len(queued_mails(survey)) == 1


def test_a_failed_delivery_is_retried_by_the_queue_not_by_a_second_invitation(server, committed, customer):
	survey, _link = new_link(committed, customer)
	(invitation,) = queued_mails(survey)
	assert deliver(invitation.name) == "Not Sent"
	assert frappe.db.get_value("Email Queue", invitation.name, "retry") == 1
	for run in (jobs.send_due_surveys, jobs.send_reminders, jobs.expire_surveys):
		run()
	frappe.db.rollback()
	assert [mail.name for mail in queued_mails(survey)] == [invitation.name]
	assert frappe.db.get_value(SURVEY, survey, "status") == "Sent"
