"""Approval workflows of brm_app (docs/design.md "Processes"; docs/security.md cases 5, 6, 9): the state diagrams and
the decisions taken on them.

Pure Python (standard library only), so it runs and is tested without a Frappe site. The same
`WorkflowSpec` objects are written to the site as Frappe Workflow documents by
`brm_app.setup.workflows.ensure_workflows` (for the desk buttons, Workflow Actions and e-mails) and are
enforced on every save by `brm_app.approvals.guard`, so the code, not an editable record, is the authority
on who may move a document where.

Business Case (submittable)::

    Draft --Submit for Review--> Under Review --Send for Customer Sign-off--> Customer Sign-off
    Customer Sign-off --Customer Accepted--> Pending Approval   (system: every signatory accepted every
                                                               requirement, brm_app.signoff)
    Customer Sign-off --Customer Rejected--> Draft            (system: a signatory rejected, with comment)
    Customer Sign-off --Withdraw--> Draft                      (the provider takes it back, with a reason)
    Under Review --Sign-off Voided--> Draft                    (system: a change voided sign-offs)
    Pending Approval --Approve--> Approved                  (one approval level: the manager's is final)
    Pending Approval --Approve--> Pending Final Approval    (two levels: total cost above the threshold)
    Pending Final Approval --Approve--> Approved             (the process owner's final approval)
    Under Review / Pending Approval / Pending Final Approval --Send Back--> Draft   (with a reason)
    Pending Approval / Pending Final Approval --Reject--> Rejected                   (with a reason)
    Approved / Rejected --Cancel--> Cancelled               (to amend the case into a new version)

A *system* step is taken only by brm_app's own code (the sign-off service, inside `system_step`), never
by a user's action, whatever their roles: nobody signs for the customer.

Approved and Rejected are submitted (docstatus 1): the decision is final and the case immutable.

Customer Agreement (submittable)::

    Draft --Submit for Sign-off--> Pending Sign-off --Activate--> Active --Terminate--> Terminated
    Pending Sign-off --Send Back--> Draft (with a reason); Active / Terminated --Cancel--> Cancelled

Activate is an approval: not by the agreement's Prepared By (four eyes).

Expiring and Expired are not workflow states: they follow from the dates (agreement_status.py).
"""

from dataclasses import dataclass, field
from datetime import datetime

from brm_app.services.roles import BRM_ROLES, MANAGERS, PROCESS_MANAGER, PROCESS_OWNER, RELATIONSHIP_MANAGER

# the role named on a system step (a transition needs one): system steps are not written to the site's
# Workflow at all (brm_app.setup.workflows), and the guard refuses them to anyone outside `system_step`
SYSTEM_ROLE = "Administrator"

# Business Case states
DRAFT = "Draft"
UNDER_REVIEW = "Under Review"
CUSTOMER_SIGN_OFF = "Customer Sign-off"
PENDING_APPROVAL = "Pending Approval"
PENDING_FINAL_APPROVAL = "Pending Final Approval"
APPROVED = "Approved"
REJECTED = "Rejected"
CANCELLED = "Cancelled"
# Customer Agreement states (Draft and Cancelled as above)
PENDING_SIGN_OFF = "Pending Sign-off"
ACTIVE = "Active"
TERMINATED = "Terminated"

# actions
SUBMIT_FOR_REVIEW = "Submit for Review"
SEND_FOR_CUSTOMER_SIGN_OFF = "Send for Customer Sign-off"
CUSTOMER_ACCEPTED = "Customer Accepted"
CUSTOMER_REJECTED = "Customer Rejected"
WITHDRAW = "Withdraw"
SIGN_OFF_VOIDED = "Sign-off Voided"
APPROVE = "Approve"
REJECT = "Reject"
SEND_BACK = "Send Back"
CANCEL = "Cancel"
SUBMIT_FOR_SIGN_OFF = "Submit for Sign-off"
ACTIVATE = "Activate"
TERMINATE = "Terminate"

# funding statuses that count as "funding requested" (Business Case.funding_status)
FUNDING_REQUESTED = ("Requested", "Approved")


@dataclass(frozen=True)
class State:
	name: str
	docstatus: int
	style: str = ""  # Workflow State style: Primary, Info, Success, Warning, Danger, Inverse or ""
	editors: tuple[str, ...] = ()  # roles that may edit the form in this state (allow_edit)
	# frappe makes no Workflow Action (nor e-mail) for the steps leading to an optional state: only the
	# steps that need a decision (approve, activate) notify their roles
	optional: bool = False


@dataclass(frozen=True)
class Transition:
	state: str
	action: str
	next_state: str
	roles: tuple[str, ...]
	# an approval: never by the person who prepared the document, nor twice by the same person
	approval: bool = False
	comment_required: bool = False
	# only for documents needing exactly this many approval levels (None: any)
	levels: int | None = None
	# taken only by brm_app's code (a customer's decision, a voided sign-off), never by a user's action
	system: bool = False

	@property
	def condition(self) -> str:
		"""The Frappe Workflow Transition condition (evaluated by frappe on the desk)."""
		if self.levels is None:
			return ""
		if self.levels >= 2:
			return "doc.approval_levels >= 2"
		return "doc.approval_levels < 2"

	def applies_to_levels(self, levels: int | None) -> bool:
		if self.levels is None:
			return True
		return (int(levels or 1) >= 2) == (self.levels >= 2)


@dataclass(frozen=True)
class WorkflowSpec:
	name: str
	document_type: str
	states: tuple[State, ...]
	transitions: tuple[Transition, ...]
	send_email_alert: bool = True
	override_status: bool = False  # True: the document's own status is shown, not the workflow state
	state_field: str = "workflow_state"
	frozen_states: tuple[str, ...] = field(default=())  # states in which the content cannot change

	@property
	def initial_state(self) -> str:
		return self.states[0].name

	def state(self, name: str | None) -> State | None:
		return next((s for s in self.states if s.name == name), None)

	def docstatus_of(self, name: str | None) -> int | None:
		state = self.state(name)
		return state.docstatus if state else None

	def first_state_with_docstatus(self, docstatus: int) -> str | None:
		return next((s.name for s in self.states if s.docstatus == docstatus), None)

	def actions(self) -> tuple[str, ...]:
		return tuple(dict.fromkeys(t.action for t in self.transitions if not t.system))


def _t(state, action, next_state, roles, **kw) -> tuple[Transition, ...]:
	return (Transition(state, action, next_state, tuple(roles), **kw),)


BUSINESS_CASE_WORKFLOW = WorkflowSpec(
	name="Business Case Approval",
	document_type="Business Case",
	states=(
		State(DRAFT, 0, "", BRM_ROLES, optional=True),
		State(UNDER_REVIEW, 0, "Info", BRM_ROLES, optional=True),
		State(CUSTOMER_SIGN_OFF, 0, "Primary", BRM_ROLES, optional=True),
		State(PENDING_APPROVAL, 0, "Warning", MANAGERS, optional=True),
		State(PENDING_FINAL_APPROVAL, 0, "Warning", (PROCESS_OWNER,)),
		State(APPROVED, 1, "Success", MANAGERS),
		State(REJECTED, 1, "Danger", MANAGERS),
		State(CANCELLED, 2, "Inverse", MANAGERS, optional=True),
	),
	transitions=(
		*_t(DRAFT, SUBMIT_FOR_REVIEW, UNDER_REVIEW, BRM_ROLES),
		*_t(UNDER_REVIEW, SEND_FOR_CUSTOMER_SIGN_OFF, CUSTOMER_SIGN_OFF, BRM_ROLES),
		*_t(UNDER_REVIEW, SEND_BACK, DRAFT, MANAGERS, comment_required=True),
		*_t(UNDER_REVIEW, SIGN_OFF_VOIDED, DRAFT, (SYSTEM_ROLE,), system=True),
		*_t(CUSTOMER_SIGN_OFF, CUSTOMER_ACCEPTED, PENDING_APPROVAL, (SYSTEM_ROLE,), system=True),
		*_t(CUSTOMER_SIGN_OFF, CUSTOMER_REJECTED, DRAFT, (SYSTEM_ROLE,), system=True, comment_required=True),
		*_t(CUSTOMER_SIGN_OFF, WITHDRAW, DRAFT, BRM_ROLES, comment_required=True),
		*_t(PENDING_APPROVAL, APPROVE, APPROVED, (PROCESS_MANAGER,), approval=True, levels=1),
		*_t(PENDING_APPROVAL, APPROVE, PENDING_FINAL_APPROVAL, (PROCESS_MANAGER,), approval=True, levels=2),
		*_t(PENDING_APPROVAL, REJECT, REJECTED, (PROCESS_MANAGER,), comment_required=True),
		*_t(PENDING_APPROVAL, SEND_BACK, DRAFT, (PROCESS_MANAGER,), comment_required=True),
		*_t(PENDING_FINAL_APPROVAL, APPROVE, APPROVED, (PROCESS_OWNER,), approval=True, levels=2),
		*_t(PENDING_FINAL_APPROVAL, REJECT, REJECTED, (PROCESS_OWNER,), comment_required=True),
		*_t(PENDING_FINAL_APPROVAL, SEND_BACK, DRAFT, (PROCESS_OWNER,), comment_required=True),
		*_t(APPROVED, CANCEL, CANCELLED, MANAGERS, comment_required=True),
		*_t(REJECTED, CANCEL, CANCELLED, MANAGERS, comment_required=True),
	),
	send_email_alert=True,
	override_status=False,
	frozen_states=(CUSTOMER_SIGN_OFF, PENDING_APPROVAL, PENDING_FINAL_APPROVAL),
)

CUSTOMER_AGREEMENT_WORKFLOW = WorkflowSpec(
	name="Customer Agreement Sign-off",
	document_type="Customer Agreement",
	states=(
		State(DRAFT, 0, "", BRM_ROLES, optional=True),
		State(PENDING_SIGN_OFF, 0, "Warning", BRM_ROLES, optional=True),
		State(ACTIVE, 1, "Success", MANAGERS),
		State(TERMINATED, 1, "Inverse", MANAGERS, optional=True),
		State(CANCELLED, 2, "Danger", MANAGERS, optional=True),
	),
	transitions=(
		*_t(DRAFT, SUBMIT_FOR_SIGN_OFF, PENDING_SIGN_OFF, BRM_ROLES),
		# four eyes: never activated by the user who prepared the agreement
		*_t(PENDING_SIGN_OFF, ACTIVATE, ACTIVE, MANAGERS, approval=True),
		*_t(PENDING_SIGN_OFF, SEND_BACK, DRAFT, BRM_ROLES, comment_required=True),
		*_t(ACTIVE, TERMINATE, TERMINATED, MANAGERS, comment_required=True),
		*_t(ACTIVE, CANCEL, CANCELLED, MANAGERS),
		*_t(TERMINATED, CANCEL, CANCELLED, MANAGERS),
	),
	send_email_alert=True,
	# Active / Expiring / Expired come from the dates: the list shows the agreement's own status
	override_status=True,
)

WORKFLOWS = {spec.document_type: spec for spec in (BUSINESS_CASE_WORKFLOW, CUSTOMER_AGREEMENT_WORKFLOW)}


# --- transitions -------------------------------------------------------------------------------------


class TransitionRefused(ValueError):
	"""Base of the reasons a transition is refused."""


class NoSuchTransition(TransitionRefused):
	"""The workflow has no transition from the old to the new state (for any role)."""


class RoleNotAllowed(TransitionRefused):
	"""The transition exists, but not for any of the user's roles."""

	def __init__(self, allowed: tuple[str, ...]):
		super().__init__(", ".join(allowed))
		self.allowed = allowed


class ApprovalLevelMismatch(TransitionRefused):
	"""The transition exists for the user's roles, but not for this number of approval levels."""


def find_transition(
	spec: WorkflowSpec,
	old_state: str,
	new_state: str,
	roles,
	approval_levels: int | None = None,
	system: bool = False,
) -> Transition:
	"""The transition old_state -> new_state that one of `roles` may take; raises a TransitionRefused.

	With `system` (brm_app's own code, see `system_step` in brm_app.approvals.guard) only the system steps
	count and roles do not matter; otherwise system steps never do."""
	candidates = [
		t
		for t in spec.transitions
		if t.state == old_state and t.next_state == new_state and t.system == system
	]
	if system:
		if not candidates:
			raise NoSuchTransition(f"{old_state} -> {new_state} (system)")
		return candidates[0]
	if not candidates:
		raise NoSuchTransition(f"{old_state} -> {new_state}")
	roles = set(roles or ())
	by_role = [t for t in candidates if roles.intersection(t.roles)]
	if not by_role:
		allowed = tuple(dict.fromkeys(r for t in candidates for r in t.roles))
		raise RoleNotAllowed(allowed)
	fitting = [t for t in by_role if t.applies_to_levels(approval_levels)]
	if not fitting:
		raise ApprovalLevelMismatch(f"{old_state} -> {new_state} with {approval_levels} level(s)")
	return fitting[0]


def available_actions(spec: WorkflowSpec, state: str, roles, approval_levels: int | None = None) -> list:
	"""The transitions out of `state` that `roles` may take (for a document needing `approval_levels`)."""
	roles = set(roles or ())
	return [
		t
		for t in spec.transitions
		if t.state == state
		and not t.system
		and roles.intersection(t.roles)
		and t.applies_to_levels(approval_levels)
	]


def approval_levels(total_cost: float, threshold: float | None) -> int:
	"""2 when the total cost is above a positive two-level threshold, else 1."""
	threshold = float(threshold or 0)
	return 2 if threshold > 0 and float(total_cost or 0) > threshold else 1


class SelfApproval(ValueError):
	"""The user may not give this approval (they prepared the document, or gave its first approval)."""


def check_approver(user: str, transition: Transition, prepared_by: str | None, first_approver: str | None):
	"""Raise SelfApproval when `user` may not take the approval `transition`.

	The rule rests on `prepared_by` (set once on insert, immutable), never on `owner`, which can be
	rewritten. In a two-level approval the final approver must differ from the first one (four eyes).
	"""
	if not transition.approval:
		return
	if prepared_by and user == prepared_by:
		raise SelfApproval("prepared_by")
	if transition.state == PENDING_FINAL_APPROVAL and first_approver and user == first_approver:
		raise SelfApproval("first_approver")


# --- preconditions -----------------------------------------------------------------------------------

NO_REQUIREMENTS = "no_requirements"
UNSIGNED_REQUIREMENTS = "unsigned_requirements"
FUNDING_NOT_REQUESTED = "funding_not_requested"


def needs_approval_preconditions(transition: Transition) -> bool:
	"""Entering Pending Approval and every approval need the sign-off preconditions."""
	return transition.next_state == PENDING_APPROVAL or transition.approval


def needs_sign_off_preconditions(transition: Transition) -> bool:
	"""Sending a case for customer sign-off needs requirements, signatories and funding requested."""
	return transition.next_state == CUSTOMER_SIGN_OFF


def missing_preconditions(requirements, funding_status: str | None) -> list[tuple[str, object]]:
	"""What keeps a business case from approval: [(code, detail)], empty when nothing does.

	`requirements` is a list of (signed_off_by, signed_off_on) pairs, one per requirement; the detail of
	UNSIGNED_REQUIREMENTS is the list of 1-based row numbers not signed off.
	"""
	missing: list[tuple[str, object]] = []
	requirements = list(requirements or ())
	if not requirements:
		missing.append((NO_REQUIREMENTS, None))
	unsigned = [idx for idx, (by, on) in enumerate(requirements, 1) if not (by and on)]
	if unsigned:
		missing.append((UNSIGNED_REQUIREMENTS, unsigned))
	if funding_status not in FUNDING_REQUESTED:
		missing.append((FUNDING_NOT_REQUESTED, funding_status))
	return missing


# --- audit -------------------------------------------------------------------------------------------


def cycle_time_days(created: datetime, decided: datetime) -> float:
	"""Days (two decimals, never negative) from the creation of the draft to the decision."""
	seconds = (decided - created).total_seconds()
	return round(max(seconds, 0) / 86400, 2)


# --- "Pending my approval" -------------------------------------------------------------------------------

APPROVING_ACTIONS = (APPROVE, ACTIVATE)


def approval_states(doctype: str, roles: set[str]) -> list[str]:
	"""The workflow states of `doctype` in which one of `roles` approves (Approve / Activate)."""
	spec = WORKFLOWS.get(doctype)
	if not spec:
		return []
	states = [
		t.state for t in spec.transitions if t.action in APPROVING_ACTIONS and roles.intersection(t.roles)
	]
	return list(dict.fromkeys(states))
