"""The SQL of the Customer Health, Agreement Renewals and Business Case Pipeline reports: set-based,
parameterised, limited to the run's ReportScope (brm_app.brm_app.report.shared.scope). The scorecard's
counts are kpi_queries', the survey counts survey_queries'.

Values always travel as query parameters; the only SQL spliced into a statement is built here from
constants (column names, the health buckets) and the scope's condition.
"""

from datetime import date

import frappe
from frappe.utils import getdate, today

from brm_app.brm_app.report.shared.common import PORTFOLIO, and_, as_int, period_params
from brm_app.brm_app.report.shared.scope import ReportScope
from brm_app.services.agreement_status import notice_deadline_sql

# --- Customer Health -------------------------------------------------------------------------------------

# The Customer Health order: Red or relationship status At Risk first, then Amber, Green and not scored; by
# score then name within each. Each bucket is one condition, in order, written as ranges of the
# brm_portfolio_health index (relationship status, RAG, score): a page sorts one bucket, not every portfolio.
AT_RISK = "At Risk"


def health_buckets() -> tuple[str, ...]:
	others = tuple(
		status
		for status in (frappe.get_meta(PORTFOLIO).get_options("relationship_status") or "").split("\n")
		if status and status != AT_RISK
	)
	in_others = "cp.`relationship_status` in ({})".format(", ".join(frappe.db.escape(s) for s in others))
	return (
		f"(cp.`relationship_status` = '{AT_RISK}' or ({in_others} and cp.`health_rag` = 'Red'))",
		f"{in_others} and cp.`health_rag` = 'Amber'",
		f"{in_others} and cp.`health_rag` = 'Green'",
		f"{in_others} and (cp.`health_rag` is null or cp.`health_rag` not in ('Red', 'Amber', 'Green'))",
	)


def _health_where(
	scope: ReportScope, relationship_status: str | None, health_rag: str | None
) -> tuple[str, dict]:
	cond, params = scope.condition("cp.`name`")
	conditions = [cond]
	if relationship_status:
		conditions.append("cp.`relationship_status` = %(relationship_status)s")
		params["relationship_status"] = relationship_status
	else:
		conditions.append("cp.`relationship_status` != 'Ended'")
	if health_rag:
		conditions.append("ifnull(cp.`health_rag`, '') = %(health_rag)s")
		params["health_rag"] = "" if health_rag == "Not Scored" else health_rag
	return " and ".join(c for c in conditions if c), params


HEALTH_COLUMNS = """
	cp.`name` as portfolio, cp.`customer`, cp.`customer_name`, cp.`relationship_manager`,
	cp.`strategic_importance`, cp.`relationship_status`, cp.`health_score`, cp.`health_rag`, cp.`csat_score`,
	cp.`nps_score`, cp.`sla_compliance`, cp.`open_complaints`, cp.`agreement_coverage`, cp.`health_updated_on`
"""
# up to this many portfolios in scope, one sort of them all is cheaper than a query per bucket
SMALL_SCOPE = 2000


def health_rows(
	scope: ReportScope, limit: int, relationship_status: str | None = None, health_rag: str | None = None
) -> list[dict]:
	"""The first `limit` portfolios in the Customer Health order. A reader limited to a list of portfolios
	(a relationship manager, a customer filter) gets them sorted in one query. Otherwise bucket by bucket
	(at risk, Amber, Green, not scored), each sorted by score and name, until the page is full: each page
	picked from the brm_portfolio_health index alone, the full rows read for that page only. Without a
	`relationship_status`, Ended portfolios are left out; `health_rag` "Not Scored" is the unscored ones."""
	condition, params = _health_where(scope, relationship_status, health_rag)
	scoped = scope.portfolios()
	if scoped is not None and len(scoped[0]) <= SMALL_SCOPE:
		buckets = " ".join(f"when {bucket} then {n}" for n, bucket in enumerate(health_buckets()))
		params["limit"] = limit
		return frappe.db.sql(
			f"""
			select {HEALTH_COLUMNS} from `tabCustomer Portfolio` cp where {condition}
			order by case {buckets} end, cp.`health_score`, cp.`name`
			limit %(limit)s
			""",
			params,
			as_dict=True,
		)
	rows: list[dict] = []
	for bucket in health_buckets():
		if len(rows) >= limit:
			break
		params["limit"] = limit - len(rows)
		rows += frappe.db.sql(
			f"""
			select {HEALTH_COLUMNS}
			from `tabCustomer Portfolio` cp
			join (
				select cp.`name` from `tabCustomer Portfolio` cp where {condition} and {bucket}
				order by cp.`health_score`, cp.`name` limit %(limit)s
			) page on page.`name` = cp.`name`
			order by cp.`health_score`, cp.`name`
			""",
			params,
			as_dict=True,
		)
	return rows


def health_totals(
	scope: ReportScope, relationship_status: str | None = None, health_rag: str | None = None
) -> dict:
	"""Portfolios in scope per RAG ('' = not scored yet), at risk, and the mean score of scored ones (the
	filters as health_rows')."""
	condition, params = _health_where(scope, relationship_status, health_rag)
	rows = frappe.db.sql(
		f"""
		select ifnull(cp.`health_rag`, ''), count(*), sum(cp.`health_score`),
			coalesce(sum(cp.`relationship_status` = 'At Risk'), 0)
		from `tabCustomer Portfolio` cp
		where {condition}
		group by 1
		""",
		params,
	)
	by_rag = {rag: as_int(n) for rag, n, _s, _r in rows}
	scored = sum(n for rag, n in by_rag.items() if rag)
	score_sum = sum(float(s or 0) for rag, _n, s, _r in rows if rag)
	return {
		"by_rag": by_rag,
		"portfolios": sum(by_rag.values()),
		"scored": scored,
		"mean_score": round(score_sum / scored, 1) if scored else None,
		"at_risk_status": sum(as_int(r) for *_x, r in rows),
	}


# --- Customer Health over time (docs/health-over-time.md) -------------------------------------------------

SNAPSHOT = "Customer Health Snapshot"
# "Biggest movers" views: the change that qualifies, as a condition on (now - then)
MOVER_DIRECTIONS = {
	"both": "",
	"up": "and cp.`health_score` > s.`health_score`",
	"down": "and cp.`health_score` < s.`health_score`",
}


def health_then(portfolios: list[str], then: date) -> dict[str, tuple]:
	"""portfolio -> (score, RAG) of its weekly snapshot of the week starting `then`: one range of the
	unique key (portfolio, snapshot_date, reason) per portfolio of the page."""
	if not portfolios:
		return {}
	rows = frappe.db.sql(
		f"""
		select s.`portfolio`, s.`health_score`, s.`health_rag` from `tab{SNAPSHOT}` s
		where s.`portfolio` in %(portfolios)s and s.`snapshot_date` = %(then)s and s.`reason` = 'Weekly'
		""",
		{"portfolios": portfolios, "then": then},
	)
	return {portfolio: (score, rag) for portfolio, score, rag in rows}


def health_mover_rows(
	scope: ReportScope,
	limit: int,
	then: date,
	direction: str = "both",
	relationship_status: str | None = None,
	health_rag: str | None = None,
) -> list[dict]:
	"""The first `limit` portfolios by the absolute change of their score since their weekly snapshot of
	the week starting `then` (rises and falls, or only one `direction`), largest first; a portfolio without
	a score now or then is not a mover. The snapshots of that week come from the brm_health_snapshot_date
	index alone."""
	condition, params = _health_where(scope, relationship_status, health_rag)
	params.update(then=then, limit=limit)
	return frappe.db.sql(
		f"""
		select {HEALTH_COLUMNS}, s.`health_score` as score_then, s.`health_rag` as rag_then
		from `tab{SNAPSHOT}` s
		join `tabCustomer Portfolio` cp on cp.`name` = s.`portfolio`
		where s.`reason` = 'Weekly' and s.`snapshot_date` = %(then)s and s.`health_score` is not null
			and cp.`health_score` is not null and cp.`health_score` != s.`health_score`
			{MOVER_DIRECTIONS[direction]} and {condition}
		order by abs(cp.`health_score` - s.`health_score`) desc, cp.`name`
		limit %(limit)s
		""",
		params,
		as_dict=True,
	)


# --- Agreement Renewals ----------------------------------------------------------------------------------


NOTICE_DEADLINE = notice_deadline_sql("ca")
RENEWAL_ORDER = f"{NOTICE_DEADLINE}, ca.`end_date`, ca.`name`"


def _renewal_where(scope: ReportScope, days_ahead: int) -> tuple[str, dict]:
	"""Submitted Active / Expiring agreements ending between today and today + `days_ahead`, in scope."""
	# the service filter applies to the agreement's services
	conditions, params = scope.with_services(
		"ca.`portfolio`", "ca.`name`", "Agreement Service", "Customer Agreement"
	)
	day = getdate(today())
	params.update(today=day, horizon=getdate(frappe.utils.add_days(day, days_ahead)))
	where = f"""
		ca.`docstatus` = 1 and ca.`status` in ('Active', 'Expiring')
		and ca.`end_date` between %(today)s and %(horizon)s {and_(*conditions)}
	"""
	return where, params


def renewal_rows(scope: ReportScope, days_ahead: int, limit: int) -> list[dict]:
	"""The first `limit` agreements ending within `days_ahead` days with their notice deadline (end date -
	notice period days), soonest deadline first. The page is picked from brm_app.setup.indexes' covering
	index of agreements (a sort of the window's names only); the full rows are read for that page alone."""
	where, params = _renewal_where(scope, days_ahead)
	params["limit"] = limit
	return frappe.db.sql(
		f"""
		select ca.`name` as agreement, ca.`agreement_title`, ca.`customer`, ca.`customer_name`,
			ca.`relationship_manager`, ca.`status`, ca.`agreement_kind`, ca.`renewal`, ca.`start_date`,
			ca.`end_date`, ifnull(ca.`notice_period_days`, 0) as notice_period_days,
			{NOTICE_DEADLINE} as notice_deadline,
			datediff(ca.`end_date`, %(today)s) as days_to_end,
			datediff({NOTICE_DEADLINE}, %(today)s) as days_to_notice_deadline,
			ca.`agreement_value`, ca.`currency`, ca.`renewal_reminder_sent_on`,
			ca.`renewal_term_months`, ca.`terminated_on`
		from `tabCustomer Agreement` ca
		join (
			select ca.`name` from `tabCustomer Agreement` ca where {where} order by {RENEWAL_ORDER} limit %(limit)s
		) page on page.`name` = ca.`name`
		order by {RENEWAL_ORDER}
		""",
		params,
		as_dict=True,
	)


def renewal_months(scope: ReportScope, days_ahead: int, soon_days: int) -> list[dict]:
	"""Per month of the end date, the agreements ending within `days_ahead` days: how many, how many with
	the notice deadline passed / within `soon_days` days, the next deadline not passed. One index-only
	aggregate over every agreement of the window (the report's summary and chart)."""
	where, params = _renewal_where(scope, days_ahead)
	params["soon"] = getdate(frappe.utils.add_days(params["today"], soon_days))
	return frappe.db.sql(
		f"""
		select date_format(ca.`end_date`, '%%Y-%%m') as month, count(*) as agreements,
			coalesce(sum({NOTICE_DEADLINE} < %(today)s), 0) as passed,
			coalesce(sum({NOTICE_DEADLINE} between %(today)s and %(soon)s), 0) as soon,
			min(case when {NOTICE_DEADLINE} >= %(today)s then {NOTICE_DEADLINE} end) as next_deadline
		from `tabCustomer Agreement` ca
		where {where}
		group by 1
		order by 1
		""",
		params,
		as_dict=True,
	)


# --- Business Case Pipeline ------------------------------------------------------------------------------


def pipeline_rows(scope: ReportScope, from_date: date, to_date: date) -> list[dict]:
	"""Business cases (not cancelled) created in the period per workflow state and currency."""
	# the service filter applies to the opportunity's services
	conditions, params = scope.with_services(
		"bc.`portfolio`",
		"bc.`service_opportunity`",
		"Opportunity Impacted Service",
		"Service Opportunity",
	)
	params.update(period_params(from_date, to_date))
	return frappe.db.sql(
		f"""
		select ifnull(nullif(bc.`workflow_state`, ''), 'Draft') as state, bc.`currency`, count(*) as cases,
			sum(bc.`total_cost`) as total_cost, sum(bc.`total_benefit`) as total_benefit,
			sum(bc.`net_benefit`) as net_benefit, sum(bc.`npv`) as npv,
			coalesce(sum(bc.`npv` > 0), 0) as positive_npv, avg(bc.`roi_percent`) as mean_roi,
			avg(bc.`cycle_time_days`) as mean_cycle_time
		from `tabBusiness Case` bc
		where bc.`docstatus` < 2 and bc.`creation` >= %(from_date)s and bc.`creation` < %(until)s
			{and_(*conditions)}
		group by 1, 2
		""",
		params,
		as_dict=True,
	)
