"""docs/security.md case 13: extra fields in the request (`customer`, `owner`, `docstatus`, `csat=99`) →
ignored.

Over HTTP on a real server, as an anonymous respondent: in the JSON body, as form fields, and inside the
answers themselves."""

import frappe
import pytest
import requests

from tests.support.factories import make_portfolio
from tests.support.security import (
	GOOD,
	JSON_HEADERS,
	LOW,
	SUBMIT,
	SURVEY,
	answers_for,
	new_link,
	post,
	random_address,
	refresh,
	survey_customer_fixture,
)
from tests.support.survey_mail import token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures
pytestmark = pytest.mark.usefixtures("fresh_limits")  # empty rate-limit counters around each test

PROTECTED = ("customer", "owner", "docstatus", "csat_percent", "nps_score", "needs_follow_up", "status")


customer = survey_customer_fixture("brm-sec-c13-rm@example.com")


@pytest.fixture(scope="module")
def other_customer(committed, customer):
	portfolio = make_portfolio()
	committed.add("Customer", portfolio.customer)
	committed.add("Customer Portfolio", portfolio.name)
	committed.commit()
	return portfolio.customer


EXTRA = {
	"owner": "attacker@example.com",
	"modified_by": "attacker@example.com",
	"docstatus": 1,
	"csat": 99,
	"csat_percent": 99,
	"nps_score": 10,
	"nps_category": "Promoter",
	"needs_follow_up": 0,
	"status": "Expired",
	"respondent_language": "xx",
	"email": "attacker@example.com",
	"cmd": "frappe.ping",  # frappe's old RPC style would run this instead of the endpoint
}


def stored(survey):
	refresh()
	return frappe.get_doc(SURVEY, survey)


def test_extra_fields_in_the_json_body_are_ignored(server, committed, customer, other_customer):
	survey, link = new_link(committed, customer)
	before = frappe.db.get_value(SURVEY, survey, ["owner", "email", "respondent_language"], as_dict=True)
	response = post(server, token_of(link), answers_for(survey, LOW), customer=other_customer, **EXTRA)
	assert response.status_code == 200, response.text

	doc = stored(survey)
	assert (doc.status, doc.customer, doc.docstatus) == ("Responded", customer, 0)
	assert (doc.owner, doc.email, doc.respondent_language) == (
		before.owner,
		before.email,
		before.respondent_language,
	)
	assert doc.csat_percent == 0  # computed on the server from the answers, not the 99 sent
	assert (doc.nps_score, doc.nps_category) == (3, "Detractor")
	assert doc.needs_follow_up


def test_extra_fields_as_form_fields_are_ignored(server, committed, customer, other_customer):
	survey, link = new_link(committed, customer)
	response = requests.post(
		server.url + SUBMIT,
		data={
			"token": token_of(link),
			"answers": frappe.as_json(answers_for(survey, GOOD)),
			"customer": other_customer,
			**EXTRA,
		},
		headers={**JSON_HEADERS, "X-Forwarded-For": random_address()},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	doc = stored(survey)
	assert (doc.status, doc.customer, doc.docstatus, doc.csat_percent) == ("Responded", customer, 0, 100)
	assert doc.nps_category == "Promoter"  # from the answer 10, as sent in the answers


def test_fields_smuggled_into_the_answers_are_refused_and_change_nothing(server, committed, customer):
	survey, link = new_link(committed, customer)
	answers = {**answers_for(survey, GOOD), **dict.fromkeys(PROTECTED, "x"), "csat": 99}
	response = post(server, token_of(link), answers)
	assert response.status_code == 417, response.text  # keys that are no question of this survey
	doc = stored(survey)
	assert (doc.status, doc.customer, doc.docstatus, doc.responded_on) == ("Sent", customer, 0, None)
	assert post(server, token_of(link), answers_for(survey, GOOD)).status_code == 200
