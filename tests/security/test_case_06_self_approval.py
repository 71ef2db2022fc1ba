"""docs/security.md case 6: self-approval through apply_workflow, through setting `workflow_state` by save or
set_value, by bulk action, or after rewriting `owner` → refused; the rule rests on the immutable
"prepared by" field.

Over HTTP as a logged-in user who holds both the relationship manager and the process manager role and
prepared the case: every path to "Approved" is refused with a clear error, the stored case does not move,
and another process manager can approve it.
"""

import frappe
import pytest

from tests.support.security import (
	PROCESS_MANAGER,
	RELATIONSHIP_MANAGER,
	HttpUser,
	committed_case,
	exc_type,
	server_message,
	state_of,
	workflow_people_fixture,
)

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

BC = "Business Case"
REFUSED = ("SelfApprovalError", "WorkflowTransitionError", "ApprovalRoleError", "PermissionError")


people = workflow_people_fixture("c06", preparer=(RELATIONSHIP_MANAGER, PROCESS_MANAGER))


@pytest.fixture(scope="module")
def preparer(server, people):
	return HttpUser(server, people.preparer)


@pytest.fixture
def own_case(committed, people):
	case = committed_case(committed, people, preparer=people.preparer)
	assert case.prepared_by == people.preparer
	return case


def as_dict(name):
	return frappe.get_doc(BC, name).as_dict(convert_dates_to_str=True)


def assert_not_approved(name):
	assert state_of(BC, name) == ("Pending Approval", 0)
	assert not frappe.db.get_value(BC, name, "approver")


def test_through_the_forms_apply_action(own_case, preparer):
	response = preparer.call(
		"brm_app.api.approvals.apply_action", doctype=BC, docname=own_case.name, action="Approve"
	)
	assert response.status_code == 417, response.text
	assert exc_type(response) == "SelfApprovalError"
	assert "someone else must approve" in server_message(response)
	assert_not_approved(own_case.name)


def test_through_frappes_apply_workflow(own_case, preparer):
	response = preparer.call(
		"frappe.model.workflow.apply_workflow", doc=as_dict(own_case.name), action="Approve"
	)
	assert response.status_code == 417, response.text
	assert exc_type(response) == "SelfApprovalError"
	assert_not_approved(own_case.name)


def test_by_saving_the_workflow_state(own_case, preparer):
	response = preparer.resource("PUT", BC, own_case.name, json={"workflow_state": "Approved"})
	assert response.status_code == 417, response.text
	assert exc_type(response) in REFUSED
	doc = {**as_dict(own_case.name), "workflow_state": "Approved"}
	saved = preparer.call("frappe.client.save", doc=doc)
	assert saved.status_code == 417, saved.text
	assert exc_type(saved) in REFUSED
	assert_not_approved(own_case.name)


def test_through_set_value(own_case, preparer):
	response = preparer.call(
		"frappe.client.set_value",
		doctype=BC,
		name=own_case.name,
		fieldname="workflow_state",
		value="Approved",
	)
	assert response.status_code == 417, response.text
	assert exc_type(response) in REFUSED
	assert_not_approved(own_case.name)


def test_by_submitting_through_run_doc_method(own_case, preparer):
	response = preparer.call("run_doc_method", docs=as_dict(own_case.name), method="submit")
	assert response.status_code == 417, response.text
	assert_not_approved(own_case.name)


def test_by_bulk_action(own_case, preparer):
	response = preparer.call(
		"frappe.model.workflow.bulk_workflow_approval",
		docnames=[own_case.name],
		doctype=BC,
		action="Approve",
	)
	# frappe's bulk action answers 200 and logs the documents it could not move
	assert response.status_code == 200, response.text
	assert_not_approved(own_case.name)


def test_after_rewriting_owner(own_case, people, preparer):
	frappe.db.set_value(BC, own_case.name, "owner", people.pm2, update_modified=False)
	frappe.db.commit()  # nosemgrep: the server must see the rewritten owner
	response = preparer.call(
		"brm_app.api.approvals.apply_action", doctype=BC, docname=own_case.name, action="Approve"
	)
	assert response.status_code == 417, response.text
	assert exc_type(response) == "SelfApprovalError"
	# nor can the preparer field itself be rewritten by the client
	put = preparer.resource("PUT", BC, own_case.name, json={"prepared_by": people.pm2})
	assert put.status_code == 417, put.text
	assert frappe.db.get_value(BC, own_case.name, "prepared_by") == people.preparer
	assert_not_approved(own_case.name)


def test_another_process_manager_may_approve_it(own_case, people, server):
	response = HttpUser(server, people.pm).call(
		"brm_app.api.approvals.apply_action", doctype=BC, docname=own_case.name, action="Approve"
	)
	assert response.status_code == 200, response.text
	assert state_of(BC, own_case.name) == ("Approved", 1)
	assert frappe.db.get_value(BC, own_case.name, ["prepared_by", "approver"]) == (
		people.preparer,
		people.pm,
	)
