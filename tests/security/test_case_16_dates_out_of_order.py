"""docs/security.md case 16: dates out of order (agreement end before start, response before send) → error.

Over HTTP on a real server, as a relationship manager and a process manager using the REST API the desk
uses: agreements whose end is not after their start, signed after their end or in the future, or terminated
before they were signed, and surveys answered before they were sent or expiring before they were sent, are
refused with a clear message and nothing is stored."""

import frappe
import pytest
from frappe.utils import add_days, add_to_date, now_datetime, nowdate

from tests.support.factories import make_survey
from tests.support.security import (
	HttpUser,
	committed_agreement,
	exc_type,
	refresh,
	rm_browser,
	server_message,
	workflow_people_fixture,
)

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

AG, SURVEY = "Customer Agreement", "Satisfaction Survey"


people = workflow_people_fixture("c16")


rm = rm_browser  # the relationship manager logged in to the server


def new_agreement(people, **dates):
	return {
		"agreement_title": "Out of order " + frappe.generate_hash(length=6),
		"customer": people.customer,
		"agreement_kind": "Internal",
		"start_date": nowdate(),
		"end_date": add_days(nowdate(), 365),
		**dates,
	}


@pytest.mark.parametrize(
	("offsets", "message"),
	[
		({"end_date": -1}, "must be after Start Date"),
		({"end_date": 0}, "must be after Start Date"),
		({"signed_on": 3}, "cannot be in the future"),
		({"start_date": -30, "end_date": -10, "signed_on": 0}, "cannot be after the End Date"),
	],
	ids=["end-before-start", "end-on-start", "signed-in-future", "signed-after-end"],
)
def test_agreement_dates_out_of_order_are_refused(rm, people, offsets, message):
	dates = {field: add_days(nowdate(), days) for field, days in offsets.items()}
	title_count = frappe.db.count(AG, {"customer": people.customer})
	response = rm.resource("POST", AG, json=new_agreement(people, **dates))
	assert response.status_code == 417, response.text
	assert exc_type(response) == "AgreementDateError"
	assert message in server_message(response)
	refresh()
	assert frappe.db.count(AG, {"customer": people.customer}) == title_count


@pytest.mark.parametrize(
	("terminated", "message"),
	[(-40, "cannot be before Signed On"), (400, "cannot be after the End Date")],
	ids=["before-signed", "after-end"],
)
def test_an_agreement_cannot_be_terminated_out_of_its_dates(committed, people, server, terminated, message):
	agreement = committed_agreement(
		committed, people, "Active", start_date=add_days(nowdate(), -20), signed_on=add_days(nowdate(), -25)
	)
	response = HttpUser(server, people.pm).resource(
		"PUT",
		AG,
		agreement.name,
		json={"terminated_on": add_days(nowdate(), terminated), "termination_reason": "Backdated"},
	)
	assert response.status_code == 417, response.text[:500]
	assert exc_type(response) == "AgreementDateError"
	assert message in server_message(response)
	refresh()
	assert frappe.db.get_value(AG, agreement.name, ["terminated_on", "status"]) == (None, "Active")
	# terminating today, through the workflow action, still works
	done = HttpUser(server, people.pm).call(
		"brm_app.api.approvals.apply_action",
		doctype=AG,
		docname=agreement.name,
		action="Terminate",
		comment="Ends now",
	)
	assert done.status_code == 200, done.text[:500]
	refresh()
	assert frappe.db.get_value(AG, agreement.name, ["terminated_on", "status"]) == (
		frappe.utils.getdate(nowdate()),
		"Terminated",
	)


@pytest.fixture
def sent_survey(committed, people):
	frappe.db.rollback()
	sent = add_to_date(now_datetime(), hours=-2)
	survey = make_survey(customer=people.customer, status="Sent", sent_on=sent)
	committed.add("Satisfaction Survey Template", survey.template)
	committed.add(SURVEY, survey.name)
	committed.commit()
	return survey


def test_a_response_before_the_survey_was_sent_is_refused(rm, sent_survey):
	answers = sent_survey.as_dict(convert_dates_to_str=True)["answers"]
	for row, value in zip(answers, [5, 4, 10, "Yes", ""], strict=True):
		row["answer"] = value
	response = rm.resource(
		"PUT",
		SURVEY,
		sent_survey.name,
		json={
			"status": "Responded",
			"responded_on": str(add_to_date(sent_survey.sent_on, hours=-1)),
			"answers": answers,
		},
	)
	assert response.status_code == 417, response.text
	assert exc_type(response) == "SurveyDateError"
	assert "before Sent On" in server_message(response)
	refresh()
	assert frappe.db.get_value(SURVEY, sent_survey.name, ["status", "responded_on"]) == ("Sent", None)


@pytest.mark.parametrize("hours", [-1, 0])
def test_a_survey_expiring_before_it_was_sent_is_refused(rm, sent_survey, hours):
	expires = str(add_to_date(sent_survey.sent_on, hours=hours))
	response = rm.resource("PUT", SURVEY, sent_survey.name, json={"expires_on": expires})
	assert response.status_code == 417, response.text
	assert exc_type(response) == "SurveyDateError"
	assert "must be after Sent On" in server_message(response)
