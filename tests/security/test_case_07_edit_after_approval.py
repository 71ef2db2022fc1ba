"""docs/security.md case 7: edit a field of an approved (submitted) business case or active agreement that is not
`allow_on_submit` → refused; amendment creates a new version.

Over HTTP on a real server, as the relationship manager and a process manager using the desk's REST API and
frappe.client: the edits are refused and nothing changes; cancelling and amending makes a new draft version
that points at the old one, which stays as it was."""

import frappe
import pytest
from frappe.utils import add_days

from tests.support.security import (
	HttpUser,
	committed_agreement,
	committed_case,
	exc_type,
	refresh,
	restore_threshold,
	workflow_people,
)

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

BC, AG = "Business Case", "Customer Agreement"


@pytest.fixture(scope="module")
def people(committed, server):
	people = workflow_people(committed, "c07")
	yield people
	restore_threshold(people)


@pytest.fixture(scope="module")
def browsers(server, people):
	return {key: HttpUser(server, getattr(people, key)) for key in ("rm", "pm")}


@pytest.fixture(scope="module")
def approved_case(committed, people):
	case = committed_case(committed, people, "Approved")
	assert (case.workflow_state, case.docstatus) == ("Approved", 1)
	return case


@pytest.fixture(scope="module")
def active_agreement(committed, people):
	agreement = committed_agreement(committed, people, "Active")
	assert (agreement.status, agreement.docstatus) == ("Active", 1)
	return agreement


CASE_EDITS = [
	("discount_rate", 12),
	("title", "Rewritten after approval"),
	("horizon_years", 5),
	("objectives", "<p>new scope</p>"),
	("costs", [{"description": "Extra", "cost_type": "Capex", "year": 0, "amount": 5}]),
]


@pytest.mark.parametrize("who", ["rm", "pm"])
@pytest.mark.parametrize(("field", "value"), CASE_EDITS, ids=[f for f, _ in CASE_EDITS])
def test_editing_an_approved_case_is_refused(browsers, approved_case, who, field, value):
	response = browsers[who].resource("PUT", BC, approved_case.name, json={field: value})
	if field == "costs" and who == "pm":
		# a row added to a submitted document: frappe looks for the stored row and answers "not found"
		assert (response.status_code, exc_type(response)) == (404, "DoesNotExistError"), response.text[:500]
	elif who == "rm":  # a relationship manager may not write an approved case at all
		assert (response.status_code, exc_type(response)) == (403, "PermissionError"), response.text[:500]
	else:  # a process manager may write it, but not these fields after approval
		assert response.status_code == 417, response.text[:500]
		assert exc_type(response) in ("UpdateAfterSubmitError", "ApprovalLockedError")
	refresh()
	stored = frappe.get_doc(BC, approved_case.name)
	assert (stored.discount_rate, stored.title, stored.horizon_years) == (
		approved_case.discount_rate,
		approved_case.title,
		approved_case.horizon_years,
	)
	assert len(stored.costs) == len(approved_case.costs)


def test_set_value_on_an_approved_case_is_refused(browsers, approved_case):
	response = browsers["pm"].call(
		"frappe.client.set_value", doctype=BC, name=approved_case.name, fieldname="npv", value=10**9
	)
	assert response.status_code == 417, response.text[:500]
	refresh()
	assert frappe.db.get_value(BC, approved_case.name, "npv") == approved_case.npv


@pytest.mark.parametrize(
	("field", "value"),
	[("end_date", 730), ("start_date", -30), ("agreement_title", "Rewritten"), ("customer", "x")],
)
def test_editing_an_active_agreement_is_refused(browsers, active_agreement, people, field, value):
	if field.endswith("_date"):
		value = str(add_days(active_agreement.get(field), value))
	response = browsers["pm"].resource("PUT", AG, active_agreement.name, json={field: value})
	assert response.status_code == 417, response.text[:500]
	refresh()
	assert frappe.db.get_value(AG, active_agreement.name, field) == active_agreement.get(field)


def test_amending_a_cancelled_case_makes_a_new_version(committed, browsers, people):
	case = committed_case(committed, people, "Approved")
	cancel = browsers["pm"].call(
		"brm_app.api.approvals.apply_action",
		doctype=BC,
		docname=case.name,
		action="Cancel",
		comment="Scope changes",
	)
	assert cancel.status_code == 200, cancel.text[:500]
	# what the desk's Amend button sends: a copy of the cancelled case pointing at it
	copy = frappe.copy_doc(case).as_dict(convert_dates_to_str=True)
	for key in ("name", "__islocal", "__unsaved", "creation", "modified", "workflow_state"):
		copy.pop(key, None)
	copy.update({"amended_from": case.name, "docstatus": 0, "discount_rate": 12})
	response = browsers["rm"].resource("POST", BC, json=copy)
	assert response.status_code == 200, response.text[:500]
	amended = response.json()["data"]
	committed.add(BC, amended["name"])
	assert amended["name"] != case.name and amended["name"].startswith(case.name)
	assert (amended["docstatus"], amended["workflow_state"], amended["discount_rate"]) == (0, "Draft", 12)
	assert amended["npv"] != case.npv
	refresh()
	assert frappe.db.get_value(BC, case.name, ["docstatus", "workflow_state", "discount_rate"]) == (
		2,
		"Cancelled",
		case.discount_rate,
	)
