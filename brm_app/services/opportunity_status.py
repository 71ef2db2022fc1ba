"""Service Opportunity status transitions (docs/design.md "Service Opportunity").

Pure Python (standard library only), so it runs and is tested without a Frappe site.

The pipeline is New -> Assessing -> Business Case -> Approved -> In Delivery -> Awaiting Acceptance ->
Delivered, one step at a time (an opportunity with a business case waits in Awaiting Acceptance after its
project completes, until the customer accepts the delivery or a process manager waives that). Any open status may also end as Rejected or Withdrawn. Delivered, Rejected and Withdrawn are
final. A new opportunity starts as New.
"""

from brm_app.services import approval_rules as case

NEW = "New"
ASSESSING = "Assessing"
BUSINESS_CASE = "Business Case"
APPROVED = "Approved"
IN_DELIVERY = "In Delivery"
AWAITING_ACCEPTANCE = "Awaiting Acceptance"
DELIVERED = "Delivered"
REJECTED = "Rejected"
WITHDRAWN = "Withdrawn"

PIPELINE = (NEW, ASSESSING, BUSINESS_CASE, APPROVED, IN_DELIVERY, AWAITING_ACCEPTANCE, DELIVERED)
CLOSING = (REJECTED, WITHDRAWN)
STATUSES = (*PIPELINE, *CLOSING)
FINAL = frozenset((DELIVERED, REJECTED, WITHDRAWN))
OPEN = tuple(s for s in STATUSES if s not in FINAL)
INITIAL = NEW


class OpportunityStatusError(ValueError):
	"""A status that does not exist, or a move the pipeline does not allow."""


def allowed_next(status: str | None) -> tuple[str, ...]:
	"""The statuses an opportunity in `status` may move to (None: a new opportunity)."""
	if status is None:
		return (INITIAL,)
	_check_known(status)
	if status in FINAL:
		return ()
	step = PIPELINE[PIPELINE.index(status) + 1]
	return (step, *CLOSING)


def can_transition(old: str | None, new: str) -> bool:
	"""Whether `old` -> `new` is allowed; staying in the same status always is."""
	_check_known(new)
	return old == new or new in allowed_next(old)


def check_transition(old: str | None, new: str) -> None:
	"""Raise OpportunityStatusError unless `old` -> `new` is allowed."""
	if can_transition(old, new):
		return
	if old is None:
		raise OpportunityStatusError(f"a new opportunity starts as {INITIAL}, not {new}")
	if old in FINAL:
		raise OpportunityStatusError(f"{old} is a final status")
	raise OpportunityStatusError(f"cannot move from {old} to {new}; allowed: {', '.join(allowed_next(old))}")


def _check_known(status: str) -> None:
	if status not in STATUSES:
		raise OpportunityStatusError(f"unknown status {status!r}")


# --- the service opportunity follows its business case and project ----------------------------------

# statuses the case no longer drives: delivery has started, or the opportunity was withdrawn
_BEYOND_CASE = (IN_DELIVERY, AWAITING_ACCEPTANCE, DELIVERED, WITHDRAWN)
# case states that keep (or put) the opportunity in Business Case; Cancelled takes a decision back
_CASE_OPEN_STATES = (
	case.DRAFT,
	case.UNDER_REVIEW,
	case.PENDING_APPROVAL,
	case.PENDING_FINAL_APPROVAL,
	case.CANCELLED,
)


def status_for_case(case_state: str | None, opportunity_status: str | None) -> str | None:
	"""The status the case's opportunity should move to, or None to leave it as it is.

	Approved -> Approved, Rejected -> Rejected. A case being worked on (Draft .. Pending Final Approval)
	keeps or puts the opportunity in Business Case; cancelling a decided case (to amend it) takes the
	decision back. Once delivery has started or the opportunity is withdrawn, the case no longer moves it.
	"""
	if opportunity_status in _BEYOND_CASE:
		return None
	if case_state == case.APPROVED:
		target = APPROVED
	elif case_state == case.REJECTED:
		target = REJECTED
	elif case_state in _CASE_OPEN_STATES:
		target = BUSINESS_CASE
	else:
		return None
	if target == opportunity_status:
		return None
	return target


def status_for_project(
	project_status: str | None,
	percent_complete: float | None,
	opportunity_status: str | None,
	needs_acceptance: bool = False,
) -> str | None:
	"""The status an opportunity in delivery should move to after its project changed, or None.

	Completed -> Delivered, or Awaiting Acceptance when the customer must accept the delivery first
	(`needs_acceptance`: the project was made from a business case); Open with progress (percent
	complete > 0) -> In Delivery. Only an Approved or In Delivery opportunity moves, and only forwards.
	"""
	if opportunity_status not in (APPROVED, IN_DELIVERY):
		return None
	if project_status == "Completed":
		return AWAITING_ACCEPTANCE if needs_acceptance else DELIVERED
	if project_status == "Open" and float(percent_complete or 0) > 0 and opportunity_status == APPROVED:
		return IN_DELIVERY
	return None


# statuses that, for an opportunity with a business case, only the system sets: the project's completion
# (Awaiting Acceptance) and the customer's acceptance or a process manager's waiver (Delivered)
SYSTEM_ONLY_WITH_CASE = (AWAITING_ACCEPTANCE, DELIVERED)


def manual_status_allowed(new_status: str, old_status: str | None, case_state: str | None) -> bool:
	"""An opportunity with a business case is Approved only through the case's approval, and Awaiting
	Acceptance / Delivered only through its project and the customer's acceptance (or a waiver)."""
	if new_status == old_status or case_state is None:
		return True
	if new_status in SYSTEM_ONLY_WITH_CASE:
		return False
	if new_status != APPROVED:
		return True
	return case_state == case.APPROVED
