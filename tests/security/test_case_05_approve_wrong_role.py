"""docs/security.md case 5: approve / reject by a role not allowed in the transition → refused.

Over HTTP against a real server on loopback, as logged-in users: a relationship manager (who prepared the
case and manages its portfolio) and a process owner try to approve or reject a business case awaiting a
process manager's approval, through the form's endpoint (apply_action) and frappe's own apply_workflow; a
relationship manager tries to activate an agreement awaiting sign-off. Each is refused with a clear error and
the stored state does not move; the process manager's approval then goes through.
"""

import frappe
import pytest

from tests.support.security import (
	HttpUser,
	committed_agreement,
	committed_case,
	exc_type,
	server_message,
	state_of,
	workflow_people_fixture,
)

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures

BC, AG = "Business Case", "Customer Agreement"


people = workflow_people_fixture("c05")


@pytest.fixture(scope="module")
def browsers(server, people):
	return {key: HttpUser(server, getattr(people, key)) for key in ("rm", "pm", "po")}


@pytest.mark.parametrize("who", ["rm", "po"])
@pytest.mark.parametrize("action", ["Approve", "Reject"])
def test_approve_or_reject_by_a_role_not_in_the_transition_is_refused_over_http(
	committed,
	people,
	browsers,
	who,
	action,
):
	case = committed_case(committed, people)
	browser = browsers[who]

	form = browser.call(
		"brm_app.api.approvals.apply_action",
		doctype=BC,
		docname=case.name,
		action=action,
		comment="not mine to decide",
	)
	assert form.status_code == 417, form.text
	assert exc_type(form) == "ApprovalRoleError"
	assert "BRM Process Manager" in server_message(form)

	doc = frappe.get_doc(BC, case.name).as_dict(convert_dates_to_str=True)
	framework = browser.call("frappe.model.workflow.apply_workflow", doc=doc, action=action)
	assert framework.status_code == 417, framework.text
	assert exc_type(framework) in ("WorkflowTransitionError", "ApprovalRoleError", "PermissionError")

	assert state_of(BC, case.name) == ("Pending Approval", 0)
	assert not frappe.db.get_value(BC, case.name, "approver")


def test_the_allowed_role_can_approve_the_same_case(committed, people, browsers):
	case = committed_case(committed, people)
	response = browsers["pm"].call(
		"brm_app.api.approvals.apply_action", doctype=BC, docname=case.name, action="Approve"
	)
	assert response.status_code == 200, response.text
	assert state_of(BC, case.name) == ("Approved", 1)
	assert frappe.db.get_value(BC, case.name, "approver") == people.pm


def test_a_relationship_manager_cannot_activate_an_agreement_over_http(committed, people, browsers):
	agreement = committed_agreement(committed, people)
	form = browsers["rm"].call(
		"brm_app.api.approvals.apply_action", doctype=AG, docname=agreement.name, action="Activate"
	)
	assert form.status_code == 417, form.text
	assert exc_type(form) == "ApprovalRoleError"
	# nor by saving the state or submitting through the REST API
	put = browsers["rm"].resource("PUT", AG, agreement.name, json={"workflow_state": "Active"})
	assert put.status_code == 417, put.text
	assert state_of(AG, agreement.name) == ("Pending Sign-off", 0)
