"""docs/security.md case 10: submit with a valid token but another survey's name in the body → ignored; the
response binds only to the token's survey.

Over HTTP on a real server, as an anonymous respondent."""

import frappe
import pytest

from tests.support.security import GOOD, LOW, answers_for, new_link, post, refresh, survey_customer
from tests.support.survey_mail import token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

SURVEY = "Satisfaction Survey"


@pytest.fixture(scope="module")
def customer(committed, survey_settings):
	return survey_customer(committed, "brm-sec-c10-rm@example.com")


@pytest.fixture(autouse=True)
def _limits(fresh_limits):
	yield


def test_another_surveys_name_in_the_body_is_ignored(server, committed, customer):
	mine, my_link = new_link(committed, customer)
	other, _other_link = new_link(committed, customer)

	response = post(
		server,
		token_of(my_link),
		answers_for(mine, LOW),
		name=other,
		survey=other,
		survey_name=other,
		docname=other,
		doctype="Customer",
	)
	assert response.status_code == 200, response.text

	refresh()
	assert frappe.db.get_value(SURVEY, mine, "status") == "Responded"
	assert frappe.db.get_value(SURVEY, mine, "csat_percent") == 0
	assert frappe.db.get_value(SURVEY, other, ["status", "responded_on"]) == ("Sent", None)


def test_answers_keyed_by_another_surveys_questions_are_refused(server, committed, customer):
	mine, my_link = new_link(committed, customer)
	other, _other_link = new_link(committed, customer)
	response = post(server, token_of(my_link), answers_for(other, GOOD))
	assert response.status_code == 417
	refresh()
	assert frappe.db.get_value(SURVEY, other, "status") == "Sent"
	assert frappe.db.get_value(SURVEY, mine, "status") == "Sent"  # and the link still works
	assert post(server, token_of(my_link), answers_for(mine, GOOD)).status_code == 200
	refresh()
	assert frappe.db.get_value(SURVEY, other, "status") == "Sent"
