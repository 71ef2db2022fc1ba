"""Business Case approval workflow (issue 4; docs/design.md "Processes"; docs/security.md cases 5, 6, 7, 8).

Everything runs on the real site as real users (frappe.set_user through tests/support/users.py); the desk
path is frappe.model.workflow.apply_workflow, the forms' path brm_app.api.approvals.apply_action.
"""

import json
from types import SimpleNamespace

import frappe
import pytest
from frappe.model.workflow import WorkflowTransitionError, apply_workflow, bulk_workflow_approval

from brm_app.api.approvals import apply_action, confirm_workflow_action, pending_approval_states
from brm_app.approvals.guard import clear_action_comment, set_action_comment
from brm_app.exceptions import (
	ApprovalCommentRequiredError,
	ApprovalConflictError,
	ApprovalLockedError,
	ApprovalPreconditionError,
	ApprovalRoleError,
	ApprovalTransitionError,
	OpportunityStatusTransitionError,
	SelfApprovalError,
)
from brm_app.services import approval_rules as rules
from brm_app.setup.workflows import ensure_workflows
from brm_app.signoff.digests import case_digest, requirement_digest
from tests.support.factories import make_business_case, make_opportunity, make_portfolio
from tests.support.users import as_user
from tests.support.workflow import (
	act,
	add_signatory,
	approve_business_case,
	customer_decides,
	make_approver,
	make_ready,
	open_sign_offs,
	quiet_mail,
	set_threshold,
	to_customer_sign_off,
	to_pending_approval,
)

RM, PM, PO = rules.RELATIONSHIP_MANAGER, rules.PROCESS_MANAGER, rules.PROCESS_OWNER
BC = rules.BUSINESS_CASE_WORKFLOW
ONE_LEVEL = 10**12  # threshold far above the factory's total cost (1000)
TWO_LEVELS = 500


@pytest.fixture
def people():
	"""A relationship manager who prepares cases for their customer, and approvers."""
	quiet_mail()
	preparer = make_approver(RM)
	portfolio = make_portfolio(relationship_manager=preparer)
	set_threshold(ONE_LEVEL)
	return SimpleNamespace(
		preparer=preparer,
		customer=portfolio.customer,
		pm=make_approver(PM),
		po=make_approver(PO),
	)


def join_team(people, user: str) -> None:
	"""Put `user` on the relationship team of the people's customer."""
	portfolio = frappe.get_doc("Customer Portfolio", people.customer)
	portfolio.append("relationship_team", {"user": user})
	portfolio.save(ignore_permissions=True)


def new_case(people, **kw):
	with as_user(people.preparer):
		return make_business_case(customer=people.customer, **kw)


def case_in(people, state: str, levels: int = 1):
	"""A case of `people.preparer` in `state`, needing `levels` approval levels."""
	set_threshold(TWO_LEVELS if levels >= 2 else ONE_LEVEL)
	case = new_case(people)
	if state == "Draft":
		return case
	if state == "Under Review":
		with as_user(people.preparer):
			make_ready(case)
		return act(case, "Submit for Review", people.preparer)
	if state == "Customer Sign-off":
		return to_customer_sign_off(case, people.preparer)
	case = to_pending_approval(case, people.preparer)
	if state == "Pending Approval":
		return case
	if state == "Rejected":
		return act(case, "Reject", people.pm, comment="Not worth it")
	case = act(case, "Approve", people.pm)
	if state == "Pending Final Approval" or case.workflow_state == state:
		return case
	return act(case, "Approve", people.po)


def state_of(case) -> str:
	return frappe.db.get_value("Business Case", case.name, "workflow_state")


def logged_actions(case) -> list[str]:
	return frappe.get_all(
		"BRM Approval Log",
		filters={"parenttype": "Business Case", "parent": case.name},
		order_by="idx asc",
		pluck="action",
	)


def sign_off_status(name: str) -> str:
	return frappe.db.get_value("Customer Sign-off", name, "status")


# --- definitions ---------------------------------------------------------------------------------------


def test_the_workflow_is_on_the_site_as_defined():
	name = frappe.db.get_value("Workflow", {"document_type": "Business Case", "is_active": 1}, "name")
	assert name == "Business Case Approval"
	workflow = frappe.get_doc("Workflow", name)
	assert workflow.workflow_state_field == "workflow_state"
	assert workflow.send_email_alert == 1  # approvers are e-mailed with the Workflow Action
	assert {(t.state, t.action, t.next_state, t.allowed) for t in workflow.transitions} == {
		# the system steps (the customer's sign-off) are no button: they are not on the site's Workflow
		(t.state, t.action, t.next_state, role)
		for t in BC.transitions
		if not t.system
		for role in t.roles
	}
	assert {s.state for s in workflow.states} == {s.name for s in BC.states}


@pytest.fixture
def restore_workflow_cache():
	yield
	for spec in rules.WORKFLOWS.values():
		frappe.clear_document_cache("Workflow", spec.name)
		frappe.clear_cache(doctype=spec.document_type)


def test_ensure_workflows_twice_makes_no_duplicates_and_writes_nothing(restore_workflow_cache):
	ensure_workflows()
	assert ensure_workflows() == []
	for spec in rules.WORKFLOWS.values():
		assert frappe.db.count("Workflow", {"document_type": spec.document_type}) == 1
		assert frappe.db.count("Workflow Transition", {"parent": spec.name}) == sum(
			len(t.roles) for t in spec.transitions if not t.system
		)
	for state in BC.states:
		assert frappe.db.count("Workflow State", {"name": state.name}) == 1


def test_ensure_workflows_restores_the_structure_and_keeps_admin_settings(restore_workflow_cache):
	workflow = frappe.get_doc("Workflow", BC.name)
	workflow.send_email_alert = 0
	# an administrator lets relationship managers approve: structure, owned by the code
	workflow.append(
		"transitions",
		{"state": "Pending Approval", "action": "Approve", "next_state": "Approved", "allowed": RM},
	)
	workflow.save()
	assert ensure_workflows() == [BC.name]
	workflow.reload()
	assert workflow.send_email_alert == 0
	assert not [t for t in workflow.transitions if t.allowed == RM and t.action == "Approve"]
	assert ensure_workflows() == []


def test_ensure_workflows_gives_records_made_before_the_workflow_their_state(people, restore_workflow_cache):
	rejected = case_in(people, "Rejected")
	draft = new_case(people)
	for case in (rejected, draft):
		frappe.db.set_value("Business Case", case.name, "workflow_state", None, update_modified=False)
	ensure_workflows()
	assert state_of(rejected) == "Rejected"  # not the first submitted state (Approved)
	assert state_of(draft) == "Draft"


# --- the happy paths ---------------------------------------------------------------------------------


def test_one_level_approval_end_to_end(people):
	opportunity = make_opportunity(customer=people.customer)
	case = new_case(people, service_opportunity=opportunity.name)
	assert case.workflow_state == "Draft"
	assert case.approval_levels == 1

	case = to_customer_sign_off(case, people.preparer)
	assert case.workflow_state == "Customer Sign-off"
	assert case.customer_sign_off_started_on and not case.submitted_for_approval_on
	(sign_off,) = open_sign_offs(case)
	signatory = case.signatories[0].full_name
	customer_decides(sign_off)
	case.reload()
	assert case.workflow_state == "Pending Approval"
	assert case.submitted_for_approval_on and case.customer_signed_off_on
	assert case.customer_sign_off_days >= 0
	assert case.requirements[0].signed_off_by == signatory
	assert case.requirements[0].sign_off_evidence == sign_off
	case = act(case, "Approve", people.pm, comment="Good value")

	assert case.workflow_state == "Approved"
	assert case.docstatus == 1
	assert (case.decision, case.approver) == ("Approved", people.pm)
	assert case.decided_on and case.cycle_time_days >= 0
	assert not case.first_approver
	assert frappe.db.get_value("Service Opportunity", opportunity.name, "status") == "Approved"
	assert [(r.action, r.state_from, r.state_to) for r in case.approval_log] == [
		("Submit for Review", "Draft", "Under Review"),
		("Send for Customer Sign-off", "Under Review", "Customer Sign-off"),
		("Customer Accepted", "Customer Sign-off", "Pending Approval"),
		("Approve", "Pending Approval", "Approved"),
	]
	assert [r.user for r in case.approval_log if r.action != "Customer Accepted"] == [
		people.preparer,
		people.preparer,
		people.pm,
	]
	# the system step names who signed (the step is the sign-off service's, not a user's)
	assert case.approval_log[2].comment == f"Signed off by the customer: {signatory}"
	assert case.approval_log[-1].comment == "Good value"
	assert all(r.at for r in case.approval_log)


def test_two_level_approval_above_the_threshold(people):
	set_threshold(TWO_LEVELS)
	case = to_pending_approval(new_case(people), people.preparer)
	assert case.approval_levels == 2

	case = act(case, "Approve", people.pm)
	assert case.workflow_state == "Pending Final Approval"
	assert case.docstatus == 0
	assert (case.first_approver, bool(case.first_approved_on)) == (people.pm, True)

	case = act(case, "Approve", people.po)
	assert (case.workflow_state, case.docstatus, case.approver) == ("Approved", 1, people.po)
	assert [r.user for r in case.approval_log if r.action == "Approve"] == [people.pm, people.po]


def test_below_the_threshold_the_managers_approval_is_final(people):
	set_threshold(1000)  # equal to the total cost: not above it
	case = act(to_pending_approval(new_case(people), people.preparer), "Approve", people.pm)
	assert case.workflow_state == "Approved"


def test_a_two_level_case_cannot_skip_the_final_approval(people):
	case = case_in(people, "Pending Approval", levels=2)
	with as_user(people.pm), pytest.raises(ApprovalTransitionError):
		frappe.get_doc("Business Case", case.name).submit()
	assert state_of(case) == "Pending Approval"


def test_the_levels_are_fixed_when_the_case_enters_pending_approval(people):
	case = case_in(people, "Pending Approval", levels=1)
	set_threshold(TWO_LEVELS)  # lowered afterwards: this case keeps its one level
	case = act(case, "Approve", people.pm)
	assert (case.approval_levels, case.workflow_state) == (1, "Approved")


def test_a_threshold_of_zero_means_one_level(people):
	set_threshold(0)
	assert to_pending_approval(new_case(people), people.preparer).approval_levels == 1


# --- every transition, allowed and refused per role (save / submit / cancel paths) ---------------------

USER_STEPS = [t for t in BC.transitions if not t.system]
SYSTEM_STEPS = [t for t in BC.transitions if t.system]
MATRIX = [(t, role) for t in USER_STEPS for role in rules.BRM_ROLES]
NEEDS_DOCPERM = {1: "submit", 2: "cancel"}


@pytest.mark.parametrize(
	"transition,role", MATRIX, ids=[f"{t.state}-{t.action}-{t.next_state}-{r}" for t, r in MATRIX]
)
def test_every_transition_per_role(people, transition, role):
	levels = transition.levels or (2 if transition.state == "Pending Final Approval" else 1)
	case = case_in(people, transition.state, levels)
	assert state_of(case) == transition.state
	actor = make_approver(role)
	if role == RM:
		join_team(people, actor)  # row-level access lets them at the case: only the role rules decide
	target_docstatus = BC.docstatus_of(transition.next_state)
	doc = frappe.get_doc("Business Case", case.name)
	set_action_comment(doc.doctype, doc.name, "Reason given")

	def move():
		with as_user(actor):
			if target_docstatus == 2:
				doc.cancel()
			elif target_docstatus == 1 and doc.docstatus == 0:
				doc.workflow_state = transition.next_state
				doc.submit()
			else:
				doc.workflow_state = transition.next_state
				doc.save()

	try:
		if role in transition.roles:
			move()
			assert state_of(case) == transition.next_state
			assert frappe.db.get_value("Business Case", case.name, "docstatus") == target_docstatus
			# recorded as the user's own step (Under Review -> Draft is Send Back, never Sign-off
			# Voided; Customer Sign-off -> Draft is Withdraw, never Customer Rejected)
			assert logged_actions(case)[-1] == transition.action
		else:
			lacks_docperm = (
				target_docstatus != doc.docstatus
				and NEEDS_DOCPERM.get(target_docstatus)
				and not frappe.has_permission("Business Case", NEEDS_DOCPERM[target_docstatus], user=actor)
			)
			with pytest.raises(frappe.PermissionError if lacks_docperm else ApprovalRoleError):
				move()
			assert state_of(case) == transition.state
	finally:
		clear_action_comment(doc.doctype, doc.name)


SYSTEM_ACTORS = (*rules.BRM_ROLES, "System Manager")
SYSTEM_MATRIX = [(t, role) for t in SYSTEM_STEPS for role in SYSTEM_ACTORS]


@pytest.mark.parametrize(
	"transition,role",
	SYSTEM_MATRIX,
	ids=[f"{t.state}-{t.action}-{t.next_state}-{r}" for t, r in SYSTEM_MATRIX],
)
def test_no_role_takes_a_system_step(people, transition, role):
	"""The customer's decision (Customer Accepted / Rejected) and a voided sign-off are steps of the
	sign-off service: the workflow action is refused to every role, on the form's and the desk's path."""
	case = case_in(people, transition.state)
	before = logged_actions(case)
	actor = make_approver(role)
	if role == RM:
		join_team(people, actor)
	with as_user(actor), pytest.raises(ApprovalRoleError, match=f"Only {rules.SYSTEM_ROLE} can"):
		apply_action("Business Case", case.name, transition.action, comment="Reason given")
	with as_user(actor), pytest.raises(WorkflowTransitionError, match="Not a valid Workflow Action"):
		apply_workflow(frappe.get_doc("Business Case", case.name), transition.action)
	assert state_of(case) == transition.state
	assert logged_actions(case) == before


@pytest.mark.parametrize("role", [*SYSTEM_ACTORS, "Administrator"])
def test_nobody_moves_a_case_into_pending_approval_for_the_customer(people, role):
	"""Saving the state (save, set_value) is refused to every user, the Administrator too (frappe's
	Workflow shows them the system step): the guard knows no such step for a user."""
	case = case_in(people, "Customer Sign-off")
	(sign_off,) = open_sign_offs(case)
	actor = "Administrator" if role == "Administrator" else make_approver(role)
	if role == RM:
		join_team(people, actor)
	doc = frappe.get_doc("Business Case", case.name)
	doc.workflow_state = "Pending Approval"
	no_such_step = (
		"Customer Sign-off</strong> to <strong>Pending Approval</strong>: there is no such workflow step"
	)
	with as_user(actor), pytest.raises(ApprovalTransitionError, match=no_such_step):
		doc.save()
	with as_user(actor), pytest.raises(ApprovalTransitionError, match=no_such_step):
		frappe.client.set_value("Business Case", case.name, "workflow_state", "Pending Approval")
	assert state_of(case) == "Customer Sign-off"
	assert sign_off_status(sign_off) == "Requested"
	assert not frappe.db.get_value("Business Case Requirement", case.requirements[0].name, "signed_off_by")


def test_the_administrators_customer_accepted_action_is_refused(people):
	"""The step is no action of the site's Workflow (frappe refuses it), and the guard would refuse a save
	into Pending Approval as well (test_nobody_moves_a_case_into_pending_approval_for_the_customer)."""
	case = case_in(people, "Customer Sign-off")
	assert frappe.session.user == "Administrator"
	with pytest.raises(WorkflowTransitionError, match="Not a valid Workflow Action"):
		apply_action("Business Case", case.name, "Customer Accepted")
	assert state_of(case) == "Customer Sign-off"
	assert "Customer Accepted" not in logged_actions(case)


def test_the_customers_rejection_is_the_system_step_back_to_draft(people):
	case = case_in(people, "Customer Sign-off")
	(sign_off,) = open_sign_offs(case)
	customer_decides(sign_off, "Rejected", comment="Office hours are too short")
	case.reload()
	assert case.workflow_state == "Draft"
	assert sign_off_status(sign_off) == "Rejected"
	assert (case.approval_log[-1].action, case.approval_log[-1].state_from) == (
		"Customer Rejected",
		"Customer Sign-off",
	)
	assert "Office hours are too short" in case.approval_log[-1].comment
	assert "Office hours are too short" in case.send_back_reason


def test_withdraw_needs_a_reason_and_closes_the_open_sign_offs(people):
	case = case_in(people, "Customer Sign-off")
	(sign_off,) = open_sign_offs(case)
	with pytest.raises(ApprovalCommentRequiredError):
		act(case, "Withdraw", people.preparer)
	assert (state_of(case), sign_off_status(sign_off)) == ("Customer Sign-off", "Requested")
	case = act(case, "Withdraw", people.preparer, comment="Costs are wrong")
	assert (case.workflow_state, case.send_back_reason) == ("Draft", "Costs are wrong")
	assert sign_off_status(sign_off) == "Withdrawn"
	assert open_sign_offs(case) == []


def test_a_change_that_voids_the_customers_sign_off_sends_a_case_under_review_back_to_draft(people):
	case = act(case_in(people, "Pending Approval"), "Send Back", people.pm, comment="Check the text")
	(sign_off,) = case.requirements[0].sign_off_evidence.split(", ")
	case = act(case, "Submit for Review", people.preparer)
	assert case.requirements[0].signed_off_by  # the customer's acceptance still matches the case
	case.requirements[0].acceptance_criteria = "Answered within 10 s"
	with as_user(people.preparer):
		case.save()
	case.reload()
	assert case.workflow_state == "Draft"
	assert (case.approval_log[-1].action, case.approval_log[-1].user) == ("Sign-off Voided", people.preparer)
	assert "Requirement 1 changed" in case.approval_log[-1].comment
	assert sign_off_status(sign_off) == "Voided"
	assert not case.requirements[0].signed_off_by


def test_a_role_not_in_the_transition_is_refused_on_the_desk_and_form_paths(people):
	case = case_in(people, "Pending Approval")
	relationship_manager = make_approver(RM)
	join_team(people, relationship_manager)
	with as_user(relationship_manager), pytest.raises(frappe.ValidationError):
		apply_workflow(frappe.get_doc("Business Case", case.name), "Approve")
	with as_user(people.po), pytest.raises(ApprovalRoleError):
		apply_action("Business Case", case.name, "Approve")
	assert state_of(case) == "Pending Approval"


def test_a_step_that_does_not_exist_is_refused(people):
	case = new_case(people)
	case.workflow_state = "Pending Approval"
	with as_user(people.pm), pytest.raises(ApprovalTransitionError):
		case.save()
	with as_user(people.pm), pytest.raises(ApprovalTransitionError):
		frappe.get_doc("Business Case", case.name).submit()  # Draft -> Approved
	assert state_of(case) == "Draft"


def test_a_draft_cannot_be_set_to_a_submitted_state(people):
	case = case_in(people, "Pending Approval")
	with as_user(people.pm), pytest.raises(ApprovalTransitionError):
		frappe.client.set_value("Business Case", case.name, "workflow_state", "Approved")
	assert (state_of(case), frappe.db.get_value("Business Case", case.name, "docstatus")) == (
		"Pending Approval",
		0,
	)


def test_a_new_case_starts_in_draft(people):
	with as_user(people.preparer), pytest.raises(ApprovalTransitionError):
		make_business_case(customer=people.customer, workflow_state="Approved")
	with as_user(people.preparer), pytest.raises(ApprovalTransitionError):
		make_business_case(customer=people.customer, docstatus=1)


def test_workflow_actions_over_get_are_refused(people):
	"""docs/security.md case 8: frappe's e-mail links apply actions over GET."""
	case = case_in(people, "Pending Approval")
	previous = getattr(frappe.local, "request", None)
	frappe.local.request = SimpleNamespace(method="GET")
	try:
		with as_user(people.pm), pytest.raises(frappe.PermissionError):
			apply_workflow(frappe.get_doc("Business Case", case.name), "Approve")
	finally:
		frappe.local.request = previous
	assert state_of(case) == "Pending Approval"


def test_the_email_confirm_link_does_not_act(people):
	from frappe.utils.verified_command import get_signed_params
	from werkzeug.test import EnvironBuilder
	from werkzeug.wrappers import Request

	case = case_in(people, "Pending Approval")
	hooks = frappe.get_hooks("override_whitelisted_methods")
	assert hooks["frappe.workflow.doctype.workflow_action.workflow_action.confirm_action"] == [
		"brm_app.api.approvals.confirm_workflow_action"
	]
	params = {"action": "Approve", "doctype": "Business Case", "docname": case.name, "user": people.pm}
	previous = getattr(frappe.local, "request", None)
	frappe.local.request = Request(
		EnvironBuilder(
			method="GET", path="/api/method/x", query_string=get_signed_params(params)
		).get_environ()
	)
	try:
		confirm_workflow_action("Business Case", case.name, people.pm, "Approve")
	finally:
		frappe.local.request = previous
	assert state_of(case) == "Pending Approval"
	assert frappe.local.response.get("type") == "page"


def test_apply_action_is_post_only():
	from frappe.handler import is_valid_http_method

	assert frappe.allowed_http_methods_for_whitelisted_func[apply_action] == ["POST"]
	previous = getattr(frappe.local, "request", None)
	frappe.local.request = SimpleNamespace(method="GET")
	try:
		with pytest.raises(frappe.PermissionError):
			is_valid_http_method(apply_action)
	finally:
		frappe.local.request = previous


# --- no self-approval, on every path ----------------------------------------------------------------


@pytest.fixture
def own_case(people):
	"""A case prepared by a process manager (who may approve others' cases), awaiting approval."""
	manager = make_approver(PM, RM)
	make_portfolio(customer=people.customer, relationship_manager=manager)
	with as_user(manager):
		case = make_business_case(customer=people.customer)
	case = to_pending_approval(case, manager)
	assert case.prepared_by == manager
	return SimpleNamespace(case=case, manager=manager)


def test_self_approval_through_apply_workflow_is_refused(own_case):
	with as_user(own_case.manager), pytest.raises(SelfApprovalError):
		apply_workflow(frappe.get_doc("Business Case", own_case.case.name), "Approve")
	assert state_of(own_case.case) == "Pending Approval"


def test_self_approval_through_apply_action_is_refused(own_case):
	with as_user(own_case.manager), pytest.raises(SelfApprovalError):
		apply_action("Business Case", own_case.case.name, "Approve")


def test_self_approval_by_saving_the_workflow_state_is_refused(own_case):
	set_threshold(TWO_LEVELS)
	frappe.db.set_value("Business Case", own_case.case.name, "approval_levels", 2)
	doc = frappe.get_doc("Business Case", own_case.case.name)
	doc.workflow_state = "Pending Final Approval"
	with as_user(own_case.manager), pytest.raises(SelfApprovalError):
		doc.save()
	assert state_of(own_case.case) == "Pending Approval"


def test_self_approval_through_set_value_is_refused(own_case):
	with as_user(own_case.manager), pytest.raises(SelfApprovalError):
		frappe.client.set_value("Business Case", own_case.case.name, "workflow_state", "Approved")


def test_self_approval_by_submitting_directly_is_refused(own_case):
	with as_user(own_case.manager), pytest.raises(SelfApprovalError):
		frappe.get_doc("Business Case", own_case.case.name).submit()


def test_self_approval_through_run_doc_method_is_refused(own_case):
	from frappe.handler import run_doc_method

	previous = getattr(frappe.local, "request", None)
	frappe.local.request = SimpleNamespace(method="POST")
	try:
		with as_user(own_case.manager), pytest.raises(SelfApprovalError):
			run_doc_method("submit", dt="Business Case", dn=own_case.case.name)
	finally:
		frappe.local.request = previous
	assert state_of(own_case.case) == "Pending Approval"


def test_self_approval_through_bulk_approval_is_refused(own_case, monkeypatch):
	# the bulk action commits / rolls back per document and logs failures in the Error Log (which is
	# not rolled back): keep this test's transaction, and catch the log
	monkeypatch.setattr(frappe.db, "commit", lambda *a, **k: None)
	monkeypatch.setattr(frappe.db, "rollback", lambda *a, **k: None)
	logged = []
	monkeypatch.setattr(frappe, "log_error", lambda title=None, *a, **k: logged.append(title))
	with as_user(own_case.manager):
		bulk_workflow_approval(json.dumps([own_case.case.name]), "Business Case", "Approve")
	assert state_of(own_case.case) == "Pending Approval"
	assert frappe.db.get_value("Business Case", own_case.case.name, "docstatus") == 0
	assert logged == [f"Workflow Approve threw an error for Business Case {own_case.case.name}"]


def test_rewriting_owner_does_not_help_the_preparer(own_case, people):
	frappe.db.set_value("Business Case", own_case.case.name, "owner", people.pm)
	with as_user(own_case.manager), pytest.raises(SelfApprovalError):
		apply_workflow(frappe.get_doc("Business Case", own_case.case.name), "Approve")
	# and the owner (not the preparer) may approve: the rule is on prepared_by
	frappe.db.set_value("Business Case", own_case.case.name, "owner", own_case.manager)
	other = make_approver(PM)
	frappe.db.set_value("Business Case", own_case.case.name, "owner", other)
	with as_user(other):
		apply_workflow(frappe.get_doc("Business Case", own_case.case.name), "Approve")
	assert state_of(own_case.case) == "Approved"


def test_bulk_approval_by_another_manager_works(own_case, people, monkeypatch):
	monkeypatch.setattr(frappe.db, "commit", lambda *a, **k: None)
	monkeypatch.setattr(frappe.db, "rollback", lambda *a, **k: None)
	with as_user(people.pm):
		bulk_workflow_approval(json.dumps([own_case.case.name]), "Business Case", "Approve")
	assert state_of(own_case.case) == "Approved"


def test_the_first_approver_cannot_give_the_final_approval(people):
	both = make_approver(PM, PO)
	case = case_in(people, "Pending Approval", levels=2)
	case = act(case, "Approve", both)
	assert case.workflow_state == "Pending Final Approval"
	with as_user(both), pytest.raises(SelfApprovalError):
		apply_workflow(frappe.get_doc("Business Case", case.name), "Approve")
	assert act(case, "Approve", people.po).workflow_state == "Approved"


# --- preconditions ----------------------------------------------------------------------------------


def test_sending_for_the_customers_sign_off_needs_a_signatory(people):
	case = new_case(people, funding_status="Requested")
	act(case, "Submit for Review", people.preparer)
	with pytest.raises(ApprovalPreconditionError, match="the case names no customer signatory"):
		act(case, "Send for Customer Sign-off", people.preparer)
	assert state_of(case) == "Under Review"
	assert open_sign_offs(case) == []


def test_sending_for_the_customers_sign_off_needs_funding_requested(people):
	case = new_case(people)
	with as_user(people.preparer):
		make_ready(case)
		case.funding_status = "Not Requested"
		case.save()
	act(case, "Submit for Review", people.preparer)
	with pytest.raises(ApprovalPreconditionError, match="funding is not requested"):
		act(case, "Send for Customer Sign-off", people.preparer)
	assert (state_of(case), open_sign_offs(case)) == ("Under Review", [])


def test_sending_for_the_customers_sign_off_needs_a_requirement(people):
	case = new_case(people, requirements=[], funding_status="Requested")
	with as_user(people.preparer):
		make_ready(case)
	act(case, "Submit for Review", people.preparer)
	with pytest.raises(ApprovalPreconditionError, match="the case has no requirements"):
		act(case, "Send for Customer Sign-off", people.preparer)
	assert (state_of(case), open_sign_offs(case)) == ("Under Review", [])


def test_pending_approval_needs_every_signatory_to_accept_every_requirement(people):
	case = new_case(people, requirements=[{"requirement": "R1"}, {"requirement": "R2"}])
	first_contact, second_contact = add_signatory(case), add_signatory(case, role="Sponsor")
	case = to_customer_sign_off(case, people.preparer)
	first, second = open_sign_offs(case)
	assert {frappe.db.get_value("Customer Sign-off", n, "signatory_contact") for n in (first, second)} == {
		first_contact,
		second_contact,
	}
	customer_decides(first)
	case.reload()
	# one of two signatories: no requirement is signed off, the case waits for the other
	assert case.workflow_state == "Customer Sign-off"
	assert [row.signed_off_by for row in case.requirements] == [None, None]
	assert [row.sign_off_status for row in case.signatories] == ["Accepted", "Requested"]
	customer_decides(second)
	case.reload()
	assert case.workflow_state == "Pending Approval"
	names = ", ".join(row.full_name for row in case.signatories)
	assert [row.signed_off_by for row in case.requirements] == [names, names]
	assert [row.sign_off_evidence for row in case.requirements] == [f"{first}, {second}"] * 2


def test_the_approval_checks_the_preconditions_again(people):
	case = case_in(people, "Pending Approval")
	frappe.db.set_value("Business Case", case.name, "funding_status", "Declined")  # e.g. a direct write
	with pytest.raises(ApprovalPreconditionError, match="funding is not requested"):
		act(case, "Approve", people.pm)
	assert state_of(case) == "Pending Approval"


def test_the_approval_checks_the_customers_sign_off_again(people):
	case = case_in(people, "Pending Approval")
	(sign_off,) = case.requirements[0].sign_off_evidence.split(", ")
	# the acceptance no longer counts (e.g. a direct write): the rows' results are recomputed on the save
	frappe.db.set_value("Customer Sign-off", sign_off, "status", "Voided")
	with pytest.raises(ApprovalPreconditionError, match="requirement rows 1 are not signed off"):
		act(case, "Approve", people.pm)
	assert state_of(case) == "Pending Approval"


# --- comments, send back, reject --------------------------------------------------------------------


@pytest.mark.parametrize("action", ["Reject", "Send Back"])
def test_reject_and_send_back_need_a_comment(people, action):
	case = case_in(people, "Pending Approval")
	with as_user(people.pm), pytest.raises(ApprovalCommentRequiredError):
		apply_workflow(frappe.get_doc("Business Case", case.name), action)
	with pytest.raises(ApprovalCommentRequiredError):
		act(case, action, people.pm, comment="   ")
	assert state_of(case) == "Pending Approval"


def test_reject_records_the_decision_and_the_reason(people):
	opportunity = make_opportunity(customer=people.customer)
	case = case_in(people, "Draft")
	case = new_case(people, service_opportunity=opportunity.name)
	case = act(to_pending_approval(case, people.preparer), "Reject", people.pm, comment="No budget <b>x</b>")
	assert (case.workflow_state, case.docstatus, case.decision) == ("Rejected", 1, "Rejected")
	assert case.approver == people.pm
	assert case.decision_notes == "No budget <b>x</b>"
	assert frappe.db.get_value("Service Opportunity", opportunity.name, "status") == "Rejected"
	timeline = frappe.get_all(
		"Comment",
		filters={"reference_doctype": "Business Case", "reference_name": case.name, "comment_type": "Info"},
		pluck="content",
	)
	assert any("No budget &lt;b&gt;x&lt;/b&gt;" in text for text in timeline)
	assert not any("<b>x</b>" in text for text in timeline)


def test_send_back_returns_to_draft_with_the_reason(people):
	case = act(case_in(people, "Pending Approval"), "Send Back", people.pm, comment="Add the SLA cost")
	assert (case.workflow_state, case.docstatus) == ("Draft", 0)
	assert case.send_back_reason == "Add the SLA cost"
	assert case.approval_log[-1].comment == "Add the SLA cost"
	# the preparer can change it again and send it again
	with as_user(people.preparer):
		case.discount_rate = 11
		case.save()


def test_cancelling_a_decision_needs_a_comment_and_reopens_the_opportunity(people):
	opportunity = make_opportunity(customer=people.customer)
	case = approve_business_case(new_case(people, service_opportunity=opportunity.name), manager=people.pm)
	with as_user(people.pm), pytest.raises(ApprovalCommentRequiredError):
		frappe.get_doc("Business Case", case.name).cancel()
	case = act(case, "Cancel", people.pm, comment="Scope changed; amending")
	assert (case.workflow_state, case.docstatus) == ("Cancelled", 2)
	assert frappe.db.get_value("Service Opportunity", opportunity.name, "status") == "Business Case"


# --- audit fields are the guard's, the content is frozen while awaiting approval ---------------------


def test_audit_fields_and_log_cannot_be_forged(people):
	case = new_case(people)
	with as_user(people.preparer):
		case.decision = "Approved"
		case.approver = people.pm
		case.approval_levels = 1
		case.customer_sign_off_started_on = "2020-01-01 00:00:00"
		case.customer_signed_off_on = "2020-01-02 00:00:00"
		case.customer_sign_off_days = 1
		case.append("approval_log", {"action": "Approve", "state_to": "Approved", "user": people.pm})
		set_threshold(TWO_LEVELS)
		case.save()
	case.reload()
	assert (case.decision, case.approver) == (None, None)
	assert (case.customer_sign_off_started_on, case.customer_signed_off_on) == (None, None)
	assert case.customer_sign_off_days == 0
	assert case.approval_levels == 2  # computed, not taken from the client
	assert case.approval_log == []


def test_the_decision_of_an_approved_case_cannot_be_rewritten(people):
	case = approve_business_case(new_case(people), manager=people.pm)
	with as_user(people.po):
		frappe.client.set_value("Business Case", case.name, {"decision": "Rejected", "approver": people.po})
	assert frappe.db.get_value("Business Case", case.name, ["decision", "approver"]) == (
		"Approved",
		people.pm,
	)


def test_an_approved_case_is_immutable(people):
	case = approve_business_case(new_case(people), manager=people.pm)
	case.discount_rate = 20
	with as_user(people.po), pytest.raises(frappe.UpdateAfterSubmitError):
		case.save()


def test_a_case_awaiting_approval_cannot_be_edited(people):
	case = case_in(people, "Pending Approval")
	case.discount_rate = 3
	with as_user(people.preparer), pytest.raises(ApprovalLockedError):
		case.save()
	case.reload()
	case.costs[0].amount = 1
	with as_user(people.pm), pytest.raises(ApprovalLockedError):
		case.save()
	case.reload()
	case.decision_notes = "Looks fine so far"  # the approver's notes may change
	with as_user(people.pm):
		case.save()


def test_the_audit_is_queryable_for_kpi_reports(people):
	case = approve_business_case(new_case(people), manager=people.pm)
	rows = frappe.get_all(
		"Business Case",
		filters={"name": case.name, "decision": "Approved"},
		fields=[
			"approver",
			"decided_on",
			"cycle_time_days",
			"submitted_for_approval_on",
			"customer_sign_off_started_on",
			"customer_signed_off_on",
			"customer_sign_off_days",
		],
	)
	assert rows and rows[0].approver == people.pm and rows[0].decided_on and rows[0].cycle_time_days >= 0
	# the time the customer took to sign off, from sending to their acceptance
	assert rows[0].customer_sign_off_started_on <= rows[0].customer_signed_off_on
	assert rows[0].customer_signed_off_on <= rows[0].submitted_for_approval_on
	assert rows[0].customer_sign_off_days >= 0
	log = frappe.get_all(
		"BRM Approval Log",
		filters={"parenttype": "Business Case", "parent": case.name},
		fields=["action", "state_from", "state_to", "user", "at"],
		order_by="idx asc",
	)
	assert [r.state_to for r in log] == ["Under Review", "Customer Sign-off", "Pending Approval", "Approved"]
	timeline = frappe.db.count(
		"Comment", {"reference_doctype": "Business Case", "reference_name": case.name, "comment_type": "Info"}
	)
	assert timeline >= 4


# --- approvers are notified and see their queue ----------------------------------------------------------


def open_workflow_action_roles(case) -> set:
	names = frappe.get_all(
		"Workflow Action",
		filters={"reference_doctype": "Business Case", "reference_name": case.name, "status": "Open"},
		pluck="name",
	)
	return {
		role
		for name in names
		for role in frappe.get_all("Workflow Action Permitted Role", {"parent": name}, pluck="role")
	}


def queued_recipients(case) -> set:
	queued = frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Business Case", "reference_name": case.name},
		pluck="name",
	)
	return set(frappe.get_all("Email Queue Recipient", filters={"parent": ("in", queued)}, pluck="recipient"))


def test_a_workflow_action_is_created_for_the_approvers(people):
	case = new_case(people)
	assert open_workflow_action_roles(case) == set()  # drafts notify nobody
	set_threshold(TWO_LEVELS)
	case = to_pending_approval(case, people.preparer)
	assert open_workflow_action_roles(case) == {PM}
	# ... and the process managers get an e-mail (queued, muted in tests) with the actions
	assert people.pm in queued_recipients(case)
	assert people.po not in queued_recipients(case)
	case = act(case, "Approve", people.pm)
	assert open_workflow_action_roles(case) == {PO}
	assert people.po in queued_recipients(case)
	act(case, "Approve", people.po)
	assert open_workflow_action_roles(case) == set()
	with as_user(people.pm):
		assert (
			frappe.get_list("Workflow Action", filters={"reference_name": case.name, "status": "Open"}) == []
		)


def test_pending_my_approval_states():
	with as_user(make_approver(PM)):
		assert pending_approval_states() == ["Pending Approval"]
	with as_user(make_approver(PO)):
		assert pending_approval_states() == ["Pending Final Approval"]
	with as_user(make_approver(RM)):
		assert pending_approval_states() == []


# --- the opportunity follows the case -------------------------------------------------------------------


def test_an_opportunity_with_a_case_is_not_approved_by_hand(people):
	opportunity = make_opportunity(customer=people.customer)
	new_case(people, service_opportunity=opportunity.name)
	opportunity.reload()
	assert opportunity.status == "Business Case"
	opportunity.status = "Approved"
	with as_user(people.preparer), pytest.raises(OpportunityStatusTransitionError):
		opportunity.save()


# --- conflicts (the threaded, committed version: tests/security/test_case_09_concurrent_approvers.py) ---


def test_acting_on_a_state_that_has_moved_on_is_a_clear_conflict(people):
	case = case_in(people, "Pending Approval")
	act(case, "Approve", people.pm)
	other = make_approver(PM)
	with as_user(other), pytest.raises(ApprovalConflictError):
		apply_action("Business Case", case.name, "Approve", expected_state="Pending Approval")
	with as_user(other), pytest.raises(ApprovalTransitionError, match="Approved"):
		apply_action("Business Case", case.name, "Approve")


# --- the sign-off print format ---------------------------------------------------------------------------


def test_the_sign_off_sheet_prints_requirements_finance_decision_and_escapes(people):
	case = new_case(
		people,
		requirements=[
			{"requirement": "Service desk open 24/7", "acceptance_criteria": "Answered within 30 s"},
			{"requirement": "Second requirement"},
		],
	)
	case = approve_business_case(case, manager=people.pm)
	signatory = case.signatories[0].full_name
	record = frappe.get_doc("Customer Sign-off", case.requirements[0].sign_off_evidence)
	digests = [requirement_digest(row) for row in case.requirements]
	money_digest = case_digest(case)
	# what the customer signed is what is printed: the record holds the same digests
	assert [row.digest for row in record.decisions] == digests and record.case_digest == money_digest
	payload = "<script>alert('x')</script><img src=x onerror=alert(1)>{{ 7*7 }}"
	# as stored by an import or a direct write (a save would already strip the script)
	frappe.db.set_value("Business Case Requirement", case.requirements[1].name, "requirement", payload)
	frappe.db.set_value("Business Case", case.name, "title", "<b>Bold title</b>")
	frappe.db.set_value(
		"Business Case Signatory", case.signatories[0].name, "full_name", f"{signatory} <i>x</i>"
	)

	html = frappe.get_print("Business Case", case.name, "Business Case Sign-off")
	assert frappe.db.get_value("Print Format", "Business Case Sign-off", ["standard", "module"]) == (
		"Yes",
		"BRM App",
	)
	assert "Service desk open 24/7" in html and "Answered within 30 s" in html
	assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
	assert "<script>alert('x')" not in html
	assert "<img src=x onerror" not in html
	assert "{{ 7*7 }}" in html and ">49<" not in html
	assert "&lt;b&gt;Bold title&lt;/b&gt;" in html
	assert frappe.get_doc("Business Case", case.name).get_formatted("npv") in html
	assert frappe.utils.get_fullname(people.pm) in html  # the approver signs
	# the customer's signatories, from their sign-off records: name, channel, status, decision time
	assert f"{signatory} &lt;i&gt;x&lt;/i&gt;" in html and "<i>x</i>" not in html
	assert f"<td>{record.name}</td>" in html
	assert "<td>E-mail Link</td>" in html and "<td>Accepted</td>" in html
	assert f"<td>{frappe.utils.format_datetime(record.decided_on)}</td>" in html
	# each requirement's digest (short) as printed, and the digest of the costs and benefits
	assert f"<code>{digests[0][:12]}</code>" in html
	changed = requirement_digest(frappe.get_doc("Business Case", case.name).requirements[1])
	assert f"<code>{changed[:12]}</code>" in html
	assert digests[1][:12] not in html  # the printed text is not what was signed: its digest differs
	assert f"<code>{money_digest}</code>" in html
	assert frappe.get_meta("Business Case").default_print_format == "Business Case Sign-off"
