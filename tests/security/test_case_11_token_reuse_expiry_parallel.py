"""docs/security.md case 11: reuse a token, use it after expiry or cancellation, or fire two submissions in
parallel → exactly one response stored.

Over HTTP on a real (threaded) server, as anonymous respondents."""

import concurrent.futures
import html

import frappe
import pytest
import requests
from frappe.utils import add_to_date, now_datetime

from brm_app.surveys.submission import link_unusable_message
from tests.support.security import (
	GOOD,
	LOW,
	SURVEY,
	answers_for,
	new_link,
	post,
	refresh,
	server_message,
	survey_customer_fixture,
)
from tests.support.survey_mail import path_of, token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures
pytestmark = pytest.mark.usefixtures("fresh_limits")  # empty rate-limit counters around each test


customer = survey_customer_fixture("brm-sec-c11-rm@example.com")


def test_a_link_can_be_used_once(server, committed, customer):
	survey, link = new_link(committed, customer)
	assert post(server, token_of(link), answers_for(survey, GOOD)).status_code == 200
	again = post(server, token_of(link), answers_for(survey, LOW))
	assert again.status_code == 410
	assert server_message(again) == link_unusable_message()
	refresh()
	assert frappe.db.get_value(SURVEY, survey, "csat_percent") == 100  # the first answers stand
	assert frappe.db.count("Version", {"ref_doctype": SURVEY, "docname": survey}) == 1
	page = requests.get(server.url + path_of(link), timeout=30)
	assert page.status_code == 410
	assert html.escape(link_unusable_message(), quote=False) in page.text


def test_parallel_submissions_store_exactly_one_response(server, committed, customer):
	survey, link = new_link(committed, customer)
	token = token_of(link)
	variants = [[5, 5, 10, "Yes", f"attempt {n}"] for n in range(8)]

	bodies = [answers_for(survey, variant) for variant in variants]  # frappe stays in this thread

	with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
		responses = list(pool.map(lambda body: post(server, token, body), bodies))

	codes = sorted(r.status_code for r in responses)
	assert codes.count(200) == 1, codes
	assert set(codes) <= {200, 410, 417}  # the losers are refused, never half-written
	refresh()
	stored = frappe.get_doc(SURVEY, survey)
	winner = variants[[r.status_code for r in responses].index(200)]
	assert stored.status == "Responded"
	assert stored.answers[-1].answer == winner[-1]
	assert frappe.db.count("Version", {"ref_doctype": SURVEY, "docname": survey}) == 1  # one save


def test_an_expired_link_stores_nothing(server, committed, customer):
	survey, link = new_link(committed, customer)
	frappe.db.set_value(SURVEY, survey, "expires_on", add_to_date(now_datetime(), minutes=-1))
	committed.commit()
	response = post(server, token_of(link), answers_for(survey, GOOD))
	assert response.status_code == 410
	assert server_message(response) == link_unusable_message()
	refresh()
	assert frappe.db.get_value(SURVEY, survey, ["status", "responded_on"]) == ("Sent", None)


def test_a_cancelled_survey_link_stores_nothing(server, committed, customer):
	survey, link = new_link(committed, customer)
	frappe.db.set_value(SURVEY, survey, "status", "Cancelled")
	committed.commit()
	assert post(server, token_of(link), answers_for(survey, GOOD)).status_code == 410
	refresh()
	assert frappe.db.get_value(SURVEY, survey, ["status", "responded_on"]) == ("Cancelled", None)
