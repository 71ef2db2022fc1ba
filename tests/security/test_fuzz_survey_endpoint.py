"""Fuzzing the public survey endpoint (issue 7): generated requests (hypothesis) against a real server on
loopback, as an anonymous client: tokens that are real, used, unknown or malformed; answers that are
well-formed, keyed by another survey's questions, of every JSON type, oversized or not a mapping at all;
extra fields of every kind; JSON or form-encoded bodies.

For every request: no 5xx and no traceback; only the statuses of a clear answer (200 stored, 410 link not
usable, 417 invalid answer, 429 too many attempts); nothing of another survey in the response; a survey
whose token was not presented never changes; a survey is answered at most once, and what it stored is valid.
"""

import json
import secrets

import frappe
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brm_app.links import throttle
from tests.support.security import (
	GOOD,
	JSON_HEADERS,
	SUBMIT,
	SURVEY,
	answers_for,
	new_link,
	post,
	random_address,
	refresh,
	survey_customer,
)
from tests.support.survey_mail import token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

CLEAR_STATUSES = {200, 410, 417, 429}
POOL = 12


@pytest.fixture(scope="module")
def surveys(server, committed, survey_settings):
	"""POOL open surveys whose tokens the fuzzer may present, and a bystander survey it never gets."""
	customer = survey_customer(committed, "brm-sec-fuzz-rm@example.com")
	open_links = [new_link(committed, customer) for _ in range(POOL)]
	bystander, bystander_link = new_link(committed, customer)
	used, used_link = new_link(committed, customer)
	throttle.reset()
	assert post(server, token_of(used_link), answers_for(used, GOOD)).status_code == 200
	refresh()
	rows = {
		name: frappe.get_all(
			"Satisfaction Survey Answer", filters={"parent": name}, pluck="name", order_by="idx asc"
		)
		for name, _link in [*open_links, (bystander, bystander_link)]
	}
	secrets_of_others = {
		bystander,
		token_of(bystander_link),
		frappe.db.get_value(SURVEY, bystander, "token_hash"),
		frappe.db.get_value(SURVEY, bystander, "email"),
	}
	return {
		"open": [(name, token_of(link)) for name, link in open_links],
		"used": token_of(used_link),
		"bystander": bystander,
		"bystander_state": frappe.db.get_value(SURVEY, bystander, ["status", "modified"]),
		"rows": rows,
		"secrets": secrets_of_others,
	}


json_scalars = (
	st.none()
	| st.booleans()
	| st.integers(-(10**20), 10**20)
	| st.floats(allow_nan=False, allow_infinity=False)  # JSON has no Infinity: requests refuses to send it
	| st.text(max_size=60)
)
json_values = st.recursive(
	json_scalars,
	lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
	max_leaves=8,
)
score_like = st.sampled_from(
	[
		1,
		3,
		5,
		0,
		6,
		10,
		11,
		-1,
		7.5,
		"5",
		"abc",
		"",
		None,
		True,
		"Yes",
		"No",
		"<script>x</script>",
		"{{ 7*7 }}",
		"x" * 3000,
	]
)
field_names = st.sampled_from(
	[
		"name",
		"survey",
		"customer",
		"owner",
		"docstatus",
		"csat",
		"csat_percent",
		"status",
		"cmd",
		"doctype",
		"token_hash",
		"email",
	]
) | st.text(min_size=1, max_size=12)


@st.composite
def requests_to_send(draw):
	token_kind = draw(st.sampled_from(["open", "open", "used", "unknown", "malformed", "bystander-guess"]))
	pick = draw(st.integers(0, POOL - 1))
	answers_kind = draw(st.sampled_from(["own", "own", "other", "random", "not-a-mapping"]))
	return {
		"token_kind": token_kind,
		"pick": pick,
		"answers_kind": answers_kind,
		"values": draw(st.lists(score_like, min_size=0, max_size=7)),
		"random_answers": draw(st.dictionaries(st.text(max_size=12), json_values, max_size=5)),
		"not_a_mapping": draw(json_values),
		"malformed": draw(st.one_of(json_values, st.text(max_size=200), st.just("A" * 100_000))),
		"extra": draw(st.dictionaries(field_names, json_values, max_size=4)),
		"form": draw(st.booleans()),
	}


def build(case, surveys):
	name, token = surveys["open"][case["pick"]]
	if case["token_kind"] == "used":
		token, name = surveys["used"], None
	elif case["token_kind"] == "unknown":
		token, name = secrets.token_urlsafe(32), None
	elif case["token_kind"] == "malformed":
		token, name = case["malformed"], None
	elif case["token_kind"] == "bystander-guess":
		token, name = secrets.token_urlsafe(32)[:-2] + "AA", None
	rows = surveys["rows"][surveys["open"][case["pick"]][0]]
	if case["answers_kind"] == "own":
		values = (case["values"] + GOOD)[: len(rows)]
		answers = dict(zip(rows, values, strict=True))
	elif case["answers_kind"] == "other":
		answers = dict(zip(surveys["rows"][surveys["bystander"]], GOOD, strict=True))
	elif case["answers_kind"] == "random":
		answers = case["random_answers"]
	else:
		answers = case["not_a_mapping"]
	extra = {k: v for k, v in case["extra"].items() if k not in ("token", "answers")}
	return name, token, answers, extra


@pytest.mark.slow
@settings(
	max_examples=150,
	suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
	deadline=None,
)
@given(case=requests_to_send())
def test_generated_requests_get_a_clear_answer_and_touch_only_the_tokens_survey(server, surveys, case):
	throttle.reset()  # the fuzzer is not measuring the rate limits (case 12 does)
	name, token, answers, extra = build(case, surveys)
	body = {"token": token, "answers": answers, **extra}
	headers = {**JSON_HEADERS, "X-Forwarded-For": random_address()}
	if case["form"]:
		form = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in body.items()}
		response = requests.post(server.url + SUBMIT, data=form, headers=headers, timeout=60)
	else:
		response = requests.post(server.url + SUBMIT, json=body, headers=headers, timeout=60)

	assert response.status_code in CLEAR_STATUSES, (response.status_code, response.text[:1000])
	assert "Traceback" not in response.text
	for secret in surveys["secrets"]:
		assert secret not in response.text
	payload = response.json()
	# the message of a refusal, never the server's traceback or its source
	assert set(payload) <= {"message", "exc_type", "_server_messages", "_error_message"}, set(payload)

	refresh()
	assert (
		frappe.db.get_value(SURVEY, surveys["bystander"], ["status", "modified"])
		== surveys["bystander_state"]
	)
	if response.status_code == 200:
		assert name, "only an open survey's token can be answered"
		stored = frappe.get_doc(SURVEY, name)
		assert stored.status == "Responded"
		assert 0 <= stored.csat_percent <= 100
		assert stored.nps_score is None or 0 <= stored.nps_score <= 10
		assert frappe.db.count("Version", {"ref_doctype": SURVEY, "docname": name}) == 1
	elif name:
		assert frappe.db.get_value(SURVEY, name, "status") in ("Sent", "Responded")
