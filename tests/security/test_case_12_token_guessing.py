"""docs/security.md case 12: guess tokens (1,000 random tries, rotating X-Forwarded-For) → HTTP 429; the same
error and timing for unknown, used and expired tokens; tokens ≥ 128 bits of randomness, stored hashed,
compared in constant time. The guessing client's failure budget is its own (case 29): a valid link still
answers.

Over HTTP on a real server, as anonymous clients. (That the hashes are compared with hmac.compare_digest on
every path, a row found or not, is checked in tests/integration/test_survey_lifecycle.py.)"""

import hashlib
import re
import secrets
import statistics
import time

import frappe
import pytest
import requests
from frappe.utils import add_days, now_datetime

from brm_app.links import throttle
from brm_app.surveys import tokens
from brm_app.surveys.submission import link_unusable_message
from tests.support.security import (
	GOOD,
	JSON_HEADERS,
	SUBMIT,
	SURVEY,
	answers_for,
	new_link,
	post,
	server_message,
	survey_customer_fixture,
)
from tests.support.survey_mail import path_of, token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures
pytestmark = pytest.mark.usefixtures("fresh_limits")  # empty rate-limit counters around each test


customer = survey_customer_fixture("brm-sec-c12-rm@example.com")


def test_tokens_are_random_enough_and_stored_only_hashed(server, committed, customer):
	survey, link = new_link(committed, customer)
	token = token_of(link)
	# URL-safe base64 of the random bytes: 6 bits a character
	assert re.fullmatch(r"[A-Za-z0-9_-]+", token) and len(token) * 6 >= 128
	assert tokens.TOKEN_BYTES * 8 >= 128
	row = frappe.db.sql(f"select * from `tab{SURVEY}` where name = %s", survey, as_dict=True)[0]
	assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
	assert token not in {str(value) for value in row.values()}
	# the copy kept for reminders is encrypted with the site key, not the token itself
	kept = frappe.db.sql("select password from `__Auth` where doctype = %s and name = %s", (SURVEY, survey))
	assert kept and token not in kept[0][0]
	# two links never share a token
	_other, other_link = new_link(committed, customer)
	assert token_of(other_link) != token


def test_unknown_used_and_expired_links_get_the_same_answer(server, committed, customer):
	used, used_link = new_link(committed, customer)
	assert post(server, token_of(used_link), answers_for(used, GOOD)).status_code == 200
	expired, expired_link = new_link(committed, customer)
	frappe.db.set_value(SURVEY, expired, "expires_on", add_days(now_datetime(), -1))
	committed.commit()
	links = {
		"unknown": secrets.token_urlsafe(32),
		"used": token_of(used_link),
		"expired": token_of(expired_link),
	}

	pages, posts, timings = {}, {}, {}
	for kind, token in links.items():
		page = requests.get(f"{server.url}/survey?token={token}", timeout=30)
		closed = re.search(r'<div class="brm-notice" id="brm-survey-closed".*?</div>', page.text, re.S)
		pages[kind] = (page.status_code, closed.group(0) if closed else page.text)
		response = post(server, token, {})
		posts[kind] = (response.status_code, server_message(response), response.json().get("exc_type"))
		durations = []
		for _ in range(9):
			started = time.perf_counter()
			post(server, token, {})
			durations.append(time.perf_counter() - started)
		timings[kind] = statistics.median(durations)

	assert len(set(pages.values())) == 1, pages
	assert pages["unknown"][0] == 410
	assert len(set(posts.values())) == 1, posts
	assert posts["unknown"] == (410, link_unusable_message(), "SurveyLinkError")
	fastest, slowest = min(timings.values()), max(timings.values())
	assert slowest - fastest < 0.05 or slowest < 2 * fastest, timings


def window() -> int:
	return int(time.time()) // throttle.WINDOW_SECONDS


def at_least_left_in_the_window(seconds: float) -> int:
	"""Wait, if need be, for a budget window with at least `seconds` left (the counters start afresh at
	each window): the test then runs inside one window, and asserts that it did. Returns the window."""
	left = throttle.WINDOW_SECONDS - time.time() % throttle.WINDOW_SECONDS
	if left < seconds:
		time.sleep(left + 1)
	throttle.reset()
	return window()


def test_one_client_gets_429_once_its_failure_budget_is_spent(server):
	started = at_least_left_in_the_window(120)
	address = {"X-Forwarded-For": "198.51.100.7"}
	limit = throttle.CLIENT_FAILURE_LIMIT
	codes = [
		post(server, secrets.token_urlsafe(32), {}, headers=address).status_code for _ in range(limit + 2)
	]
	assert window() == started, "the test outlived its budget window: give it more time"
	assert codes == [410] * limit + [429, 429]


def test_guessing_tokens_while_rotating_x_forwarded_for_gets_429(server, committed, customer):
	survey, link = new_link(committed, customer)
	session = requests.Session()
	started = at_least_left_in_the_window(240)  # 1,000 requests take about a minute on the CI machine
	sent = []  # (window, status): the guard's budget is per fixed window of time
	for n in range(1000):
		forwarded = f"203.0.{n // 250}.{n % 250 + 1}"  # a new claimed address every time
		response = session.post(
			server.url + SUBMIT,
			json={"token": secrets.token_urlsafe(32), "answers": {}},
			headers={**JSON_HEADERS, "X-Forwarded-For": forwarded},
			timeout=30,
		)
		sent.append((window(), response.status_code))
	assert {w for w, _code in sent} == {started}, "the guesses outlived their budget window"
	codes = [code for _window, code in sent]
	# one client whatever the header claims: its budget of failures, then only 429
	limit = throttle.CLIENT_FAILURE_LIMIT
	assert codes == [410] * limit + [429] * (1000 - limit)
	# the guesses never locked the real link out (case 29): it opens and is accepted
	page = requests.get(server.url + path_of(link), timeout=30)
	assert page.status_code == 200
	hit = session.post(
		server.url + SUBMIT,
		json={"token": token_of(link), "answers": answers_for(survey, GOOD)},
		headers={**JSON_HEADERS, "X-Forwarded-For": "192.0.2.99"},
		timeout=30,
	)
	assert hit.status_code == 200, hit.text
