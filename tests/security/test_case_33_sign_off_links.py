"""Threat model case 33 (the e-mailed sign-off link): nobody decides for the customer through it but the
signatory, once, for the case as it was asked about.

The link's token is the only key (brm_app.links.tokens: 256 random bits, hashed at rest). Over HTTP on a
real server, as anonymous clients:

- a used link is refused (410) and changes nothing; so is an expired one, and one of a withdrawn request;
- a token decides only its own sign-off: another case's requirement rows sent with it are refused and
  nothing is recorded on either case;
- a case changed after it was asked about (a requirement edited behind the workflow's back) is not signed:
  the decision is refused and the sign-off is Voided (and stays so, although the request fails);
- a flood of bad tokens from one client does not lock a valid signatory out (the token is looked up first;
  failures are throttled per client, brm_app.links.throttle);
- a GET (a mail scanner opening the link, or the endpoint called over GET) records nothing;
- the endpoint answers itself: a `cmd` field cannot make frappe run another method (before_request
  hardening, brm_app.api.survey.harden_public_requests).
"""

import secrets
import time

import frappe
import pytest
import requests

from brm_app.links import throttle
from brm_app.signoff import records as rec
from tests.support.security import JSON_HEADERS, workflow_people_fixture
from tests.support.sign_off_links import (
	SUBMIT,
	case_state,
	decisions_for,
	get_page,
	link_case,
	link_of,
	post_decision,
	sign_off_cleanup,  # a fixture
	stored,
	token_of,
	withdraw,
)

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures
pytestmark = pytest.mark.usefixtures("fresh_limits", "sign_off_cleanup")

people = workflow_people_fixture("c33")
FLOOD = throttle.CLIENT_FAILURE_LIMIT + 20


def modified(sign_off: str):
	return frappe.db.get_value(rec.SIGN_OFF, sign_off, "modified")


def test_a_used_link_is_refused_and_changes_nothing(server, committed, people):
	case, (sign_off,) = link_case(committed, people)
	token = token_of(link_of(sign_off))
	first = post_decision(server, token, decisions_for(sign_off), comment="Fine")
	assert first.status_code == 200, first.text
	before = stored(sign_off)
	assert before.status == "Accepted"
	when = modified(sign_off)

	replay = post_decision(server, token, decisions_for(sign_off, "Rejected", "Changed my mind"), "Again")
	assert replay.status_code == 410, replay.text
	after = stored(sign_off)
	assert after == before
	assert modified(sign_off) == when
	assert case_state(case.name) == "Pending Approval"


def test_two_submissions_at_the_same_moment_record_one_decision(server, committed, people):
	from concurrent.futures import ThreadPoolExecutor

	case, (sign_off,) = link_case(committed, people)
	token = token_of(link_of(sign_off))
	decisions = decisions_for(sign_off)
	with ThreadPoolExecutor(max_workers=4) as pool:
		codes = sorted(
			pool.map(lambda n: post_decision(server, token, decisions, f"Call {n}").status_code, range(4))
		)
	assert codes == [200, 410, 410, 410]
	assert stored(sign_off).status == "Accepted"
	assert case_state(case.name) == "Pending Approval"
	steps = frappe.get_all(
		"BRM Approval Log", filters={"parent": case.name, "action": "Customer Accepted"}, pluck="name"
	)
	assert len(steps) == 1  # the case moved on once


def test_an_expired_link_is_refused_and_records_nothing(server, committed, people):
	case, (sign_off,) = link_case(committed, people)
	token = token_of(link_of(sign_off))
	frappe.db.set_value(
		rec.SIGN_OFF,
		sign_off,
		"expires_on",
		frappe.utils.add_to_date(frappe.utils.now_datetime(), seconds=-5),
		update_modified=False,
	)
	committed.commit()

	response = post_decision(server, token, decisions_for(sign_off))
	assert response.status_code == 410, response.text
	record = stored(sign_off)
	assert record.status == "Requested" and record.decided_on is None
	assert [d.decision for d in record.decisions] == [""]  # undecided
	assert case_state(case.name) == "Customer Sign-off"
	assert get_page(server, token).status_code == 410


def test_the_link_of_a_withdrawn_request_is_refused(server, committed, people):
	case, (sign_off,) = link_case(committed, people)
	token = token_of(link_of(sign_off))
	withdraw(case, people)
	committed.commit()
	assert stored(sign_off).status == "Withdrawn"

	response = post_decision(server, token, decisions_for(sign_off))
	assert response.status_code == 410, response.text
	assert stored(sign_off).decided_on is None
	page = get_page(server, token)
	assert page.status_code == 410
	assert "withdrawn by your relationship manager" in page.text
	assert case_state(case.name) == "Draft"


def test_a_token_decides_only_its_own_sign_off(server, committed, people):
	case_a, (sign_off_a,) = link_case(committed, people)
	case_b, (sign_off_b,) = link_case(committed, people)
	token_b = token_of(link_of(sign_off_b))
	rows_a = decisions_for(sign_off_a)
	assert set(rows_a).isdisjoint(decisions_for(sign_off_b))

	# B's token with A's requirement rows: refused, nothing recorded on either
	response = post_decision(server, token_b, rows_a)
	assert response.status_code == 417, response.text
	# and with both: refused too (no row of another case is taken)
	both = post_decision(server, token_b, {**rows_a, **decisions_for(sign_off_b)})
	assert both.status_code == 417, both.text
	# naming A's sign-off in the request changes nothing: the token says which one is decided
	named = post_decision(server, token_b, rows_a, sign_off=sign_off_a, name=sign_off_a)
	assert named.status_code == 417, named.text

	for sign_off, case in ((sign_off_a, case_a), (sign_off_b, case_b)):
		record = stored(sign_off)
		assert record.status == "Requested" and record.decided_on is None
		assert [d.decision for d in record.decisions] == [""]  # undecided
		assert case_state(case.name) == "Customer Sign-off"


def test_a_case_changed_after_asking_is_not_signed_and_the_sign_off_is_voided(server, committed, people):
	case, (sign_off,) = link_case(committed, people)
	token = token_of(link_of(sign_off))
	# the requirement is changed behind the workflow's back (Customer Sign-off is a frozen state)
	row = frappe.get_all("Business Case Requirement", filters={"parent": case.name}, pluck="name")[0]
	frappe.db.set_value("Business Case Requirement", row, "requirement", "Service available 24/7")
	committed.commit()

	response = post_decision(server, token, decisions_for(sign_off))
	assert response.status_code == 417, response.text
	record = stored(sign_off)
	assert record.status == "Voided"
	assert "changed" in (record.void_reason or "")
	assert record.decided_on is None
	assert [d.decision for d in record.decisions] == [""]  # undecided
	assert case_state(case.name) == "Customer Sign-off"  # not Pending Approval
	assert post_decision(server, token, decisions_for(sign_off)).status_code == 410
	assert "no longer applies" in get_page(server, token).text


def _fresh_window(seconds_needed: float = 120) -> None:
	"""Wait for a new budget window when the current one ends too soon for the test to run inside it."""
	left = throttle.WINDOW_SECONDS - time.time() % throttle.WINDOW_SECONDS
	if left < seconds_needed:
		time.sleep(left + 1)
	throttle.reset()


def test_a_flood_of_bad_tokens_does_not_lock_out_a_valid_signatory(server, committed, people):
	case, (sign_off,) = link_case(committed, people)
	token = token_of(link_of(sign_off))
	_fresh_window()
	# one client (the peer: its X-Forwarded-For is not from a declared proxy), rotating claimed addresses
	codes = [
		post_decision(
			server, secrets.token_urlsafe(32), {}, forwarded=f"203.0.{n // 250}.{n % 250 + 1}"
		).status_code
		for n in range(FLOOD)
	]
	assert codes == [410] * throttle.CLIENT_FAILURE_LIMIT + [429] * (FLOOD - throttle.CLIENT_FAILURE_LIMIT)
	assert get_page(server, secrets.token_urlsafe(32)).status_code == 429

	# the same client's valid link still opens and is accepted
	page = get_page(server, token)
	assert page.status_code == 200, page.text[:500]
	assert 'id="brm-sign-off-form"' in page.text
	response = post_decision(server, token, decisions_for(sign_off), forwarded="203.0.9.9")
	assert response.status_code == 200, response.text
	assert stored(sign_off).status == "Accepted"
	assert case_state(case.name) == "Pending Approval"


def test_a_get_records_nothing(server, committed, people):
	# two signatories: the first decision moves no workflow state (the approval guard refuses that over GET
	# on its own), so only the link's own rules stand between a GET and a recorded decision
	case, (sign_off, _other) = link_case(committed, people, signatories=2)
	token = token_of(link_of(sign_off))
	before = stored(sign_off)
	when = modified(sign_off)

	# a mail scanner opens the link (and follows it again) ...
	for _i in range(3):
		assert get_page(server, token).status_code == 200
	assert requests.head(f"{server.url}/sign-off", params={"token": token}, timeout=60).status_code == 200
	# ... or calls the endpoint over GET with everything a decision needs
	over_get = requests.get(
		server.url + SUBMIT,
		params={"token": token, "decisions": frappe.as_json(decisions_for(sign_off))},
		headers=JSON_HEADERS,
		timeout=60,
	)
	assert over_get.status_code == 403, over_get.text

	assert stored(sign_off) == before
	assert modified(sign_off) == when
	assert case_state(case.name) == "Customer Sign-off"
	# and the link still works for the signatory
	assert post_decision(server, token, decisions_for(sign_off)).status_code == 200


def test_a_cmd_field_does_not_redirect_the_endpoint(server, committed, people):
	response = requests.post(
		server.url + SUBMIT,
		json={"token": secrets.token_urlsafe(32), "decisions": {}, "cmd": "frappe.auth.get_logged_user"},
		headers=JSON_HEADERS,
		timeout=60,
	)
	assert response.status_code == 410, response.text
	assert "exc" not in response.json()  # no traceback for an anonymous caller
