"""Case 31 (docs/security.md): delete, edit or insert a child row of a submitted or pending BRM record outside
its parent's save → refused (brm_app.controllers.records.BRMChildRow).

frappe checks a child row's permissions on its parent *doctype*, so a BRM Process Manager (who may delete
business cases) could delete an approval log row, or a cost line of an approved case, leaving it with
stale totals. Over HTTP against a real server on loopback, as a process manager, on an approved case and on
a case pending approval: frappe.desk.reportview.delete_items (which answers 200 and reports failures
aside, so the rows are checked in the database), frappe.client.delete, DELETE / PUT / POST /api/resource
on the child doctype. The parent's own save still changes its rows (the relationship manager edits a
draft's costs, and the totals follow).
"""

import frappe
import pytest

from tests.support.security import (
	HttpUser,
	committed_case,
	refresh,
	workflow_people_fixture,
)

CASE = "Business Case"
LOG = "BRM Approval Log"
COST = "Business Case Cost"

people = workflow_people_fixture("c31")


@pytest.fixture(scope="module")
def pm(server, people):
	return HttpUser(server, people.pm)


@pytest.fixture(scope="module")
def rm(server, people):
	return HttpUser(server, people.rm)


@pytest.fixture(scope="module")
def cases(committed, people):
	approved = committed_case(committed, people, "Approved")
	pending = committed_case(committed, people, "Pending Approval")
	assert (approved.docstatus, pending.workflow_state) == (1, "Pending Approval")
	assert approved.approval_log and pending.approval_log and approved.costs and pending.costs
	return {"approved": approved, "pending": pending}


def _rows(doctype, parent) -> list[tuple]:
	refresh()
	return [
		tuple(row)
		for row in frappe.get_all(
			doctype, filters={"parent": parent, "parenttype": CASE}, fields=["name", "modified"], as_list=True
		)
	]


def _totals(name) -> tuple:
	refresh()
	return tuple(frappe.db.get_value(CASE, name, ["total_cost", "npv", "workflow_state", "docstatus"]))


@pytest.fixture(params=["approved", "pending"])
def case(request, cases):
	return cases[request.param]


# frappe.client.delete removes a child row through its parent's save: the parent's rules answer
# (the approval guard keeps the log as stored; a submitted case refuses the change, a pending one is locked)
CLIENT_DELETE = {
	(1, LOG): 200,
	(1, COST): 417,  # UpdateAfterSubmitError
	(0, LOG): 200,
	(0, COST): 417,  # ApprovalLockedError
}


@pytest.mark.parametrize("doctype", [LOG, COST])
def test_deleting_child_rows_outside_the_parent_is_refused(pm, case, doctype):
	rows = _rows(doctype, case.name)
	totals = _totals(case.name)
	row = rows[0][0]
	bulk = pm.call("frappe.desk.reportview.delete_items", doctype=doctype, items=[row])
	assert bulk.status_code == 200, bulk.text[:500]  # frappe's bulk delete reports failures aside
	assert _rows(doctype, case.name) == rows
	resource = pm.resource("DELETE", doctype, row)
	assert resource.status_code == 403, resource.text[:500]
	assert _rows(doctype, case.name) == rows
	through_parent = pm.call("frappe.client.delete", doctype=doctype, name=row)
	assert through_parent.status_code == CLIENT_DELETE[(case.docstatus, doctype)], through_parent.text[:500]
	assert _rows(doctype, case.name) == rows
	assert _totals(case.name) == totals


def test_editing_a_cost_row_outside_the_parent_is_refused(pm, case):
	rows = _rows(COST, case.name)
	totals = _totals(case.name)
	response = pm.resource("PUT", COST, rows[0][0], json={"amount": 1})
	assert response.status_code == 403, response.text[:500]
	assert _rows(COST, case.name) == rows
	assert _totals(case.name) == totals
	refresh()
	assert frappe.db.get_value(COST, rows[0][0], "amount") != 1


def test_inserting_an_approval_log_row_outside_the_parent_is_refused(pm, people, case):
	rows = _rows(LOG, case.name)
	response = pm.resource(
		"POST",
		LOG,
		json={
			"parent": case.name,
			"parenttype": CASE,
			"parentfield": "approval_log",
			"action": "Approve",
			"state_from": "Pending Approval",
			"state_to": "Approved",
			"user": people.pm,
		},
	)
	assert response.status_code == 403, response.text[:500]
	assert _rows(LOG, case.name) == rows


def test_rows_still_change_through_the_parents_save(committed, people, rm):
	draft = committed_case(committed, people, "Draft")
	response = rm.resource(
		"PUT",
		CASE,
		draft.name,
		json={"costs": [{"description": "Build", "cost_type": "Capex", "year": 0, "amount": 2500}]},
	)
	assert response.status_code == 200, response.text[:500]
	refresh()
	assert frappe.db.get_value(CASE, draft.name, "total_cost") == 2500
	assert frappe.get_all(COST, filters={"parent": draft.name}, pluck="amount") == [2500]
