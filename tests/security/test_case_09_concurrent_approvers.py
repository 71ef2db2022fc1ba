"""docs/security.md case 9: two approvers act at the same moment → one transition happens, the other gets a
clear conflict error (TimestampMismatchError / row lock), nothing half-written.

Over HTTP on a real (threaded) server: two process managers, each logged in, send their approval at the
same moment, through the form's endpoint and through frappe's apply_workflow. And in this process: each
approver in its own thread on its own database connection, started together on a barrier.

The case must be committed for the server and the other connections to see it, so these tests commit what
they make and delete it again afterwards.
"""

import concurrent.futures
import threading
from types import SimpleNamespace

import frappe
import pytest
from frappe.model.workflow import WorkflowTransitionError, apply_workflow

from brm_app.api.approvals import apply_action
from brm_app.exceptions import ApprovalConflictError, ApprovalTransitionError
from brm_app.services import approval_rules as rules
from tests.support.factories import make_business_case, make_portfolio
from tests.support.security import (
	HttpUser,
	committed_case,
	exc_type,
	purge,
	purge_users,
	restore_threshold,
	run_in_threads,
	server_message,
	state_of,
	workflow_people,
)
from tests.support.users import as_user
from tests.support.workflow import make_approver, set_threshold, to_pending_approval

pytest_plugins = ["tests.support.security"]  # committed, server and the other fixtures
pytestmark = pytest.mark.usefixtures("rolled_back")


@pytest.fixture
def racing_case():
	"""A case awaiting one-level approval and two process managers, committed; removed afterwards."""
	original_pdf = run_in_threads(
		[("Administrator", lambda: frappe.db.get_single_value("Print Settings", "send_print_as_pdf"))]
	)[0].value
	made = SimpleNamespace(users=[], case=None, portfolio=None, customer=None)
	try:
		set_threshold(10**12)
		preparer = make_approver(rules.RELATIONSHIP_MANAGER)
		made.users = [preparer, make_approver(rules.PROCESS_MANAGER), make_approver(rules.PROCESS_MANAGER)]
		portfolio = make_portfolio(relationship_manager=preparer)
		made.portfolio, made.customer = portfolio.name, portfolio.customer
		with as_user(preparer):
			case = make_business_case(customer=portfolio.customer)
		made.case = case.name
		to_pending_approval(case, preparer)
		# the rolled-back settings of the test harness must not be committed with the case
		frappe.db.set_single_value("Print Settings", "send_print_as_pdf", original_pdf)
		frappe.db.commit()  # nosemgrep: the other connections must see the case
		yield SimpleNamespace(name=case.name, managers=made.users[1:])
	finally:
		frappe.db.rollback()
		_clean_up(made)
		frappe.db.commit()  # nosemgrep: removes what this test committed
		frappe.clear_document_cache("BRM Settings", "BRM Settings")


def _clean_up(made) -> None:
	if made.case:
		purge("Business Case", made.case)
	if made.portfolio:
		frappe.delete_doc("Customer Portfolio", made.portfolio, force=True, ignore_permissions=True)
	if made.customer:
		frappe.delete_doc("Customer", made.customer, force=True, ignore_permissions=True)
	purge_users(made.users)


def _approvals(name: str) -> list:
	return frappe.get_all(
		"BRM Approval Log",
		filters={"parenttype": "Business Case", "parent": name, "action": "Approve"},
		fields=["user", "state_to"],
	)


def test_two_simultaneous_approvals_through_the_form_one_wins_the_other_gets_a_conflict(racing_case):
	def approve():
		return apply_action("Business Case", racing_case.name, "Approve", expected_state="Pending Approval")

	results = run_in_threads([(user, approve) for user in racing_case.managers])

	assert sorted(r.ok for r in results) == [False, True]
	loser = next(r for r in results if not r.ok)
	assert isinstance(loser.error, ApprovalConflictError), repr(loser.error)
	assert "changed by" in str(loser.error)
	winner = racing_case.managers[[r.ok for r in results].index(True)]
	stored = frappe.db.get_value(
		"Business Case", racing_case.name, ["workflow_state", "docstatus", "approver"], as_dict=True
	)
	assert (stored.workflow_state, stored.docstatus, stored.approver) == ("Approved", 1, winner)
	assert [row.user for row in _approvals(racing_case.name)] == [winner]


def test_two_simultaneous_approvals_through_frappes_apply_workflow_make_one_transition(racing_case):
	def approve():
		doc = frappe.get_doc("Business Case", racing_case.name)
		return apply_workflow(doc, "Approve").workflow_state

	results = run_in_threads([(user, approve) for user in racing_case.managers])

	assert sorted(r.ok for r in results) == [False, True]
	loser = next(r for r in results if not r.ok)
	# the row lock makes the second one wait, then it finds the case changed (or already approved)
	assert isinstance(
		loser.error, frappe.TimestampMismatchError | WorkflowTransitionError | ApprovalTransitionError
	), repr(loser.error)
	assert frappe.db.get_value("Business Case", racing_case.name, ["workflow_state", "docstatus"]) == (
		"Approved",
		1,
	)
	assert len(_approvals(racing_case.name)) == 1


# --- over HTTP -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def people(committed, server):
	people = workflow_people(committed, "c09")
	yield people
	restore_threshold(people)


@pytest.fixture(scope="module")
def managers(server, people):
	return [HttpUser(server, people.pm), HttpUser(server, people.pm2)]


def at_the_same_moment(calls) -> list:
	"""Send the HTTP calls from threads released together; returns the responses in order."""
	barrier = threading.Barrier(len(calls))

	def fire(call):
		barrier.wait(timeout=60)
		return call()

	with concurrent.futures.ThreadPoolExecutor(max_workers=len(calls)) as pool:
		return list(pool.map(fire, calls))


def test_two_approvers_over_http_through_the_form_one_wins_the_other_gets_a_conflict(
	committed, people, managers
):
	case = committed_case(committed, people)
	responses = at_the_same_moment(
		[
			lambda browser=browser: browser.call(
				"brm_app.api.approvals.apply_action",
				doctype="Business Case",
				docname=case.name,
				action="Approve",
				expected_state="Pending Approval",
			)
			for browser in managers
		]
	)
	codes = sorted(r.status_code for r in responses)
	assert codes == [200, 417], [r.text[:300] for r in responses]
	loser = next(r for r in responses if r.status_code == 417)
	assert exc_type(loser) == "ApprovalConflictError"
	assert "changed by" in server_message(loser)
	winner = managers[[r.status_code for r in responses].index(200)].email
	assert state_of("Business Case", case.name) == ("Approved", 1)
	assert frappe.db.get_value("Business Case", case.name, "approver") == winner
	assert [row.user for row in _approvals(case.name)] == [winner]


def test_two_approvers_over_http_through_frappes_apply_workflow_make_one_transition(
	committed, people, managers
):
	case = committed_case(committed, people)
	doc = frappe.get_doc("Business Case", case.name).as_dict(convert_dates_to_str=True)
	responses = at_the_same_moment(
		[
			lambda browser=browser: browser.call(
				"frappe.model.workflow.apply_workflow", doc=doc, action="Approve"
			)
			for browser in managers
		]
	)
	codes = sorted(r.status_code for r in responses)
	assert codes == [200, 417], [r.text[:300] for r in responses]
	loser = next(r for r in responses if r.status_code == 417)
	assert exc_type(loser) in ("TimestampMismatchError", "WorkflowTransitionError", "ApprovalTransitionError")
	assert server_message(loser)
	assert state_of("Business Case", case.name) == ("Approved", 1)
	assert len(_approvals(case.name)) == 1
