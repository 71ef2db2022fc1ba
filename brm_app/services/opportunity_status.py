"""Service Opportunity status transitions (docs/design.md "Service Opportunity").

Pure Python (standard library only), so it runs and is tested without a Frappe site.

The pipeline is New -> Assessing -> Business Case -> Approved -> In Delivery -> Delivered, one step at
a time. Any open status may also end as Rejected or Withdrawn. Delivered, Rejected and Withdrawn are
final. A new opportunity starts as New.
"""

NEW = "New"
ASSESSING = "Assessing"
BUSINESS_CASE = "Business Case"
APPROVED = "Approved"
IN_DELIVERY = "In Delivery"
DELIVERED = "Delivered"
REJECTED = "Rejected"
WITHDRAWN = "Withdrawn"

PIPELINE = (NEW, ASSESSING, BUSINESS_CASE, APPROVED, IN_DELIVERY, DELIVERED)
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
