"""How often a portfolio gets a relationship survey and a service review (docs/relationship-rhythm.md).

BRM Settings (tab Relationship Rhythm) gives a number of months per strategic importance; a portfolio may
set its own (`survey_cadence_months`, `review_cadence_months`, blank = from the settings). 0 months means
no regular survey or review. The SQL twin `cadence_months_sql` gives the same answer inside one query,
for the set-based jobs.
"""

import frappe
from frappe.utils import add_months, cint, getdate

from brm_app.settings import get_settings

SURVEY, REVIEW = "survey", "review"
KINDS = (SURVEY, REVIEW)
IMPORTANCES = ("Strategic", "Important", "Commodity")
PORTFOLIO_FIELD = {SURVEY: "survey_cadence_months", REVIEW: "review_cadence_months"}
LAST_FIELD = {SURVEY: "last_relationship_survey_on", REVIEW: "last_reviewed_on"}
NEXT_FIELD = {SURVEY: "next_relationship_survey_due", REVIEW: "next_review_due"}
# the longest cadence, in the settings or a portfolio's override: a longer one would silence the portfolio's
# review-overdue alert and its relationship surveys (docs/service-reviews.md, docs/rhythm-surveys.md)
MAX_MONTHS = 36


def settings_field(kind: str, importance: str | None) -> str:
	"""The BRM Settings field holding the cadence of `kind` for `importance` (Important when unset)."""
	_check_kind(kind)
	importance = importance if importance in IMPORTANCES else "Important"
	return f"{kind}_cadence_{importance.lower()}"


def settings_months(kind: str) -> dict[str, int]:
	"""{importance: months} from BRM Settings."""
	settings = get_settings()
	return {importance: cint(settings.get(settings_field(kind, importance))) for importance in IMPORTANCES}


def cadence_months(kind: str, importance: str | None, override: int | None = None) -> int:
	"""Months between two surveys / reviews of a portfolio; 0 = none. The portfolio's own value wins."""
	if override not in (None, "") and cint(override) > 0:
		return cint(override)
	return settings_months(kind)[importance if importance in IMPORTANCES else "Important"]


def portfolio_months(kind: str, portfolio) -> int:
	"""`cadence_months` for a portfolio document or dict."""
	return cadence_months(kind, portfolio.get("strategic_importance"), portfolio.get(PORTFOLIO_FIELD[kind]))


def next_due(kind: str, portfolio, last=None):
	"""The date the next survey / review of `portfolio` is due (None when its cadence is 0).

	Without a last one, it is due now (today)."""
	months = portfolio_months(kind, portfolio)
	if months <= 0:
		return None
	last = last if last is not None else portfolio.get(LAST_FIELD[kind])
	if not last:
		return getdate()
	return getdate(add_months(getdate(last), months))


def cadence_months_sql(kind: str, alias: str = "p") -> str:
	"""SQL expression: the cadence in months of the portfolio row `alias` (same rule as `cadence_months`)."""
	months = settings_months(kind)
	override = f"{alias}.`{PORTFOLIO_FIELD[kind]}`"
	by_importance = " ".join(
		f"when {frappe.db.escape(importance)} then {cint(months[importance])}" for importance in IMPORTANCES
	)
	return (
		f"(case when coalesce({override}, 0) > 0 then {override}"
		f" else (case {alias}.`strategic_importance` {by_importance} else {cint(months['Important'])} end) end)"
	)


def _check_kind(kind: str) -> None:
	if kind not in KINDS:
		raise ValueError(f"unknown cadence kind {kind!r}")


# the relationship statuses of a portfolio that get regular surveys / reviews (docs/rhythm-surveys.md):
# a Prospect is not a customer yet, a Dormant or Ended relationship is not kept going by surveys
ACTIVE_STATUSES = ("Active", "At Risk")


def refresh_next_due(kind: str, portfolios: list[str] | None = None) -> None:
	"""Recompute the stored next due date of `kind` from the last one and the cadence, in one UPDATE over
	every portfolio (or the `portfolios` named): after a change of the cadences in BRM Settings, and as a
	backfill. Same rule as `next_due`: none when the cadence is 0, today when there was no last one."""
	_check_kind(kind)
	last, nxt = f"p.`{LAST_FIELD[kind]}`", f"p.`{NEXT_FIELD[kind]}`"
	months = cadence_months_sql(kind, "p")
	where, values = "", {"today": getdate()}
	if portfolios is not None:
		if not portfolios:
			return
		where = " where p.`name` in %(portfolios)s"
		values["portfolios"] = tuple(portfolios)
	frappe.db.sql(
		f"""update `tabCustomer Portfolio` p set {nxt} = (case when {months} <= 0 then null
			when {last} is null then %(today)s else date_add({last}, interval {months} month) end){where}""",
		values,
	)
