"""docs/security.md case 23: many respondents submit at once against a multi-worker server → every accepted
response stored exactly once, errors only as 429 or clear refusals.

frappe runs behind gunicorn with 4 worker processes on loopback (tests.support.security.GunicornServer).
240 surveys are sent (tokens from the queued e-mails, as respondents get them); then 240 submissions with
distinct tokens and 60 duplicates of some of them (the same link sent again at the same time) are fired
from 32 client threads. Each respondent comes from their own address (X-Forwarded-For, as a reverse proxy
would set it), so frappe's per-address limit and the survey guard's per-address budget are not what is
measured; the duplicates count against the guard's site-wide failure budget (100 per window), which they
stay under. The test asserts correctness, not speed; it prints throughput and latency.

Run alone: `BRM_TEST_SITE=... scripts/dev python -m pytest tests/security/test_case_23_load_concurrent_submissions.py -s`
"""

import concurrent.futures
import random
import statistics
import time

import frappe
import pytest
import requests
from frappe.utils import add_to_date, now_datetime

from brm_app.jobs import surveys as jobs
from brm_app.links import throttle
from brm_app.surveys.submission import link_unusable_message
from tests.support.factories import make_survey, make_survey_template
from tests.support.security import (
	GOOD,
	JSON_HEADERS,
	LOW,
	SUBMIT,
	GunicornServer,
	exc_type,
	refresh,
	server_message,
	survey_customer,
)
from tests.support.survey_mail import survey_links, token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

SURVEY = "Satisfaction Survey"
RM = "brm-sec-c23-rm@example.com"
DISTINCT, DUPLICATES, CLIENTS, WORKERS = 240, 60, 32, 4


@pytest.fixture(scope="module")
def gunicorn(site, committed):
	server = GunicornServer(site, workers=WORKERS).start()
	yield server
	server.stop()


@pytest.fixture(scope="module")
def sent(committed, survey_settings):
	"""DISTINCT surveys sent by the send job and committed: [(survey, token, answers)]."""
	customer = survey_customer(committed, RM)
	template = make_survey_template().name
	committed.add("Satisfaction Survey Template", template)
	due = add_to_date(now_datetime(), minutes=-1)
	names = []
	for n in range(DISTINCT):
		survey = make_survey(customer=customer, template=template, email=f"brm-sec-c23-{n}@example.com")
		survey.db_set({"scheduled_for": due}, update_modified=False)
		names.append(committed.add(SURVEY, survey.name))
	committed.commit()
	assert jobs.send_due_surveys(limit=DISTINCT + 100) >= DISTINCT
	committed.commit()
	result = []
	for n, name in enumerate(names):
		committed.add_related(SURVEY, name)
		rows = frappe.get_all(
			"Satisfaction Survey Answer", filters={"parent": name}, pluck="name", order_by="idx asc"
		)
		values = LOW if n % 10 == 0 else GOOD  # some low scores: follow-up ToDos are made too
		(link,) = survey_links(name)
		result.append((name, token_of(link), dict(zip(rows, values, strict=True))))
	committed.commit()
	return result


def submit(url, headers, token, answers, address):
	started = time.perf_counter()
	response = requests.post(
		url + SUBMIT,
		json={"token": token, "answers": answers},
		headers={**JSON_HEADERS, **headers, "X-Forwarded-For": address},
		timeout=120,
	)
	return response, time.perf_counter() - started


@pytest.mark.slow
def test_concurrent_submissions_are_stored_exactly_once(gunicorn, committed, sent):
	throttle.reset()
	frappe.cache.delete_keys("rl:")
	rng = random.Random(23)
	jobs_list = [
		(name, token, answers, f"100.64.{n // 250}.{n % 250 + 1}")
		for n, (name, token, answers) in enumerate(sent)
	]
	duplicates = [
		(name, token, answers, f"100.65.0.{n + 1}")
		for n, (name, token, answers) in enumerate(rng.sample(sent, DUPLICATES))
	]
	work = jobs_list + duplicates
	rng.shuffle(work)

	started = time.perf_counter()
	with concurrent.futures.ThreadPoolExecutor(max_workers=CLIENTS) as pool:
		futures = [
			pool.submit(submit, gunicorn.url, gunicorn.headers, token, answers, address)
			for _name, token, answers, address in work
		]
		outcomes = [future.result() for future in futures]
	wall = time.perf_counter() - started

	codes = [response.status_code for response, _ in outcomes]
	latencies = [elapsed for _, elapsed in outcomes]
	by_survey: dict[str, list] = {}
	for (name, *_rest), (response, _elapsed) in zip(work, outcomes, strict=True):
		by_survey.setdefault(name, []).append(response)

	accepted = codes.count(200)
	refused = [r for r, _ in outcomes if r.status_code == 410]
	limited = codes.count(429)
	print(
		f"\n[case 23] gunicorn -w {WORKERS} --preload; {len(work)} submissions "
		f"({DISTINCT} distinct tokens + {DUPLICATES} duplicates) from {CLIENTS} client threads in {wall:.1f} s: "
		f"{len(work) / wall:.1f} submissions/s, {accepted / wall:.1f} accepted/s; "
		f"latency p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {statistics.quantiles(latencies, n=20)[18] * 1000:.0f} ms, "
		f"max {max(latencies) * 1000:.0f} ms; 200: {accepted}, 410: {len(refused)}, 429: {limited}, "
		f"other: {sorted(set(codes) - {200, 410, 429})}"
	)

	# no 5xx, and errors only as 429 or the clear "link used" refusal
	assert set(codes) <= {200, 410, 429}, sorted(set(codes))
	for response in refused:
		assert exc_type(response) == "SurveyLinkError"
		assert server_message(response) == link_unusable_message()
	# every survey accepted at most once; here none is limited, so every distinct token got in
	assert all([r.status_code for r in responses].count(200) <= 1 for responses in by_survey.values())
	assert limited == 0
	assert accepted == DISTINCT
	assert len(refused) == DUPLICATES

	# what the database holds: each accepted response once, with its answers once
	refresh()
	names = list(by_survey)
	stored = frappe.get_all(
		SURVEY, filters={"name": ("in", names)}, fields=["name", "status", "csat_percent", "follow_up"]
	)
	assert {row.status for row in stored} == {"Responded"}
	answers = frappe.db.sql(
		"select parent, count(*) from `tabSatisfaction Survey Answer` where parent in %(names)s group by parent",
		{"names": names},
	)
	assert {count for _parent, count in answers} == {5}
	versions = frappe.db.sql(
		"select docname, count(*) from `tabVersion` where ref_doctype = %(dt)s and docname in %(names)s"
		" group by docname",
		{"dt": SURVEY, "names": names},
	)
	assert len(versions) == DISTINCT and {count for _name, count in versions} == {1}
	low = {name for n, (name, _t, _a) in enumerate(sent) if n % 10 == 0}
	assert {row.name for row in stored if row.follow_up} == low
	todos = frappe.db.sql(
		"select reference_name, count(*) from `tabToDo` where reference_type = %(dt)s"
		" and reference_name in %(names)s group by reference_name",
		{"dt": SURVEY, "names": names},
	)
	assert {count for _name, count in todos} == {1} and len(todos) == len(low)
	for name in names:
		committed.add_related(SURVEY, name)
