"""What happens to a customer agreement at its end, by its Renewal type (docs/renewals-and-change-impact.md).

Pure Python (standard library only), so it runs and is tested without a Frappe site.

- ``Never``: the agreement expires at its end; nobody is reminded.
- ``Tacit``: unless it was terminated, the agreement extends itself at its end by its renewal term
  (``renewal_term_months``, default 12); the relationship manager is reminded once per term before the notice
  deadline. After the notice deadline it can no longer be terminated for this term.
- ``Express``: someone decides (renews it into a new agreement, or lets it expire); reminded once per term.
"""

from datetime import date, timedelta

from brm_app.services.agreement_status import _add_months, notice_deadline

NEVER = "Never"
TACIT = "Tacit"
EXPRESS = "Express"
RENEWAL_TYPES = (NEVER, TACIT, EXPRESS)
DEFAULT_RENEWAL_TERM_MONTHS = 12
# renewal types that get a reminder before the notice deadline
REMINDED = (TACIT, EXPRESS)

# the outcomes the Agreement Renewals report shows
EXTENDS = "Extends"
EXPIRES = "Expires"
NEEDS_DECISION = "Needs Decision"
RENEWED = "Renewed"
ENDS = "Ends"


def term_months(value) -> int:
	"""The renewal term in months; empty or not positive: the default (12)."""
	months = int(value or 0)
	return months if months > 0 else DEFAULT_RENEWAL_TERM_MONTHS


def extended_end(end_date: date, months: int) -> date:
	"""The end date after one tacit extension of `months` months: the term starts the day after `end_date`
	and lasts whole calendar months (31 Jan + 1 month ends 28/29 Feb; 31 Dec + 12 months ends 31 Dec)."""
	return _add_months(end_date + timedelta(days=1), term_months(months)) - timedelta(days=1)


def extensions_due(end_date: date, months: int, today: date) -> tuple[date, int]:
	"""(new end date, number of terms) for an agreement that ended before `today`: it is extended term by
	term until its end is today or later (a job that did not run for a while catches up in one go)."""
	count = 0
	while end_date < today:
		end_date = extended_end(end_date, months)
		count += 1
	return end_date, count


def can_terminate_tacit(end_date: date, notice_period_days: int | None, today: date) -> bool:
	"""A tacit agreement can be terminated up to and including its notice deadline."""
	return today <= notice_deadline(end_date, notice_period_days)


def outcome(
	renewal: str | None,
	end_date: date,
	renewal_term: int | None,
	terminated_on: date | None = None,
	renewed_by: str | None = None,
) -> tuple[str, date | None]:
	"""(what happens at the end, the day it happens) for a running agreement:

	- terminated (any type): ``Ends`` on its termination date;
	- renewed by a successor agreement: ``Renewed`` (the successor starts the day after the end);
	- ``Tacit``: ``Extends`` the day after its end (to ``extended_end``);
	- ``Never``: ``Expires`` on its end date;
	- ``Express``: ``Needs Decision`` by its end date.
	"""
	if terminated_on is not None:
		return ENDS, terminated_on
	if renewed_by:
		return RENEWED, end_date + timedelta(days=1)
	if renewal == TACIT:
		return EXTENDS, end_date + timedelta(days=1)
	if renewal == NEVER:
		return EXPIRES, end_date
	return NEEDS_DECISION, end_date
