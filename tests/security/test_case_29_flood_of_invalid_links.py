"""Threat model case 29: a flood of invalid survey links from any number of claimed addresses → a valid link
still works.

Before, failed token lookups counted against one budget for the whole site, checked before the lookup: 100
random tokens, each with another X-Forwarded-For, made every link answer 429 for the rest of the
10-minute window. Now the token is looked up first (a valid link always answers) and failures count per
real client address, which is the socket peer unless the peer is a proxy declared in the site config key
`brm_trusted_proxies` (README "Survey links behind a reverse proxy"); then it is the right-most forwarded
address that is not a declared proxy. Over HTTP on a real server, as anonymous clients.
"""

import secrets
import time

import frappe
import pytest
import requests
from frappe.installer import update_site_config

from brm_app.links import throttle
from tests.support.security import GOOD, JSON_HEADERS, SUBMIT, answers_for, new_link, survey_customer_fixture
from tests.support.survey_mail import path_of, token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures
pytestmark = pytest.mark.usefixtures("fresh_limits")  # empty rate-limit counters around each test

customer = survey_customer_fixture("brm-sec-c29-rm@example.com")
FLOOD = throttle.CLIENT_FAILURE_LIMIT + 20


def fresh_window(seconds_needed: float = 120) -> None:
	"""Wait for a new budget window when the current one ends too soon for the test to run inside it."""
	left = throttle.WINDOW_SECONDS - time.time() % throttle.WINDOW_SECONDS
	if left < seconds_needed:
		time.sleep(left + 1)
	throttle.reset()


def submit(server, token, answers, forwarded: str) -> requests.Response:
	return requests.post(
		server.url + SUBMIT,
		json={"token": token, "answers": answers},
		headers={**JSON_HEADERS, "X-Forwarded-For": forwarded},
		timeout=60,
	)


@pytest.fixture
def trusted_loopback(site):
	"""The live server (on loopback) stands behind a declared reverse proxy at 127.0.0.1."""
	update_site_config(throttle.TRUSTED_PROXIES_KEY, ["127.0.0.1"])
	yield
	update_site_config(throttle.TRUSTED_PROXIES_KEY, "None")


def test_a_valid_link_works_after_a_flood_with_rotating_forwarded_addresses(server, committed, customer):
	survey, link = new_link(committed, customer)
	fresh_window()
	codes = [
		submit(server, secrets.token_urlsafe(32), {}, f"203.0.{n // 250}.{n % 250 + 1}").status_code
		for n in range(FLOOD)
	]
	# the forwarded addresses are not trusted: one client (the peer), whose failure budget runs out
	assert codes == [410] * throttle.CLIENT_FAILURE_LIMIT + [429] * (FLOOD - throttle.CLIENT_FAILURE_LIMIT)
	unknown_page = requests.get(f"{server.url}/survey?token={secrets.token_urlsafe(32)}", timeout=30)
	assert unknown_page.status_code == 429

	# the same client's valid link still opens and is accepted
	page = requests.get(server.url + path_of(link), headers={"X-Forwarded-For": "203.0.9.9"}, timeout=30)
	assert page.status_code == 200, page.text[:500]
	assert '<form id="brm-survey-form"' in page.text
	accepted = submit(server, token_of(link), answers_for(survey, GOOD), "203.0.9.10")
	assert accepted.status_code == 200, accepted.text
	frappe.db.rollback()
	assert frappe.db.get_value("Satisfaction Survey", survey, "status") == "Responded"


def test_behind_a_declared_proxy_each_real_client_has_its_own_budget(
	server, committed, customer, trusted_loopback
):
	survey, link = new_link(committed, customer)
	fresh_window()
	# the flooding client forges entries on the left; the proxy appends the address it saw (203.0.113.9)
	codes = [
		submit(
			server, secrets.token_urlsafe(32), {}, f"198.18.{n % 250}.{n % 200 + 1}, 203.0.113.9"
		).status_code
		for n in range(FLOOD)
	]
	assert codes == [410] * throttle.CLIENT_FAILURE_LIMIT + [429] * (FLOOD - throttle.CLIENT_FAILURE_LIMIT)
	# another respondent mistyping a link is not hit by the flood
	other = submit(server, secrets.token_urlsafe(32), {}, "198.51.100.20")
	assert other.status_code == 410, other.text
	# and a valid link, even the flooding client's own, answers
	accepted = submit(server, token_of(link), answers_for(survey, GOOD), "192.0.2.1, 203.0.113.9")
	assert accepted.status_code == 200, accepted.text
	frappe.db.rollback()
	assert frappe.db.get_value("Satisfaction Survey", survey, "status") == "Responded"


def test_forwarded_addresses_count_only_from_declared_proxies(server, committed, customer, trusted_loopback):
	"""With loopback declared, the forwarded address is the client: a client that rotates it is many clients
	only because the declared proxy says so; without the declaration (test above) it is one."""
	fresh_window()
	rotating = [
		submit(server, secrets.token_urlsafe(32), {}, f"203.0.{n // 250}.{n % 250 + 1}").status_code
		for n in range(FLOOD)
	]
	assert rotating == [410] * FLOOD
	update_site_config(throttle.TRUSTED_PROXIES_KEY, ["10.9.9.9"])  # a proxy that is not the peer
	throttle.reset()
	undeclared = [
		submit(server, secrets.token_urlsafe(32), {}, f"203.0.{n // 250}.{n % 250 + 1}").status_code
		for n in range(FLOOD)
	]
	assert undeclared == [410] * throttle.CLIENT_FAILURE_LIMIT + [429] * (
		FLOOD - throttle.CLIENT_FAILURE_LIMIT
	)
