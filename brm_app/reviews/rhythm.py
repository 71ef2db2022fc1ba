"""A portfolio's review rhythm (docs/service-reviews.md "Cadence"): Last Reviewed On is the date of its
latest Held Service Review, Next Review Due that date plus the portfolio's review cadence
(brm_app.rhythm.cadence). Both are derived on the server from the stored reviews, never taken from a
client: recomputed when a review is saved, cancelled or deleted, and on every save of the portfolio (its
strategic importance or cadence override may have changed).
"""

import frappe
from frappe.utils import add_days, add_months, getdate

from brm_app.rhythm import cadence

REVIEW = "Service Review"
PORTFOLIO = "Customer Portfolio"
HELD = "Held"
# the period of a first review when the portfolio has no review cadence (0 months: no regular review)
DEFAULT_PERIOD_MONTHS = 3


def last_held_on(portfolio: str | None, before=None, exclude: str | None = None):
	"""The date of the portfolio's latest Held review (before `before`, without review `exclude`), or None."""
	if not portfolio:
		return None
	table = frappe.qb.DocType(REVIEW)
	query = (
		frappe.qb.from_(table)
		.select(frappe.query_builder.functions.Max(table.review_date))
		.where((table.portfolio == portfolio) & (table.status == HELD))
	)
	if before:
		query = query.where(table.review_date < getdate(before))
	if exclude:
		query = query.where(table.name != exclude)
	value = query.run()[0][0]
	return getdate(value) if value else None


def apply_to_portfolio(doc) -> None:
	"""Set a portfolio document's last_reviewed_on / next_review_due from its stored Held reviews."""
	last = last_held_on(doc.name) if not doc.is_new() else None
	doc.last_reviewed_on = last
	doc.next_review_due = cadence.next_due(cadence.REVIEW, doc, last)


def refresh_portfolio(portfolio: str | None) -> None:
	"""Recompute and store a portfolio's last_reviewed_on / next_review_due (after a review changed)."""
	if not portfolio:
		return
	row = frappe.db.get_value(
		PORTFOLIO,
		portfolio,
		["name", "strategic_importance", cadence.PORTFOLIO_FIELD[cadence.REVIEW]],
		as_dict=True,
	)
	if not row:
		return
	last = last_held_on(portfolio)
	frappe.db.set_value(
		PORTFOLIO,
		portfolio,
		{"last_reviewed_on": last, "next_review_due": cadence.next_due(cadence.REVIEW, row, last)},
		update_modified=False,
	)


def default_period(portfolio: str | None, review_date, review_name: str | None = None) -> tuple:
	"""(from, to) of a review held on `review_date`: from the day after the last Held review before it (or
	the portfolio's review cadence before the review date), to the review date."""
	review_date = getdate(review_date)
	last = last_held_on(portfolio, before=review_date, exclude=review_name)
	if last:
		return add_days(last, 1), review_date
	months = DEFAULT_PERIOD_MONTHS
	if portfolio:
		row = frappe.db.get_value(
			PORTFOLIO,
			portfolio,
			["strategic_importance", cadence.PORTFOLIO_FIELD[cadence.REVIEW]],
			as_dict=True,
		)
		months = (row and cadence.portfolio_months(cadence.REVIEW, row)) or DEFAULT_PERIOD_MONTHS
	return add_days(add_months(review_date, -months), 1), review_date
