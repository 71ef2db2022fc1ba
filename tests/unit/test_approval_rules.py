"""The approval diagrams and decisions (brm_app.services.approval_rules); no site needed."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brm_app.services import approval_rules as rules
from brm_app.services import opportunity_status
from brm_app.services.approval_rules import (
	BUSINESS_CASE_WORKFLOW as BC,
)
from brm_app.services.approval_rules import (
	CUSTOMER_AGREEMENT_WORKFLOW as AG,
)
from brm_app.services.opportunity_status import STATUSES as OPPORTUNITY_STATUSES

RM, PM, PO = rules.RELATIONSHIP_MANAGER, rules.PROCESS_MANAGER, rules.PROCESS_OWNER
SPECS = [BC, AG]

# --- the diagrams ----------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_diagrams_respect_frappes_docstatus_rules(spec):
	"""frappe refuses a Workflow whose transitions go submitted -> draft, draft -> cancelled or leave a
	cancelled state."""
	for t in spec.transitions:
		old, new = spec.docstatus_of(t.state), spec.docstatus_of(t.next_state)
		assert old is not None and new is not None, t
		assert old != 2, t
		assert not (old == 1 and new == 0), t
		assert not (old == 0 and new == 2), t


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_each_step_between_two_states_is_one_action(spec):
	"""The guard recognises a transition by its two states (a save sends no action name) and by whether
	the server's code takes it (a system step, `system_step` in brm_app.approvals.guard)."""
	actions = {}
	for t in spec.transitions:
		actions.setdefault((t.state, t.next_state, t.system), set()).add(t.action)
	assert all(len(a) == 1 for a in actions.values()), actions


def test_under_review_to_draft_is_send_back_for_users_and_sign_off_voided_for_the_system():
	assert rules.find_transition(BC, "Under Review", "Draft", [PM]).action == "Send Back"
	assert rules.find_transition(BC, "Under Review", "Draft", [], system=True).action == "Sign-off Voided"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_state_is_reachable_from_the_first_and_only_brm_roles_act(spec):
	reached, frontier = {spec.initial_state}, [spec.initial_state]
	while frontier:
		state = frontier.pop()
		for t in spec.transitions:
			if t.state == state and t.next_state not in reached:
				reached.add(t.next_state)
				frontier.append(t.next_state)
	assert reached == {s.name for s in spec.states}
	assert {role for t in spec.transitions if not t.system for role in t.roles} <= set(rules.BRM_ROLES)
	# frappe's Workflow needs a role on a system step: only the Administrator's, never a BRM role
	assert {t.roles for t in spec.transitions if t.system} <= {(rules.SYSTEM_ROLE,)}
	assert spec.initial_state == rules.DRAFT
	assert spec.docstatus_of(spec.initial_state) == 0


def test_business_case_states_and_submitted_decisions():
	assert [s.name for s in BC.states] == [
		"Draft",
		"Under Review",
		"Customer Sign-off",
		"Pending Approval",
		"Pending Final Approval",
		"Approved",
		"Rejected",
		"Cancelled",
	]
	assert BC.docstatus_of(rules.APPROVED) == 1
	assert BC.docstatus_of(rules.REJECTED) == 1
	assert BC.first_state_with_docstatus(1) == rules.APPROVED
	assert BC.first_state_with_docstatus(2) == rules.CANCELLED
	# the customer signs the case as it is: it cannot change while they are asked (Withdraw to edit)
	assert BC.frozen_states == (rules.CUSTOMER_SIGN_OFF, rules.PENDING_APPROVAL, rules.PENDING_FINAL_APPROVAL)


def test_the_customer_sign_off_steps():
	steps = {(t.state, t.action, t.next_state, t.system) for t in BC.transitions}
	assert {
		("Under Review", "Send for Customer Sign-off", "Customer Sign-off", False),
		("Customer Sign-off", "Customer Accepted", "Pending Approval", True),
		("Customer Sign-off", "Customer Rejected", "Draft", True),
		("Customer Sign-off", "Withdraw", "Draft", False),
		("Under Review", "Sign-off Voided", "Draft", True),
	} <= steps
	assert "Request Approval" not in BC.actions()
	# the only ways into Pending Approval: the customer's acceptance, taken by the system
	assert [(t.state, t.action, t.system) for t in BC.transitions if t.next_state == "Pending Approval"] == [
		("Customer Sign-off", "Customer Accepted", True)
	]


def test_agreement_states_leave_expiry_to_the_dates():
	assert [s.name for s in AG.states] == ["Draft", "Pending Sign-off", "Active", "Terminated", "Cancelled"]
	assert "Expiring" not in {s.name for s in AG.states}
	assert AG.first_state_with_docstatus(1) == rules.ACTIVE
	assert AG.override_status  # the list shows Active / Expiring / Expired from the dates


@pytest.mark.parametrize(
	"old,new,role,levels,action",
	[
		("Draft", "Under Review", RM, None, "Submit for Review"),
		("Under Review", "Customer Sign-off", RM, None, "Send for Customer Sign-off"),
		("Under Review", "Customer Sign-off", PM, None, "Send for Customer Sign-off"),
		("Customer Sign-off", "Draft", RM, None, "Withdraw"),
		("Customer Sign-off", "Draft", PO, None, "Withdraw"),
		("Under Review", "Draft", PM, None, "Send Back"),
		("Pending Approval", "Approved", PM, 1, "Approve"),
		("Pending Approval", "Pending Final Approval", PM, 2, "Approve"),
		("Pending Final Approval", "Approved", PO, 2, "Approve"),
		("Pending Approval", "Rejected", PM, 1, "Reject"),
		("Pending Final Approval", "Rejected", PO, 2, "Reject"),
		("Pending Final Approval", "Draft", PO, 2, "Send Back"),
		("Approved", "Cancelled", PO, 1, "Cancel"),
	],
)
def test_find_transition_for_an_allowed_role(old, new, role, levels, action):
	transition = rules.find_transition(BC, old, new, [role], levels)
	assert transition.action == action


@pytest.mark.parametrize(
	"old,new,role,levels",
	[
		("Pending Approval", "Approved", RM, 1),
		("Pending Approval", "Approved", PO, 1),  # the owner gives the final approval, not the first
		("Pending Final Approval", "Approved", PM, 2),
		("Under Review", "Draft", RM, None),
		("Approved", "Cancelled", RM, 1),
	],
)
def test_find_transition_refuses_other_roles_and_names_the_allowed_ones(old, new, role, levels):
	with pytest.raises(rules.RoleNotAllowed) as refused:
		rules.find_transition(BC, old, new, [role], levels)
	assert refused.value.allowed
	assert role not in refused.value.allowed


def test_find_transition_refuses_a_step_that_does_not_exist():
	for old, new in [
		("Draft", "Approved"),
		("Draft", "Pending Approval"),
		("Under Review", "Pending Approval"),  # was Request Approval: the customer signs off first
		("Approved", "Draft"),
	]:
		with pytest.raises(rules.NoSuchTransition):
			rules.find_transition(BC, old, new, list(rules.BRM_ROLES), 1)


SYSTEM_STEPS = [
	("Customer Sign-off", "Pending Approval", "Customer Accepted"),
	("Customer Sign-off", "Draft", "Customer Rejected"),
	("Under Review", "Draft", "Sign-off Voided"),
]
EVERY_ROLE = [*rules.BRM_ROLES, rules.SYSTEM_ROLE, "System Manager"]


@pytest.mark.parametrize("old,new,action", SYSTEM_STEPS)
def test_a_system_step_is_never_offered_to_a_user_and_only_the_system_takes_it(old, new, action):
	assert action not in {t.action for t in rules.available_actions(BC, old, EVERY_ROLE, 1)}
	# only the server's code (system=True) takes it, and roles do not matter there
	assert rules.find_transition(BC, old, new, [], system=True).action == action


def test_no_user_moves_a_case_into_pending_approval_whatever_their_roles():
	with pytest.raises(rules.NoSuchTransition):
		rules.find_transition(BC, "Customer Sign-off", "Pending Approval", EVERY_ROLE, 1)


@pytest.mark.parametrize(
	"old,user_action", [("Customer Sign-off", "Withdraw"), ("Under Review", "Send Back")]
)
def test_a_users_move_back_to_draft_is_their_own_step_never_the_systems(old, user_action):
	transition = rules.find_transition(BC, old, "Draft", EVERY_ROLE, 1)
	assert (transition.action, transition.system) == (user_action, False)


def test_the_system_takes_no_users_step():
	for old, new in [("Pending Approval", "Approved"), ("Under Review", "Customer Sign-off")]:
		with pytest.raises(rules.NoSuchTransition):
			rules.find_transition(BC, old, new, [], 1, system=True)


def test_two_level_cases_go_through_the_final_approval():
	with pytest.raises(rules.ApprovalLevelMismatch):
		rules.find_transition(BC, "Pending Approval", "Approved", [PM], 2)
	with pytest.raises(rules.ApprovalLevelMismatch):
		rules.find_transition(BC, "Pending Approval", "Pending Final Approval", [PM], 1)
	# no stored level (an old record) counts as one level
	assert rules.find_transition(BC, "Pending Approval", "Approved", [PM], None).next_state == "Approved"


def test_conditions_written_to_the_workflow_match_the_levels():
	conditions = {
		(t.state, t.next_state): t.condition for t in BC.transitions if t.state == "Pending Approval"
	}
	assert conditions[("Pending Approval", "Approved")] == "doc.approval_levels < 2"
	assert conditions[("Pending Approval", "Pending Final Approval")] == "doc.approval_levels >= 2"
	assert conditions[("Pending Approval", "Rejected")] == ""


def test_available_actions():
	actions = {t.action for t in rules.available_actions(BC, "Pending Approval", [PM], 1)}
	assert actions == {"Approve", "Reject", "Send Back"}
	assert rules.available_actions(BC, "Pending Approval", [RM], 1) == []
	final = rules.available_actions(BC, "Pending Approval", [PM], 2)
	assert {t.next_state for t in final if t.action == "Approve"} == {"Pending Final Approval"}


def test_comments_are_required_for_reject_send_back_cancel_of_a_decision_and_terminate():
	for spec in SPECS:
		for t in spec.transitions:
			expected = t.action in ("Reject", "Send Back", "Terminate") or (
				spec is BC and t.action in ("Cancel", "Withdraw", "Customer Rejected")
			)
			assert t.comment_required == expected, t


def test_only_the_approve_and_activate_steps_are_approvals():
	assert {t.action for t in BC.transitions if t.approval} == {"Approve"}
	# four eyes on agreements: the preparer does not activate
	assert {t.action for t in AG.transitions if t.approval} == {"Activate"}


def test_only_decisions_notify():
	"""Workflow Actions (and their e-mails) only for the steps that need a decision."""
	notified = {t.state for spec in SPECS for t in spec.transitions if not spec.state(t.next_state).optional}
	assert notified == {"Pending Approval", "Pending Final Approval", "Pending Sign-off"}


# --- levels ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"total,threshold,levels",
	[(1000, 500, 2), (500, 500, 1), (499.99, 500, 1), (10**9, 0, 1), (10**9, None, 1), (0, 500, 1)],
)
def test_approval_levels(total, threshold, levels):
	assert rules.approval_levels(total, threshold) == levels


@given(
	total=st.floats(min_value=0, max_value=1e12, allow_nan=False),
	threshold=st.floats(min_value=0.01, max_value=1e12, allow_nan=False),
)
def test_two_levels_exactly_above_the_threshold(total, threshold):
	assert (rules.approval_levels(total, threshold) == 2) == (total > threshold)


# --- approvers ---------------------------------------------------------------------------------------

APPROVE = rules.find_transition(BC, "Pending Approval", "Approved", [PM], 1)
FIRST = rules.find_transition(BC, "Pending Approval", "Pending Final Approval", [PM], 2)
FINAL = rules.find_transition(BC, "Pending Final Approval", "Approved", [PO], 2)
REJECT = rules.find_transition(BC, "Pending Approval", "Rejected", [PM], 1)


def test_the_preparer_cannot_approve():
	for transition in (APPROVE, FIRST, FINAL):
		with pytest.raises(rules.SelfApproval):
			rules.check_approver("a@x", transition, prepared_by="a@x", first_approver=None)
	assert rules.check_approver("b@x", APPROVE, prepared_by="a@x", first_approver=None) is None


def test_the_first_approver_cannot_give_the_final_approval():
	with pytest.raises(rules.SelfApproval):
		rules.check_approver("b@x", FINAL, prepared_by="a@x", first_approver="b@x")
	assert rules.check_approver("c@x", FINAL, prepared_by="a@x", first_approver="b@x") is None


def test_non_approvals_are_not_self_approval():
	assert not REJECT.approval
	# the preparer may reject (or send back) their own case: no SelfApproval, nothing returned
	assert rules.check_approver("a@x", REJECT, prepared_by="a@x", first_approver=None) is None


# --- preconditions -----------------------------------------------------------------------------------

NOW = datetime(2026, 11, 29, 10, 0)


def test_ready_case_has_no_missing_preconditions():
	assert rules.missing_preconditions([("a@x", NOW), ("b@x", NOW)], "Requested") == []
	assert rules.missing_preconditions([("a@x", NOW)], "Approved") == []


def test_missing_preconditions_are_all_reported():
	missing = dict(rules.missing_preconditions([("a@x", NOW), (None, None), ("b@x", None)], "Not Requested"))
	assert missing[rules.UNSIGNED_REQUIREMENTS] == [2, 3]
	assert missing[rules.FUNDING_NOT_REQUESTED] == "Not Requested"
	assert rules.NO_REQUIREMENTS not in missing
	assert dict(rules.missing_preconditions([], "Requested")) == {rules.NO_REQUIREMENTS: None}
	assert rules.FUNDING_NOT_REQUESTED in dict(rules.missing_preconditions([("a@x", NOW)], "Declined"))


def test_preconditions_apply_to_pending_approval_and_approvals_only():
	into_pending = rules.find_transition(BC, "Customer Sign-off", "Pending Approval", [], system=True)
	assert rules.needs_approval_preconditions(into_pending)
	assert rules.needs_approval_preconditions(FINAL)
	assert not rules.needs_approval_preconditions(REJECT)
	send = rules.find_transition(BC, "Under Review", "Customer Sign-off", [RM])
	assert not rules.needs_approval_preconditions(send)


def test_sign_off_preconditions_apply_to_sending_for_the_customers_sign_off_only():
	send = rules.find_transition(BC, "Under Review", "Customer Sign-off", [RM])
	assert rules.needs_sign_off_preconditions(send)
	assert [t.action for t in BC.transitions if rules.needs_sign_off_preconditions(t)] == [
		"Send for Customer Sign-off"
	]


# --- audit -------------------------------------------------------------------------------------------


def test_cycle_time_in_days():
	assert rules.cycle_time_days(NOW, NOW + timedelta(days=2, hours=12)) == 2.5
	assert rules.cycle_time_days(NOW, NOW) == 0
	assert rules.cycle_time_days(NOW, NOW - timedelta(days=1)) == 0


# --- the opportunity follows -------------------------------------------------------------------------


@pytest.mark.parametrize(
	"case_state,current,expected",
	[
		("Approved", "Business Case", "Approved"),
		("Rejected", "Business Case", "Rejected"),
		("Pending Approval", "Business Case", None),
		("Pending Approval", "Assessing", "Business Case"),
		("Draft", "New", "Business Case"),
		("Cancelled", "Approved", "Business Case"),  # the decision is taken back to be amended
		("Cancelled", "Rejected", "Business Case"),
		("Approved", "Approved", None),
		("Approved", "In Delivery", None),
		("Rejected", "Delivered", None),
		("Approved", "Withdrawn", None),
		(None, "Business Case", None),
	],
)
def test_opportunity_status_for_case(case_state, current, expected):
	assert opportunity_status.status_for_case(case_state, current) == expected


@pytest.mark.parametrize(
	"project_status,percent,current,expected",
	[
		("Open", 10, "Approved", "In Delivery"),
		("Open", 0, "Approved", None),
		("Completed", 100, "Approved", "Delivered"),
		("Completed", 100, "In Delivery", "Delivered"),
		("Open", 50, "In Delivery", None),
		("Cancelled", 50, "In Delivery", None),
		("Completed", 100, "Business Case", None),
		("Open", 10, "Delivered", None),
		("Open", 10, "Withdrawn", None),
		("Open", 10, "Awaiting Acceptance", None),
	],
)
def test_opportunity_status_for_project(project_status, percent, current, expected):
	assert opportunity_status.status_for_project(project_status, percent, current) == expected


@pytest.mark.parametrize("current", ["Approved", "In Delivery"])
def test_a_completed_project_of_a_case_awaits_the_customers_acceptance(current):
	assert (
		opportunity_status.status_for_project("Completed", 100, current, needs_acceptance=True)
		== "Awaiting Acceptance"
	)


def test_mapped_opportunity_statuses_exist():
	targets = {opportunity_status.status_for_case(s.name, "New") for s in BC.states} - {None}
	targets |= {"In Delivery", "Awaiting Acceptance", "Delivered"}
	assert targets <= set(OPPORTUNITY_STATUSES)


def test_manual_approved_needs_an_approved_case():
	assert not opportunity_status.manual_status_allowed("Approved", "Business Case", "Pending Approval")
	assert opportunity_status.manual_status_allowed("Approved", "Business Case", "Approved")
	assert opportunity_status.manual_status_allowed("Approved", "Business Case", None)  # no case
	assert opportunity_status.manual_status_allowed("Approved", "Approved", "Cancelled")  # unchanged
	assert opportunity_status.manual_status_allowed("Withdrawn", "Business Case", "Pending Approval")
	# with a case, Awaiting Acceptance and Delivered come only from the project and the customer's acceptance
	assert not opportunity_status.manual_status_allowed("Delivered", "Awaiting Acceptance", "Approved")
	assert not opportunity_status.manual_status_allowed("Awaiting Acceptance", "In Delivery", "Approved")
	assert opportunity_status.manual_status_allowed("Delivered", "Awaiting Acceptance", None)  # no case
