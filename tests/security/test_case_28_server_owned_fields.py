"""Threat model case 28: set a survey's status, answers, token hash, recipient or expiry through the desk or
REST → refused; only the respondent's link and the server's jobs change them. Approval audit fields (log,
approver, dates, levels) cannot be set either. Cancelling a sent survey is a process manager's action with a
reason, on the timeline.

Over HTTP on a real server, as the survey customer's relationship manager: a PUT of status Responded with
all-top answers (which raised CSAT and NPS and opened no follow-up), of a token hash of one's own choosing
(then answered through the public page), of status Cancelled (suppressing an unhappy contact), of the
recipient or expiry, a REST insert of a ready-made response, the desk's save and a bulk update run as a job
are all refused, the stored survey is unchanged and its real link still works.
"""

import hashlib
import secrets

import frappe
import pytest

from tests.support.jobs import run_site_jobs
from tests.support.security import (
	GOOD,
	SURVEY,
	HttpUser,
	answers_for,
	committed_case,
	exc_type,
	http_user,
	new_link,
	post,
	refresh,
	workflow_people_fixture,
)
from tests.support.survey_mail import token_of

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures
pytestmark = pytest.mark.usefixtures("fresh_limits")  # empty rate-limit counters around each test

RM = "brm-sec-c28-rm@example.com"
PM = "brm-sec-c28-pm@example.com"
TOP = [5, 5, 10, "Yes", "Excellent"]
STORED = (
	"status",
	"token_hash",
	"email",
	"contact",
	"expires_on",
	"csat_percent",
	"nps_score",
	"responded_on",
)


@pytest.fixture(scope="module")
def customer(committed, survey_settings):
	from tests.support.security import survey_customer

	name = survey_customer(committed, RM)
	http_user(committed, RM, ("Business Relationship Manager",))
	http_user(committed, PM, ("BRM Process Manager",))
	committed.commit()
	return name


@pytest.fixture(scope="module")
def rm(server, customer):
	return HttpUser(server, RM)


@pytest.fixture(scope="module")
def pm(server, customer):
	return HttpUser(server, PM)


@pytest.fixture
def sent(committed, customer):
	"""A survey sent by the send job: (name, link, its stored values)."""
	survey, link = new_link(committed, customer)
	return survey, link, stored(survey)


def stored(survey: str) -> dict:
	refresh()
	return frappe.db.get_value(SURVEY, survey, STORED, as_dict=True)


def answer_rows(survey: str, values) -> list[dict]:
	rows = frappe.get_doc(SURVEY, survey).as_dict(convert_dates_to_str=True)["answers"]
	for row, value in zip(rows, values, strict=True):
		row["answer"] = value
	return rows


def assert_unchanged_and_link_works(server, survey, link, before):
	assert stored(survey) == before
	assert (
		frappe.db.get_all(
			"Satisfaction Survey Answer", filters={"parent": survey, "answer": ("is", "set")}, pluck="name"
		)
		== []
	)
	assert not frappe.db.exists("ToDo", {"reference_type": SURVEY, "reference_name": survey})
	# the respondent's own link still answers, with the respondent's answers
	assert post(server, token_of(link), answers_for(survey, GOOD)).status_code == 200
	refresh()
	assert frappe.db.get_value(SURVEY, survey, ["status", "csat_percent"]) == ("Responded", 100)


@pytest.mark.parametrize(
	"change",
	[
		pytest.param(
			lambda survey: {"status": "Responded", "answers": answer_rows(survey, TOP)}, id="responded"
		),
		pytest.param(lambda survey: {"answers": answer_rows(survey, TOP)}, id="answers"),
		pytest.param(lambda survey: {"status": "Cancelled"}, id="cancelled"),
		pytest.param(lambda survey: {"status": "Expired"}, id="expired"),
		pytest.param(lambda survey: {"email": "rm-inbox@example.com"}, id="recipient"),
		pytest.param(lambda survey: {"expires_on": "2099-01-01 00:00:00"}, id="expiry"),
		pytest.param(lambda survey: {"sent_on": "2020-01-01 00:00:00"}, id="sent_on"),
	],
)
def test_a_put_of_a_server_owned_survey_field_is_refused(server, rm, sent, change):
	survey, link, before = sent
	response = rm.resource("PUT", SURVEY, survey, json=change(survey))
	assert (response.status_code, exc_type(response)) == (417, "SurveyServerFieldError"), response.text
	assert_unchanged_and_link_works(server, survey, link, before)


def test_a_token_hash_of_ones_own_choosing_is_refused(server, rm, sent):
	survey, link, before = sent
	chosen = secrets.token_urlsafe(32)
	response = rm.resource(
		"PUT", SURVEY, survey, json={"token_hash": hashlib.sha256(chosen.encode()).hexdigest()}
	)
	assert (response.status_code, exc_type(response)) == (417, "SurveyServerFieldError"), response.text
	# the chosen token opens nothing
	assert post(server, chosen, answers_for(survey, TOP)).status_code == 410
	assert_unchanged_and_link_works(server, survey, link, before)


def test_the_desks_save_of_a_fabricated_response_is_refused(server, rm, sent):
	survey, link, before = sent
	doc = frappe.get_doc(SURVEY, survey).as_dict(convert_dates_to_str=True)
	doc.update({"status": "Responded", "answers": answer_rows(survey, TOP)})
	response = rm.call("frappe.desk.form.save.savedocs", doc=frappe.as_json(doc), action="Save")
	assert (response.status_code, exc_type(response)) == (417, "SurveyServerFieldError"), response.text
	assert_unchanged_and_link_works(server, survey, link, before)


def test_a_bulk_update_run_as_a_job_cannot_set_the_status(site, server, rm, sent):
	survey, link, before = sent
	response = rm.call(
		"frappe.desk.doctype.bulk_update.bulk_update.submit_cancel_or_update_docs",
		doctype=SURVEY,
		docnames=[survey] * 20,  # from 20 documents on frappe runs it in a background job
		action="update",
		data={"status": "Cancelled"},
	)
	assert response.status_code == 200, response.text
	assert run_site_jobs(site) >= 1
	assert_unchanged_and_link_works(server, survey, link, before)


def test_a_ready_made_response_cannot_be_inserted(rm, customer, committed):
	template = frappe.db.get_value("Satisfaction Survey Template", {"enabled": 1}, "name")
	response = rm.resource(
		"POST",
		SURVEY,
		json={
			"template": template,
			"customer": customer,
			"email": "happy@example.com",
			"status": "Responded",
			"sent_on": "2026-01-01 00:00:00",
			"answers": [{"question": "Satisfied?", "question_type": "Rating", "mandatory": 1, "answer": 5}],
		},
	)
	assert (response.status_code, exc_type(response)) == (417, "SurveyServerFieldError"), response.text
	refresh()
	assert not frappe.db.exists(SURVEY, {"customer": customer, "email": "happy@example.com"})


def test_cancelling_a_sent_survey_is_a_process_managers_action_with_a_reason(server, rm, pm, sent):
	survey, link, before = sent
	method = "brm_app.api.survey.cancel_survey"
	by_rm = rm.call(method, name=survey, reason="The contact is unhappy")
	assert (by_rm.status_code, exc_type(by_rm)) == (403, "PermissionError"), by_rm.text
	no_reason = pm.call(method, name=survey, reason="  ")
	assert (no_reason.status_code, exc_type(no_reason)) == (417, "SurveyCancelError"), no_reason.text
	assert stored(survey) == before

	done = pm.call(method, name=survey, reason="Sent to a contact who left the company")
	assert done.status_code == 200, done.text
	assert stored(survey)["status"] == "Cancelled"
	comments = frappe.get_all(
		"Comment",
		filters={"reference_doctype": SURVEY, "reference_name": survey, "comment_type": "Info"},
		pluck="content",
	)
	assert any("Sent to a contact who left the company" in c and PM in c for c in comments), comments
	assert post(server, token_of(link), answers_for(survey, GOOD)).status_code == 410


people = workflow_people_fixture("c28")


def test_approval_audit_fields_cannot_be_set(committed, people, server):
	case = committed_case(committed, people)
	fields = (
		"approval_levels",
		"first_approval_levels",
		"submitted_for_approval_on",
		"approver",
		"decided_on",
	)
	before = frappe.db.get_value("Business Case", case.name, fields, as_dict=True)
	log_before = frappe.get_all(
		"BRM Approval Log", filters={"parent": case.name}, fields=["name", "user", "action"], order_by="idx"
	)
	response = HttpUser(server, people.pm).resource(
		"PUT",
		"Business Case",
		case.name,
		json={
			"approval_levels": 1,
			"first_approval_levels": 1,
			"submitted_for_approval_on": "2020-01-01 00:00:00",
			"approver": people.pm,
			"decided_on": "2020-01-01 00:00:00",
			"approval_log": [
				{
					"action": "Approve",
					"state_from": "Pending Approval",
					"state_to": "Approved",
					"user": people.po,
				}
			],
		},
	)
	refresh()
	assert frappe.db.get_value("Business Case", case.name, fields, as_dict=True) == before, response.text
	assert (
		frappe.get_all(
			"BRM Approval Log",
			filters={"parent": case.name},
			fields=["name", "user", "action"],
			order_by="idx",
		)
		== log_before
	)


SIGN_OFF_RESULTS = ["signed_off_by", "signed_off_on", "sign_off_evidence"]


def stored_results(row_name: str) -> dict:
	refresh()
	return frappe.db.get_value("Business Case Requirement", row_name, SIGN_OFF_RESULTS, as_dict=True)


def test_nobody_at_the_provider_signs_a_requirement_off(committed, people, server):
	"""The sign-off of a requirement is the customer's (their Customer Sign-off records): a PUT of who and
	when is overwritten by what the records say - nothing on a draft."""
	case = committed_case(committed, people, state="Draft")
	rows = frappe.get_doc("Business Case", case.name).as_dict(convert_dates_to_str=True)["requirements"]
	rows[0].update(signed_off_by=people.rm, signed_off_on="2020-01-01 00:00:00", sign_off_evidence="Minutes")
	signed = HttpUser(server, people.rm).resource(
		"PUT", "Business Case", case.name, json={"requirements": rows}
	)
	assert signed.status_code == 200, signed.text
	assert stored_results(rows[0]["name"]) == dict.fromkeys(SIGN_OFF_RESULTS)


def test_the_customers_sign_off_cannot_be_removed_or_rewritten(committed, people, server):
	case = committed_case(committed, people)  # signed off by the customer, awaiting approval
	row_name = case.requirements[0].name
	real = stored_results(row_name)
	assert real.signed_off_by == case.signatories[0].full_name and real.sign_off_evidence
	for forged in (
		dict.fromkeys(SIGN_OFF_RESULTS),
		{"signed_off_by": people.pm, "signed_off_on": "2020-01-01 00:00:00", "sign_off_evidence": "x"},
	):
		rows = frappe.get_doc("Business Case", case.name).as_dict(convert_dates_to_str=True)["requirements"]
		rows[0].update(forged)
		response = HttpUser(server, people.pm).resource(
			"PUT", "Business Case", case.name, json={"requirements": rows}
		)
		assert response.status_code == 200, response.text
		assert stored_results(row_name) == real
