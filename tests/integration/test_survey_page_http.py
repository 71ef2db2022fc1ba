"""The public survey page and its endpoint through frappe's HTTP layer, on a real server on loopback
(issue 5; SECURITY.md cases 8, 10-14): the whole loop from a closed Issue to the follow-up ToDo, the
respondent's language, one response per token (also under parallel submissions), one answer for unknown,
used and expired links, extra fields ignored, escaping, POST only, and rate limiting that rotating
X-Forwarded-For does not get around.

The server is another process and only sees committed data, so this module commits what it makes and
deletes it again at the end (tests.support.live_server.Committed). One server for the whole module."""

import concurrent.futures
import html
import re
import secrets
import statistics
import time

import frappe
import pytest
import requests
from frappe.utils import add_days, add_to_date, now_datetime

from brm_app.surveys import guard, jobs
from brm_app.surveys.submission import link_unusable_message
from tests.support.factories import (
	make_contact,
	make_email_account,
	make_issue,
	make_portfolio,
	make_survey_template,
	mute_mail,
	set_brm_settings,
	uid,
)
from tests.support.live_server import Committed, LiveServer
from tests.support.survey_mail import path_of, queued_mails, survey_links, token_of
from tests.support.users import make_user

SURVEY = "Satisfaction Survey"
SUBMIT = "/api/method/brm_app.api.survey.submit"
RM = "brm-h5-http-rm@example.com"
JSON_HEADERS = {"Accept": "application/json"}


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
def customer(site, committed):
	"""A customer with a portfolio (relationship manager RM), an outgoing e-mail account, committed."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	from frappe.translate import clear_cache as clear_translation_cache

	clear_translation_cache()
	if not frappe.db.exists("User", RM):
		committed.add("User", make_user(RM, ("Business Relationship Manager",)))
	# no notification e-mail for the follow-up ToDo the server will make
	frappe.db.set_value("Notification Settings", RM, "enable_email_notifications", 0)
	committed.add("Email Account", make_email_account().name)
	portfolio = make_portfolio(relationship_manager=RM)
	committed.add("Customer", portfolio.customer)
	committed.add("Customer Portfolio", portfolio.name)
	committed.commit()
	return portfolio.customer


@pytest.fixture(autouse=True)
def muted(db, customer):
	mute_mail(account=False)  # the module's committed account is used


@pytest.fixture(autouse=True)
def fresh_limits(site):
	"""Each test starts with empty rate-limit counters (frappe's per-address ones and the survey guard)."""

	def reset():
		guard.reset()
		frappe.cache.delete_keys("rl:")

	reset()
	yield
	reset()


SETTINGS = {"survey_sampling_percent": 100, "contact_throttle_days": 30, "low_score_threshold": 60}


@pytest.fixture(scope="module", autouse=True)
def survey_settings(site, committed):
	"""The server reads committed settings: set the ones the module relies on, put the old ones back."""
	frappe.db.rollback()
	old = {field: frappe.db.get_single_value("BRM Settings", field) for field in SETTINGS}
	set_brm_settings(**SETTINGS)
	committed.commit()
	yield
	frappe.db.rollback()
	set_brm_settings(**old)
	committed.commit()


def new_link(committed, customer, language=None, template=None):
	"""Close an Issue, send its survey (in this process) and commit; returns (survey name, link)."""
	contact = committed.add("Contact", make_contact(customer).name)
	issue = make_issue(customer, frappe.get_doc("Contact", contact))
	committed.add("Issue", issue.name)
	issue.status = "Closed"
	issue.save(ignore_permissions=True)
	survey = frappe.get_all(SURVEY, filters={"reference_name": issue.name}, pluck="name")[0]
	committed.add(SURVEY, survey)
	updates = {"scheduled_for": add_to_date(now_datetime(), minutes=-1)}
	if language:
		updates["respondent_language"] = language
	if template:
		answers = frappe.get_doc(SURVEY, survey)
		answers.set("answers", [])
		answers.template = template
		answers.copy_template_questions()
		answers.save(ignore_permissions=True)
	frappe.db.set_value(SURVEY, survey, updates)
	jobs.send_due_surveys()
	committed.add_related(SURVEY, survey)
	committed.add_related("Issue", issue.name)
	committed.commit()
	(link,) = survey_links(survey)
	return survey, link


def answers_for(survey, values):
	rows = frappe.get_all(
		"Satisfaction Survey Answer",
		filters={"parent": survey, "parenttype": SURVEY},
		fields=["name"],
		order_by="idx asc",
	)
	return {row.name: value for row, value in zip(rows, values, strict=True)}


def post(server, token, answers, headers=None, **extra):
	"""POST to the endpoint; each call claims its own client address unless `headers` says otherwise,
	so frappe's per-address limit (20 an hour) only bites the test about it."""
	forwarded = {"X-Forwarded-For": f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"}
	return requests.post(
		server.url + SUBMIT,
		json={"token": token, "answers": answers, **extra},
		headers={**JSON_HEADERS, **forwarded, **(headers or {})},
		timeout=30,
	)


def server_message(response) -> str:
	messages = response.json().get("_server_messages")
	if not messages:
		return ""
	last = frappe.parse_json(frappe.parse_json(messages)[-1])
	return html.unescape(re.sub(r"<[^>]+>", "", last.get("message", "")))


def refresh():
	"""See what the server committed (end this connection's snapshot)."""
	frappe.db.rollback()


LOW = [1, 2, 3, "No", "Nobody called back"]
GOOD = [5, 4, 10, "Yes", ""]


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


# --- one response per link ------------------------------------------------------------------------------


def test_a_link_can_be_used_once(server, committed, customer):
	survey, link = new_link(committed, customer)
	assert post(server, token_of(link), answers_for(survey, GOOD)).status_code == 200
	again = post(server, token_of(link), answers_for(survey, LOW))
	assert again.status_code == 410
	refresh()
	assert frappe.db.get_value(SURVEY, survey, "csat_percent") == 100  # the first answers stand
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


def test_unknown_used_and_expired_links_get_the_same_answer(server, committed, customer):
	used, used_link = new_link(committed, customer)
	assert post(server, token_of(used_link), answers_for(used, GOOD)).status_code == 200
	expired, expired_link = new_link(committed, customer)
	frappe.db.set_value(SURVEY, expired, "expires_on", add_days(now_datetime(), -1))
	committed.commit()
	tokens = {
		"unknown": secrets.token_urlsafe(32),
		"used": token_of(used_link),
		"expired": token_of(expired_link),
	}

	pages, posts, timings = {}, {}, {}
	for kind, token in tokens.items():
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


def test_a_cancelled_survey_link_is_refused(server, committed, customer):
	survey, link = new_link(committed, customer)
	frappe.db.set_value(SURVEY, survey, "status", "Cancelled")
	committed.commit()
	assert post(server, token_of(link), answers_for(survey, GOOD)).status_code == 410


# --- what the request may and may not say ----------------------------------------------------------------


def test_extra_fields_and_another_surveys_name_are_ignored(server, committed, customer):
	mine, my_link = new_link(committed, customer)
	other, _other_link = new_link(committed, customer)
	other_customer = make_portfolio()
	committed.add("Customer", other_customer.customer)
	committed.add("Customer Portfolio", other_customer.name)
	committed.commit()
	owner = frappe.db.get_value(SURVEY, mine, "owner")

	response = post(
		server,
		token_of(my_link),
		answers_for(mine, LOW),
		name=other,
		survey=other,
		survey_name=other,
		customer=other_customer.customer,
		owner="attacker@example.com",
		docstatus=1,
		csat=99,
		csat_percent=99,
		needs_follow_up=0,
		status="Expired",
	)
	assert response.status_code == 200, response.text

	refresh()
	stored = frappe.get_doc(SURVEY, mine)
	assert stored.status == "Responded"
	assert stored.customer == customer
	assert stored.owner == owner
	assert stored.docstatus == 0
	assert stored.csat_percent == 0  # computed on the server, not the 99 sent
	assert stored.needs_follow_up
	assert frappe.db.get_value(SURVEY, other, "status") == "Sent"  # untouched


def test_answers_keyed_by_another_surveys_questions_are_refused(server, committed, customer):
	mine, my_link = new_link(committed, customer)
	other, _other_link = new_link(committed, customer)
	response = post(server, token_of(my_link), answers_for(other, GOOD))
	assert response.status_code == 417
	refresh()
	assert frappe.db.get_value(SURVEY, other, "status") == "Sent"
	assert frappe.db.get_value(SURVEY, mine, "status") == "Sent"  # and the link still works
	assert post(server, token_of(my_link), answers_for(mine, GOOD)).status_code == 200


def test_invalid_answers_are_refused_by_the_server_and_the_link_stays_usable(server, committed, customer):
	survey, link = new_link(committed, customer)
	nps_eleven = post(server, token_of(link), answers_for(survey, [5, 5, 11, "Yes", ""]))
	assert nps_eleven.status_code == 417
	assert "NPS" in server_message(nps_eleven)
	missing = post(server, token_of(link), answers_for(survey, [5, None, 10, "Yes", ""]))
	assert missing.status_code == 417
	assert post(server, token_of(link), "not json").status_code == 417
	refresh()
	assert frappe.db.get_value(SURVEY, survey, "status") == "Sent"
	assert post(server, token_of(link), answers_for(survey, GOOD)).status_code == 200


def test_markup_and_template_code_in_answers_are_stored_harmlessly(server, committed, customer):
	survey, link = new_link(committed, customer)
	text = (
		'<script>alert(1)</script><img src=x onerror=alert(2)> {{ 7*7 }} <a href="javascript:alert(3)">x</a>'
	)
	response = post(server, token_of(link), answers_for(survey, [1, 1, 0, "No", text]))
	assert response.status_code == 200, response.text
	refresh()
	stored = frappe.get_doc(SURVEY, survey).answers[-1].answer
	assert "{{ 7*7 }}" in stored and "49" not in stored  # never evaluated
	for dangerous in ("<script", "onerror", "javascript:"):
		assert dangerous not in stored
	todo = frappe.db.get_value(SURVEY, survey, "follow_up")
	committed.add("ToDo", todo)
	assert "<script" not in frappe.db.get_value("ToDo", todo, "description")


def test_question_texts_are_escaped_and_never_evaluated_on_the_page(server, committed, customer):
	template = make_survey_template(
		questions=[("Rate us <img src=x onerror=alert(1)> {{ 7*7 }}", "Rating")], trigger="Manual"
	)
	committed.add("Satisfaction Survey Template", template.name)
	survey, link = new_link(committed, customer, template=template.name)
	page = requests.get(server.url + path_of(link), timeout=30).text
	assert "<img src=x onerror" not in page
	assert "&lt;img src=x onerror=alert(1)&gt;" in page or "&lt;img src=&#34;x&#34;&gt;" in page
	assert "{{ 7*7 }}" in page and "Rate us 49" not in page
	assert survey


# --- HTTP method and rate limits -------------------------------------------------------------------------


def test_submitting_over_get_is_refused(server, committed, customer):
	survey, link = new_link(committed, customer)
	response = requests.get(
		server.url + SUBMIT,
		params={"token": token_of(link), "answers": frappe.as_json(answers_for(survey, GOOD))},
		headers=JSON_HEADERS,
		timeout=30,
	)
	assert response.status_code in (403, 405)
	refresh()
	assert frappe.db.get_value(SURVEY, survey, "status") == "Sent"


def test_one_address_hits_frappes_rate_limit(server):
	address = {"X-Forwarded-For": "198.51.100.7"}
	codes = [post(server, secrets.token_urlsafe(32), {}, headers=address).status_code for _ in range(22)]
	assert codes[:20] == [410] * 20
	assert codes[20:] == [429, 429]


def test_guessing_tokens_while_rotating_x_forwarded_for_gets_429(server, committed, customer):
	survey, link = new_link(committed, customer)
	session = requests.Session()
	codes = []
	for n in range(1000):
		forwarded = f"203.0.{n // 250}.{n % 250 + 1}"  # a new claimed address every time
		response = session.post(
			server.url + SUBMIT,
			json={"token": secrets.token_urlsafe(32), "answers": {}},
			headers={**JSON_HEADERS, "X-Forwarded-For": forwarded},
			timeout=30,
		)
		codes.append(response.status_code)
	assert set(codes) <= {410, 429}
	assert codes.count(410) <= guard.GLOBAL_FAILURE_LIMIT
	assert codes[-100:] == [429] * 100
	# while the budget is spent even a real link is refused: guessing cannot tell a hit from a miss
	hit = session.post(
		server.url + SUBMIT,
		json={"token": token_of(link), "answers": answers_for(survey, GOOD)},
		headers={**JSON_HEADERS, "X-Forwarded-For": "192.0.2.99"},
		timeout=30,
	)
	assert hit.status_code == 429
	assert requests.get(server.url + path_of(link), timeout=30).status_code == 429

	guard.reset()
	assert post(server, token_of(link), answers_for(survey, GOOD)).status_code == 200
