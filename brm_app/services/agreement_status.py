"""Customer Agreement status and renewal periods (docs/design.md S2).

Pure Python (standard library only), so it runs and is tested without a Frappe site.

Status of an agreement:

- draft (docstatus 0): ``Draft``, or ``Pending Sign-off`` while its approval workflow says so;
- cancelled (docstatus 2): ``Cancelled``;
- submitted (docstatus 1), in this order of precedence:
  ``Terminated`` once ``terminated_on`` has come, ``Expired`` after ``end_date``, ``Expiring`` from
  the notice deadline (``notice_deadline``: ``end_date - notice_period_days``) on, otherwise ``Active`` (also before ``start_date``: signed but not
  started yet is a live agreement).

For a fixed submitted agreement the status only moves forward as time passes
(Active -> Expiring -> Expired, and Terminated from the termination date on): see ``LIFECYCLE_RANK``.
"""

import calendar
from datetime import date, timedelta

DRAFT = "Draft"
PENDING_SIGN_OFF = "Pending Sign-off"
ACTIVE = "Active"
EXPIRING = "Expiring"
EXPIRED = "Expired"
TERMINATED = "Terminated"
CANCELLED = "Cancelled"

STATUSES = (DRAFT, PENDING_SIGN_OFF, ACTIVE, EXPIRING, EXPIRED, TERMINATED, CANCELLED)
SUBMITTED_STATUSES = (ACTIVE, EXPIRING, EXPIRED, TERMINATED)
# Order of the statuses a submitted agreement goes through as time passes.
LIFECYCLE_RANK = {ACTIVE: 0, EXPIRING: 1, EXPIRED: 2, TERMINATED: 3}


class AgreementStatusInputError(ValueError):
	"""The dates, notice period or docstatus given cannot describe an agreement."""


def derive_status(
	docstatus: int,
	workflow_state: str | None,
	start_date: date,
	end_date: date,
	notice_period_days: int,
	today: date,
	terminated_on: date | None,
) -> str:
	"""The status an agreement should show on `today` (one of ``STATUSES``)."""
	if docstatus not in (0, 1, 2):
		raise AgreementStatusInputError(f"docstatus must be 0, 1 or 2, not {docstatus!r}")
	if docstatus == 0:
		return PENDING_SIGN_OFF if workflow_state == PENDING_SIGN_OFF else DRAFT
	if docstatus == 2:
		return CANCELLED

	if start_date is None or end_date is None:
		raise AgreementStatusInputError("a submitted agreement needs a start and an end date")
	if end_date < start_date:
		raise AgreementStatusInputError("the end date is before the start date")
	notice = int(notice_period_days or 0)
	if notice < 0:
		raise AgreementStatusInputError("the notice period cannot be negative")

	if terminated_on is not None and terminated_on <= today:
		return TERMINATED
	if end_date < today:
		return EXPIRED
	if today >= notice_deadline(end_date, notice):
		return EXPIRING
	return ACTIVE


def notice_deadline(end_date: date, notice_period_days: int | None) -> date:
	"""The last day to give notice: `end_date` less the notice period (none: the end date itself). The
	agreement is Expiring from this day on; the renewal reminder, its e-mail, the portfolio overview and the
	Agreement Renewals report all use this day (in SQL through notice_deadline_sql)."""
	return end_date - timedelta(days=int(notice_period_days or 0))


def notice_deadline_sql(alias: str) -> str:
	"""notice_deadline as a MariaDB expression over the Customer Agreement table aliased `alias` (a constant
	alias: the expression is spliced into SQL), for the queries that filter or sort on it."""
	if not alias.isidentifier():
		raise ValueError("The table alias must be an identifier")
	return f"date_sub({alias}.`end_date`, interval ifnull({alias}.`notice_period_days`, 0) day)"


def renewal_period(start_date: date, end_date: date) -> tuple[date, date]:
	"""The validity period of the agreement that follows [start_date, end_date].

	It starts the day after `end_date` and lasts as long. A period of whole calendar months
	(1 Jan - 31 Dec, 15 Mar - 14 Jun) is renewed by the same number of months, so a yearly agreement
	stays yearly across leap years; any other period is renewed by the same number of days.
	"""
	if end_date < start_date:
		raise AgreementStatusInputError("the end date is before the start date")
	new_start = end_date + timedelta(days=1)
	months = _whole_months(start_date, end_date)
	if months:
		return new_start, _add_months(new_start, months) - timedelta(days=1)
	return new_start, new_start + (end_date - start_date)


def _whole_months(start_date: date, end_date: date) -> int | None:
	"""n when end_date is exactly n calendar months after start_date, less one day; else None."""
	day_after = end_date + timedelta(days=1)
	months = (day_after.year - start_date.year) * 12 + day_after.month - start_date.month
	if months > 0 and _add_months(start_date, months) == day_after:
		return months
	return None


def _add_months(day: date, months: int) -> date:
	"""`day` moved by `months` calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
	month_index = day.month - 1 + months
	year, month = day.year + month_index // 12, month_index % 12 + 1
	return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
