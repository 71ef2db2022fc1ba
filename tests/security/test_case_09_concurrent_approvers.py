"""Two approvers act on the same business case at the same moment (SECURITY.md case 9): exactly one
transition happens, the other approver gets a clear conflict error, nothing is half-written.

Each approver runs in its own thread on its own database connection. The case must be committed for the
other connections to see it, so these tests (and only these) commit: they create, commit, run, and delete
what they made in a `finally`, committing the clean-up.
"""

import threading
from types import SimpleNamespace

import frappe
import pytest
from frappe.model.workflow import WorkflowTransitionError, apply_workflow

from brm_app.approvals.api import apply_action
from brm_app.exceptions import ApprovalConflictError, ApprovalTransitionError
from brm_app.services import approval_rules as rules
from tests.support.factories import make_business_case, make_portfolio
from tests.support.users import as_user
from tests.support.workflow import make_approver, set_threshold, to_pending_approval

CASE_CHILD_TABLES = (
	"Business Case Requirement",
	"Business Case Cost",
	"Business Case Benefit",
	"BRM Approval Log",
)


def run_in_threads(user_calls: list[tuple[str, object]]) -> list[SimpleNamespace]:
	"""Run each (user, fn) in its own thread and connection, started together; each commits on success
	and rolls back on error. Returns one result per call: ok, value, error."""
	site, sites_path = frappe.local.site, frappe.local.sites_path
	barrier = threading.Barrier(len(user_calls))
	results = [None] * len(user_calls)

	def worker(idx, user, fn):
		frappe.init(site=site, sites_path=sites_path)
		frappe.connect()
		try:
			frappe.set_user(user)
			barrier.wait(timeout=60)
			value = fn()
			frappe.db.commit()  # nosemgrep: each approver is its own request; the test cleans up after itself
			results[idx] = SimpleNamespace(ok=True, value=value, error=None)
		except Exception as error:
			frappe.db.rollback()
			results[idx] = SimpleNamespace(ok=False, value=None, error=error)
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=worker, args=(i, u, fn)) for i, (u, fn) in enumerate(user_calls)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=120)
	assert all(not t.is_alive() for t in threads), "an approver thread hung"
	return results


@pytest.fixture
def committed_case():
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
		actions = frappe.get_all("Workflow Action", {"reference_name": made.case}, pluck="name")
		if actions:
			frappe.db.delete("Workflow Action Permitted Role", {"parent": ("in", actions)})
			frappe.db.delete("Workflow Action", {"name": ("in", actions)})
		for child in CASE_CHILD_TABLES:
			frappe.db.delete(child, {"parenttype": "Business Case", "parent": made.case})
		frappe.db.delete("Comment", {"reference_doctype": "Business Case", "reference_name": made.case})
		frappe.db.delete("Version", {"ref_doctype": "Business Case", "docname": made.case})
		queued = frappe.get_all("Email Queue", {"reference_name": made.case}, pluck="name")
		if queued:
			frappe.db.delete("Email Queue Recipient", {"parent": ("in", queued)})
			frappe.db.delete("Email Queue", {"name": ("in", queued)})
		frappe.db.delete("Business Case", made.case)
	if made.portfolio:
		frappe.delete_doc("Customer Portfolio", made.portfolio, force=True, ignore_permissions=True)
	if made.customer:
		frappe.delete_doc("Customer", made.customer, force=True, ignore_permissions=True)
	for user in made.users:
		frappe.db.delete("Has Role", {"parent": user, "parenttype": "User"})
		frappe.db.delete("User", user)
		frappe.clear_cache(user=user)


def _approvals(name: str) -> list:
	return frappe.get_all(
		"BRM Approval Log",
		filters={"parenttype": "Business Case", "parent": name, "action": "Approve"},
		fields=["user", "state_to"],
	)


def test_two_simultaneous_approvals_through_the_form_one_wins_the_other_gets_a_conflict(committed_case):
	def approve():
		return apply_action(
			"Business Case", committed_case.name, "Approve", expected_state="Pending Approval"
		)

	results = run_in_threads([(user, approve) for user in committed_case.managers])

	assert sorted(r.ok for r in results) == [False, True]
	loser = next(r for r in results if not r.ok)
	assert isinstance(loser.error, ApprovalConflictError), repr(loser.error)
	assert "changed by" in str(loser.error)
	winner = committed_case.managers[[r.ok for r in results].index(True)]
	stored = frappe.db.get_value(
		"Business Case", committed_case.name, ["workflow_state", "docstatus", "approver"], as_dict=True
	)
	assert (stored.workflow_state, stored.docstatus, stored.approver) == ("Approved", 1, winner)
	assert [row.user for row in _approvals(committed_case.name)] == [winner]


def test_two_simultaneous_approvals_through_frappes_apply_workflow_make_one_transition(committed_case):
	def approve():
		doc = frappe.get_doc("Business Case", committed_case.name)
		return apply_workflow(doc, "Approve").workflow_state

	results = run_in_threads([(user, approve) for user in committed_case.managers])

	assert sorted(r.ok for r in results) == [False, True]
	loser = next(r for r in results if not r.ok)
	# the row lock makes the second one wait, then it finds the case changed (or already approved)
	assert isinstance(
		loser.error, frappe.TimestampMismatchError | WorkflowTransitionError | ApprovalTransitionError
	), repr(loser.error)
	assert frappe.db.get_value("Business Case", committed_case.name, ["workflow_state", "docstatus"]) == (
		"Approved",
		1,
	)
	assert len(_approvals(committed_case.name)) == 1
