"""The SQL of the BRM reports: set-based counts (GROUP BY), parameterised, scoped to the reader.

Every function takes the report's filters (a frappe._dict) and returns plain numbers / rows; the maths on
top (shares, NPS, RAG, trends) is in brm_app.services.kpi. Values always travel as query parameters;
the only SQL spliced into a statement is built here from constants (column names, the group keys
below) and brm_app.access.rules' access condition (which escapes the user name itself).
"""

from datetime import date

import frappe
from frappe.utils import getdate, today

from brm_app.brm_app.report.shared.common import PORTFOLIO, and_, day_after, scope, scoped_portfolios
from brm_app.integrations import HD_TICKET, helpdesk_installed
from brm_app.integrations.complaints import complaint_types

ACTIVE_RELATIONSHIP = ("Active", "At Risk")


def _int(value) -> int:
	return int(value or 0)


def _period_params(from_date: date, to_date: date) -> dict:
	return {"from_date": from_date, "to_date": to_date, "until": day_after(to_date)}


# --- BRM KPI Scorecard -----------------------------------------------------------------------------------


def outcome_counts(filters) -> dict:
	"""K1 / K5: active portfolios, those with an outcome Agreed or Achieved, those with one Achieved."""
	cond, params = scope(filters, "cp.`name`")
	row = frappe.db.sql(
		f"""
		select count(*), coalesce(sum(o.agreed), 0), coalesce(sum(o.achieved), 0)
		from `tabCustomer Portfolio` cp
		left join (
			select `parent`,
				max(`status` in ('Agreed', 'Achieved')) as agreed,
				max(`status` = 'Achieved') as achieved
			from `tabPortfolio Business Outcome`
			where `parenttype` = 'Customer Portfolio'
			group by `parent`
		) o on o.`parent` = cp.`name`
		where cp.`relationship_status` in %(active)s {and_(cond)}
		""",
		{"active": ACTIVE_RELATIONSHIP, **params},
	)[0]
	return {"active": _int(row[0]), "agreed": _int(row[1]), "achieved": _int(row[2])}


def approved_case_counts(filters, from_date: date, to_date: date) -> dict:
	"""K2: cycle times of the cases approved in the period, and their requirements (all / signed off)."""
	cond, params = scope(filters, "bc.`portfolio`")
	params.update(_period_params(from_date, to_date))
	approved = f"""
		bc.`docstatus` = 1 and bc.`decision` = 'Approved'
		and bc.`decided_on` >= %(from_date)s and bc.`decided_on` < %(until)s {and_(cond)}
	"""
	cycle_times = [
		row[0]
		for row in frappe.db.sql(
			f"select bc.`cycle_time_days` from `tabBusiness Case` bc where {approved}", params
		)
	]
	requirements, signed = frappe.db.sql(
		f"""
		select count(*), coalesce(sum(ifnull(r.`signed_off_by`, '') != ''), 0)
		from `tabBusiness Case Requirement` r
		join `tabBusiness Case` bc on bc.`name` = r.`parent`
		where r.`parenttype` = 'Business Case' and {approved}
		""",
		params,
	)[0]
	return {
		"approved": len(cycle_times),
		"cycle_times": [float(c) for c in cycle_times if c is not None],
		"requirements": _int(requirements),
		"signed_off": _int(signed),
	}


def opportunity_type_counts(filters, from_date: date, to_date: date, types: tuple[str, ...]) -> dict:
	"""K3 / K4: opportunity type -> (created in the period, of which linked to a business case)."""
	cond, params = scope(filters, "so.`portfolio`")
	params.update(_period_params(from_date, to_date), types=types)
	rows = frappe.db.sql(
		f"""
		select so.`opportunity_type`, count(*), coalesce(sum(ifnull(so.`business_case`, '') != ''), 0)
		from `tabService Opportunity` so
		where so.`opportunity_type` in %(types)s
			and so.`creation` >= %(from_date)s and so.`creation` < %(until)s {and_(cond)}
		group by so.`opportunity_type`
		""",
		params,
	)
	counts = {t: (0, 0) for t in types}
	counts.update({t: (_int(n), _int(linked)) for t, n, linked in rows})
	return counts


# Ticket tables counted for K5 / K7: (doctype, complaint type column, Service Opportunity source column).
# The Helpdesk app's HD Ticket counts when installed; its HD Customer stands for the ERPNext Customer of the
# same name (as in brm_app.integrations.complaints).
ISSUE_SOURCE = ("Issue", "issue_type", "source_issue")
HD_TICKET_SOURCE = (HD_TICKET, "ticket_type", "source_hd_ticket")


def ticket_sources() -> list[tuple[str, str, str]]:
	return [ISSUE_SOURCE, HD_TICKET_SOURCE] if helpdesk_installed() else [ISSUE_SOURCE]


def sla_counts(filters, from_date: date, to_date: date) -> dict:
	"""K5: tickets (Issues, HD Tickets) of portfolio customers opened in the period, by SLA result."""
	cond, params = scope(filters, "t.`customer`", select="p.`customer`")
	params.update(_period_params(from_date, to_date))
	counts = {"fulfilled": 0, "failed": 0}
	for doctype, _type_column, _source in ticket_sources():
		fulfilled, failed = frappe.db.sql(
			f"""
			select coalesce(sum(t.`agreement_status` = 'Fulfilled'), 0),
				coalesce(sum(t.`agreement_status` = 'Failed'), 0)
			from `tab{doctype}` t
			where t.`opening_date` between %(from_date)s and %(to_date)s {and_(cond)}
			""",
			params,
		)[0]
		counts["fulfilled"] += _int(fulfilled)
		counts["failed"] += _int(failed)
	return counts


def survey_counts(filters, from_date: date, to_date: date) -> dict:
	"""K6: rating answers (satisfied / all), NPS categories of responses, surveys sent / responded."""
	return survey_counts_by(filters, from_date, to_date, None).get(None) or empty_survey_counts()


def empty_survey_counts() -> dict:
	return dict.fromkeys(
		(
			"sent",
			"responded",
			"ratings",
			"satisfied",
			"nps_answers",
			"promoters",
			"passives",
			"detractors",
			"detractors_linked",
		),
		0,
	)


# Customer Satisfaction's groupings: (sent-based key, response-based key, extra join). Constants only.
GROUPINGS = {
	None: ("null", "null", ""),
	"Month": (
		"date_format(s.`sent_on`, '%%Y-%%m')",
		"date_format(s.`responded_on`, '%%Y-%%m')",
		"",
	),
	# the scorecard: 1 = the period from %(split)s on, 0 = the previous period (one pass for both)
	"Period": ("(s.`sent_on` >= %(split)s)", "(s.`responded_on` >= %(split)s)", ""),
	"Customer": ("s.`customer`", "s.`customer`", ""),
	"Relationship Manager": ("s.`relationship_manager`", "s.`relationship_manager`", ""),
	# a response counts for every service the customer's portfolio consumes
	"Service": (
		"ps.`it_service`",
		"ps.`it_service`",
		"join `tabPortfolio Service` ps on ps.`parent` = s.`portfolio`"
		" and ps.`parenttype` = 'Customer Portfolio'",
	),
}


def survey_counts_by(
	filters,
	from_date: date,
	to_date: date,
	group_by: str | None,
	split: date | None = None,
	linked: bool = False,
) -> dict:
	"""Survey counts per group key (None: one total): sent / responded by send date, ratings and NPS
	categories by response date; with `linked`, also the detractors that are the source of a Service
	Opportunity (K7). Group "Period" needs `split`: keys 1 (from `split` on) and 0 (before)."""
	sent_key, response_key, join = GROUPINGS[group_by]
	cond, params = scope(filters, "s.`portfolio`")
	params.update(_period_params(from_date, to_date), split=split)
	result: dict = {}

	def bucket(key):
		return result.setdefault(key, empty_survey_counts())

	for key, sent, responded in frappe.db.sql(
		f"""
		select {sent_key}, count(*), coalesce(sum(s.`status` = 'Responded'), 0)
		from `tabSatisfaction Survey` s {join}
		where s.`sent_on` >= %(from_date)s and s.`sent_on` < %(until)s {and_(cond)}
		group by 1
		""",
		params,
	):
		bucket(key).update(sent=_int(sent), responded=_int(responded))

	# NPS categories and CSAT (from the rating counts each survey's controller stores, not the answer rows)
	# of the responses in one pass over brm_app.setup.indexes' covering index of responses
	for key, promoters, passives, detractors, answers, satisfied, ratings in frappe.db.sql(
		f"""
		select {response_key}, coalesce(sum(s.`nps_category` = 'Promoter'), 0),
			coalesce(sum(s.`nps_category` = 'Passive'), 0), coalesce(sum(s.`nps_category` = 'Detractor'), 0),
			coalesce(sum(ifnull(s.`nps_category`, '') != ''), 0), coalesce(sum(s.`satisfied_count`), 0),
			coalesce(sum(s.`rating_count`), 0)
		from `tabSatisfaction Survey` s {join}
		where s.`status` = 'Responded' and s.`responded_on` >= %(from_date)s and s.`responded_on` < %(until)s
			{and_(cond)}
		group by 1
		having sum(ifnull(s.`nps_category`, '') != '') > 0 or sum(s.`rating_count`) > 0
		""",
		params,
	):
		bucket(key).update(
			promoters=_int(promoters),
			passives=_int(passives),
			detractors=_int(detractors),
			nps_answers=_int(answers),
			satisfied=_int(satisfied),
			ratings=_int(ratings),
		)

	if not linked:
		return result
	# detractors that are the source of a Service Opportunity (index on its source_survey)
	for key, detractors_linked in frappe.db.sql(
		f"""
		select {response_key}, count(*)
		from `tabSatisfaction Survey` s {join}
		where s.`status` = 'Responded' and s.`responded_on` >= %(from_date)s and s.`responded_on` < %(until)s
			and s.`nps_category` = 'Detractor' {and_(cond)}
			and exists (select 1 from `tabService Opportunity` so where so.`source_survey` = s.`name`)
		group by 1
		""",
		params,
	):
		bucket(key).update(detractors_linked=_int(detractors_linked))
	return result


def feedback_counts(filters, from_date: date, to_date: date) -> dict:
	"""K7: complaint tickets (Issues, HD Tickets) opened and detractor surveys responded in the period, how
	many of them are the source of a Service Opportunity, and those opportunities (all / Delivered)."""
	types = complaint_types()
	ticket_cond, ticket_params = scope(filters, "t.`customer`", select="p.`customer`")
	survey_cond, survey_params = scope(filters, "s.`portfolio`")
	opp_cond, opp_params = scope(filters, "so.`portfolio`")
	params = {
		**ticket_params,
		**survey_params,
		**opp_params,
		**_period_params(from_date, to_date),
		"types": tuple(types) or ("",),
	}
	feedback = linked = 0
	sources = []
	for doctype, type_column, source_column in ticket_sources() if types else []:
		complaint_where = f"""
			t.`{type_column}` in %(types)s and t.`opening_date` between %(from_date)s and %(to_date)s
			{and_(ticket_cond)}
		"""
		complaints, complaints_linked = frappe.db.sql(
			f"""
			select count(*), count(l.`{source_column}`)
			from `tab{doctype}` t
			left join (
				select distinct `{source_column}` from `tabService Opportunity`
				where ifnull(`{source_column}`, '') != ''
			) l on l.`{source_column}` = t.`name`
			where {complaint_where}
			""",
			params,
		)[0]
		feedback += _int(complaints)
		linked += _int(complaints_linked)
		sources.append(
			f"so.`{source_column}` in (select t.`name` from `tab{doctype}` t where {complaint_where})"
		)

	detractor_where = f"""
		s.`status` = 'Responded' and s.`nps_category` = 'Detractor'
		and s.`responded_on` >= %(from_date)s and s.`responded_on` < %(until)s {and_(survey_cond)}
	"""
	detractors, detractors_linked = frappe.db.sql(
		f"""
		select count(*), count(l.`source_survey`)
		from `tabSatisfaction Survey` s
		left join (
			select distinct `source_survey` from `tabService Opportunity` where ifnull(`source_survey`, '') != ''
		) l on l.`source_survey` = s.`name`
		where {detractor_where}
		""",
		params,
	)[0]
	sources.append(
		f"so.`source_survey` in (select s.`name` from `tabSatisfaction Survey` s where {detractor_where})"
	)
	opportunities, delivered = frappe.db.sql(
		f"""
		select count(*), coalesce(sum(so.`status` = 'Delivered'), 0)
		from `tabService Opportunity` so
		where ({" or ".join(sources)}) {and_(opp_cond)}
		""",
		params,
	)[0]
	return {
		"feedback": feedback + _int(detractors),
		"linked": linked + _int(detractors_linked),
		"opportunities": _int(opportunities),
		"delivered": _int(delivered),
	}


def ticket_counts_by_period(filters, from_date: date, split: date, to_date: date) -> dict:
	"""K5 / K7 over the tickets (Issues, HD Tickets) of both periods at once: per period key (1: opened from
	`split` on, 0: before) SLA Fulfilled / Failed, complaints, complaints that are the source of a Service
	Opportunity. Two queries per ticket table, each a range scan of one of brm_app.setup.indexes' covering
	indexes (period + SLA status + customer; complaint type + period + customer). Full-access readers
	without filters count every ticket with a customer — written `ifnull(customer, '') != ''`, not
	`customer is not null`, which MariaDB turned into a scan of the whole customer index (57-96 ms instead
	of 38-43 ms for two quarters at 200,000 Issues)."""
	types = tuple(complaint_types())
	cond, params = scope(filters, "t.`customer`", select="p.`customer`", require_portfolio=False)
	params.update(_period_params(from_date, to_date), split=split, types=types or ("",))
	counts = {
		key: dict.fromkeys(("fulfilled", "failed", "complaints", "complaints_linked"), 0) for key in (0, 1)
	}
	for doctype, type_column, source_column in ticket_sources():
		for key, fulfilled, failed in frappe.db.sql(
			f"""
			select (t.`opening_date` >= %(split)s), coalesce(sum(t.`agreement_status` = 'Fulfilled'), 0),
				coalesce(sum(t.`agreement_status` = 'Failed'), 0)
			from `tab{doctype}` t
			where t.`opening_date` between %(from_date)s and %(to_date)s and ifnull(t.`customer`, '') != ''
				{and_(cond)}
			group by 1
			""",
			params,
		):
			counts[int(key)]["fulfilled"] += _int(fulfilled)
			counts[int(key)]["failed"] += _int(failed)
		if not types:
			continue
		for key, complaints, linked in frappe.db.sql(
			f"""
			select (t.`opening_date` >= %(split)s), count(*), count(l.`{source_column}`)
			from `tab{doctype}` t
			left join (
				select distinct `{source_column}` from `tabService Opportunity`
				where ifnull(`{source_column}`, '') != ''
			) l on l.`{source_column}` = t.`name`
			where t.`{type_column}` in %(types)s and t.`opening_date` between %(from_date)s and %(to_date)s
				and ifnull(t.`customer`, '') != '' {and_(cond)}
			group by 1
			""",
			params,
		):
			counts[int(key)]["complaints"] += _int(complaints)
			counts[int(key)]["complaints_linked"] += _int(linked)
	return counts


def feedback_opportunities_by_period(filters, from_date: date, split: date, to_date: date) -> dict:
	"""K7: Service Opportunities raised from a complaint ticket opened or a Detractor survey responded in
	either period, per period key of that source (1: from `split` on, 0: before): (all, Delivered)."""
	types = tuple(complaint_types()) or ("",)
	cond, params = scope(filters, "so.`portfolio`")
	params.update(_period_params(from_date, to_date), split=split, types=types)
	joins = ["left join `tabSatisfaction Survey` s on s.`name` = so.`source_survey`"]
	sources = [
		(
			"s.`status` = 'Responded' and s.`nps_category` = 'Detractor'"
			" and s.`responded_on` >= %(from_date)s and s.`responded_on` < %(until)s",
			"(s.`responded_on` >= %(split)s)",
		)
	]
	for n, (doctype, type_column, source_column) in enumerate(ticket_sources()):
		alias = f"t{n}"
		joins.append(f"left join `tab{doctype}` {alias} on {alias}.`name` = so.`{source_column}`")
		sources.append(
			(
				f"{alias}.`{type_column}` in %(types)s"
				f" and {alias}.`opening_date` between %(from_date)s and %(to_date)s",
				f"({alias}.`opening_date` >= %(split)s)",
			)
		)
	matched = " or ".join(f"({where})" for where, _key in sources)
	key = "case " + " ".join(f"when {where} then {period}" for where, period in sources) + " end"
	counts = {0: (0, 0), 1: (0, 0)}
	for period, total, delivered in frappe.db.sql(
		f"""
		select {key}, count(*), coalesce(sum(so.`status` = 'Delivered'), 0)
		from `tabService Opportunity` so {" ".join(joins)}
		where ({matched}) {and_(cond)}
		group by 1
		""",
		params,
	):
		counts[int(period)] = (_int(total), _int(delivered))
	return counts


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


def _health_where(filters) -> tuple[str, dict]:
	cond, params = scope(filters, "cp.`name`")
	conditions = [cond]
	if filters.get("relationship_status"):
		conditions.append("cp.`relationship_status` = %(relationship_status)s")
		params["relationship_status"] = filters.relationship_status
	else:
		conditions.append("cp.`relationship_status` != 'Ended'")
	if filters.get("health_rag"):
		conditions.append("ifnull(cp.`health_rag`, '') = %(health_rag)s")
		params["health_rag"] = "" if filters.health_rag == "Not Scored" else filters.health_rag
	return " and ".join(c for c in conditions if c), params


HEALTH_COLUMNS = """
	cp.`name` as portfolio, cp.`customer`, cp.`customer_name`, cp.`relationship_manager`,
	cp.`strategic_importance`, cp.`relationship_status`, cp.`health_score`, cp.`health_rag`, cp.`csat_score`,
	cp.`nps_score`, cp.`sla_compliance`, cp.`open_complaints`, cp.`agreement_coverage`, cp.`health_updated_on`
"""
# up to this many portfolios in scope, one sort of them all is cheaper than a query per bucket
SMALL_SCOPE = 2000


def health_rows(filters, limit: int) -> list[dict]:
	"""The first `limit` portfolios in the Customer Health order. A reader limited to a list of portfolios
	(a relationship manager, a customer filter) gets them sorted in one query. Otherwise bucket by bucket
	(at risk, Amber, Green, not scored), each sorted by score and name, until the page is full: each page
	picked from the brm_portfolio_health index alone, the full rows read for that page only."""
	condition, params = _health_where(filters)
	scoped = scoped_portfolios(filters)
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


def health_totals(filters) -> dict:
	"""Portfolios in scope per RAG ('' = not scored yet), at risk, and the mean score of scored ones."""
	condition, params = _health_where(filters)
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
	by_rag = {rag: _int(n) for rag, n, _s, _r in rows}
	scored = sum(n for rag, n in by_rag.items() if rag)
	score_sum = sum(float(s or 0) for rag, _n, s, _r in rows if rag)
	return {
		"by_rag": by_rag,
		"portfolios": sum(by_rag.values()),
		"scored": scored,
		"mean_score": round(score_sum / scored, 1) if scored else None,
		"at_risk_status": sum(_int(r) for *_x, r in rows),
	}


# --- Agreement Renewals ----------------------------------------------------------------------------------


def scope_with_services(
	filters, portfolio_column: str, parent_column: str, services_table: str, parent_doctype: str
) -> tuple[list[str], dict]:
	"""`scope` for a document whose services are child rows: the portfolio conditions and their params, and
	with a service filter, `parent_column` must name a `parent_doctype` with that service in `services_table`
	(child rows with an `it_service` field). Returns (conditions, params)."""
	cond, params = scope(filters, portfolio_column, by_service=False)
	conditions = [cond]
	if filters.get("service"):
		conditions.append(
			f"{parent_column} in (select svc.`parent` from `tab{services_table}` svc"
			f" where svc.`parenttype` = '{parent_doctype}' and svc.`it_service` = %(service)s)"
		)
		params["service"] = filters.service
	return conditions, params


NOTICE_DEADLINE = "date_sub(ca.`end_date`, interval ifnull(ca.`notice_period_days`, 0) day)"
RENEWAL_ORDER = f"{NOTICE_DEADLINE}, ca.`end_date`, ca.`name`"


def _renewal_where(filters, days_ahead: int) -> tuple[str, dict]:
	"""Submitted Active / Expiring agreements ending between today and today + `days_ahead`, in scope."""
	# the service filter applies to the agreement's services
	conditions, params = scope_with_services(
		filters, "ca.`portfolio`", "ca.`name`", "Agreement Service", "Customer Agreement"
	)
	day = getdate(today())
	params.update(today=day, horizon=getdate(frappe.utils.add_days(day, days_ahead)))
	where = f"""
		ca.`docstatus` = 1 and ca.`status` in ('Active', 'Expiring')
		and ca.`end_date` between %(today)s and %(horizon)s {and_(*conditions)}
	"""
	return where, params


def renewal_rows(filters, days_ahead: int, limit: int) -> list[dict]:
	"""The first `limit` agreements ending within `days_ahead` days with their notice deadline (end date -
	notice period days), soonest deadline first. The page is picked from brm_app.setup.indexes' covering
	index of agreements (a sort of the window's names only); the full rows are read for that page alone."""
	where, params = _renewal_where(filters, days_ahead)
	params["limit"] = limit
	return frappe.db.sql(
		f"""
		select ca.`name` as agreement, ca.`agreement_title`, ca.`customer`, ca.`customer_name`,
			ca.`relationship_manager`, ca.`status`, ca.`agreement_kind`, ca.`renewal`, ca.`start_date`,
			ca.`end_date`, ifnull(ca.`notice_period_days`, 0) as notice_period_days,
			{NOTICE_DEADLINE} as notice_deadline,
			datediff(ca.`end_date`, %(today)s) as days_to_end,
			datediff({NOTICE_DEADLINE}, %(today)s) as days_to_notice_deadline,
			ca.`agreement_value`, ca.`currency`, ca.`renewal_reminder_sent_on`
		from `tabCustomer Agreement` ca
		join (
			select ca.`name` from `tabCustomer Agreement` ca where {where} order by {RENEWAL_ORDER} limit %(limit)s
		) page on page.`name` = ca.`name`
		order by {RENEWAL_ORDER}
		""",
		params,
		as_dict=True,
	)


def renewal_months(filters, days_ahead: int, soon_days: int) -> list[dict]:
	"""Per month of the end date, the agreements ending within `days_ahead` days: how many, how many with
	the notice deadline passed / within `soon_days` days, the next deadline not passed. One index-only
	aggregate over every agreement of the window (the report's summary and chart)."""
	where, params = _renewal_where(filters, days_ahead)
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


def pipeline_rows(filters, from_date: date, to_date: date) -> list[dict]:
	"""Business cases (not cancelled) created in the period per workflow state and currency."""
	# the service filter applies to the opportunity's services
	conditions, params = scope_with_services(
		filters,
		"bc.`portfolio`",
		"bc.`service_opportunity`",
		"Opportunity Impacted Service",
		"Service Opportunity",
	)
	params.update(_period_params(from_date, to_date))
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
