"""The SQL of the BRM KPI Scorecard (docs/design.md S5, K1-K7): set-based counts (GROUP BY), parameterised,
limited to the run's ReportScope (brm_app.brm_app.report.shared.scope). The maths on top (shares, NPS, RAG,
trends) is brm_app.services.kpi; the survey counts (K6, the detractors of K7) are survey_queries'.

Values always travel as query parameters; the only SQL spliced into a statement is built here from
constants (column names) and the scope's condition.
"""

from datetime import date

import frappe

from brm_app.brm_app.report.shared.common import and_, as_int, period_params
from brm_app.brm_app.report.shared.scope import BY_CUSTOMER, ReportScope
from brm_app.integrations import HD_TICKET, helpdesk_installed
from brm_app.integrations.complaints import complaint_types

ACTIVE_RELATIONSHIP = ("Active", "At Risk")


def outcome_counts(scope: ReportScope) -> dict:
	"""K1 / K5: active portfolios, those with an outcome Agreed or Achieved, those with one Achieved."""
	cond, params = scope.condition("cp.`name`")
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
	return {"active": as_int(row[0]), "agreed": as_int(row[1]), "achieved": as_int(row[2])}


def approved_case_counts(scope: ReportScope, from_date: date, to_date: date) -> dict:
	"""K2: cycle times of the cases approved in the period, and their requirements (all / signed off by the
	customer: Signed Off By is the result of the Customer Sign-off records named in Sign-off Evidence,
	brm_app.signoff.flow.refresh_case; a provider's own sign-off never counts)."""
	cond, params = scope.condition("bc.`portfolio`")
	params.update(period_params(from_date, to_date))
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
		select count(*),
			coalesce(sum(ifnull(r.`signed_off_by`, '') != '' and ifnull(r.`sign_off_evidence`, '') != ''), 0)
		from `tabBusiness Case Requirement` r
		join `tabBusiness Case` bc on bc.`name` = r.`parent`
		where r.`parenttype` = 'Business Case' and {approved}
		""",
		params,
	)[0]
	return {
		"approved": len(cycle_times),
		"cycle_times": [float(c) for c in cycle_times if c is not None],
		"requirements": as_int(requirements),
		"signed_off": as_int(signed),
	}


def customer_sign_off_days(scope: ReportScope, from_date: date, to_date: date) -> list[float]:
	"""K2: days each case spent in Customer Sign-off, over the cases that reached Pending Approval (the
	customer signed off) in the period (Business Case customer_signed_off_on, customer_sign_off_days)."""
	cond, params = scope.condition("bc.`portfolio`")
	params.update(period_params(from_date, to_date))
	return [
		float(days)
		for (days,) in frappe.db.sql(
			f"""
			select bc.`customer_sign_off_days` from `tabBusiness Case` bc
			where bc.`docstatus` < 2 and bc.`customer_sign_off_days` is not null
				and bc.`customer_signed_off_on` >= %(from_date)s and bc.`customer_signed_off_on` < %(until)s
				{and_(cond)}
			""",
			params,
		)
	]


def delivery_acceptance_counts(scope: ReportScope, from_date: date, to_date: date) -> dict:
	"""K2: completed projects made from a business case whose customer's acceptance was asked in the period
	(the first Acceptance sign-off's Requested On: asked when the project completed), and of those, the ones
	every signatory of the case accepted (Business Case Signatory acceptance_status). A waiver is not an
	acceptance: a waived case's signatories are not all Accepted."""
	cond, params = scope.condition("bc.`portfolio`")
	params.update(period_params(from_date, to_date))
	total, accepted = frappe.db.sql(
		f"""
		select count(*), coalesce(sum(s.`signatories` > 0 and s.`signatories` = s.`accepted`), 0)
		from `tabBusiness Case` bc
		join (
			select `business_case`, min(`requested_on`) as asked_on
			from `tabCustomer Sign-off` where `purpose` = 'Acceptance'
			group by `business_case`
		) a on a.`business_case` = bc.`name`
		left join (
			select `parent`, count(*) as signatories, sum(`acceptance_status` = 'Accepted') as accepted
			from `tabBusiness Case Signatory` where `parenttype` = 'Business Case'
			group by `parent`
		) s on s.`parent` = bc.`name`
		where bc.`docstatus` = 1
			and a.`asked_on` >= %(from_date)s and a.`asked_on` < %(until)s
			and exists (
				select 1 from `tabProject` p
				where p.`brm_business_case` = bc.`name` and p.`status` = 'Completed'
			)
			{and_(cond)}
		""",
		params,
	)[0]
	return {"completed": as_int(total), "accepted": as_int(accepted)}


def opportunity_type_counts(
	scope: ReportScope, from_date: date, to_date: date, types: tuple[str, ...]
) -> dict:
	"""K3 / K4: opportunity type -> (created in the period, of which linked to a business case)."""
	cond, params = scope.condition("so.`portfolio`")
	params.update(period_params(from_date, to_date), types=types)
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
	counts.update({t: (as_int(n), as_int(linked)) for t, n, linked in rows})
	return counts


# Ticket tables counted for K5 / K7: (doctype, complaint type column, Service Opportunity source column).
# The Helpdesk app's HD Ticket counts when installed; its HD Customer stands for the ERPNext Customer of the
# same name (as in brm_app.integrations.complaints).
ISSUE_SOURCE = ("Issue", "issue_type", "source_issue")
HD_TICKET_SOURCE = (HD_TICKET, "ticket_type", "source_hd_ticket")


def ticket_sources() -> list[tuple[str, str, str]]:
	return [ISSUE_SOURCE, HD_TICKET_SOURCE] if helpdesk_installed() else [ISSUE_SOURCE]


def ticket_counts_by_period(scope: ReportScope, from_date: date, split: date, to_date: date) -> dict:
	"""K5 / K7 over the tickets (Issues, HD Tickets) of both periods at once: per period key (1: opened from
	`split` on, 0: before) SLA Fulfilled / Failed, complaints, complaints that are the source of a Service
	Opportunity. Two queries per ticket table, each a range scan of one of brm_app.setup.indexes' covering
	indexes (period + SLA status + customer; complaint type + period + customer). Full-access readers
	without filters count every ticket with a customer — written `ifnull(customer, '') != ''`, not
	`customer is not null`, which MariaDB turned into a scan of the whole customer index (57-96 ms instead
	of 38-43 ms for two quarters at 200,000 Issues)."""
	types = tuple(complaint_types())
	cond, params = scope.condition("t.`customer`", select=BY_CUSTOMER, require_portfolio=False)
	params.update(period_params(from_date, to_date), split=split, types=types or ("",))
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
			counts[int(key)]["fulfilled"] += as_int(fulfilled)
			counts[int(key)]["failed"] += as_int(failed)
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
			counts[int(key)]["complaints"] += as_int(complaints)
			counts[int(key)]["complaints_linked"] += as_int(linked)
	return counts


def feedback_opportunities_by_period(scope: ReportScope, from_date: date, split: date, to_date: date) -> dict:
	"""K7: Service Opportunities raised from a complaint ticket opened or a Detractor survey responded in
	either period, per period key of that source (1: from `split` on, 0: before): (all, Delivered)."""
	types = tuple(complaint_types()) or ("",)
	cond, params = scope.condition("so.`portfolio`")
	params.update(period_params(from_date, to_date), split=split, types=types)
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
		counts[int(period)] = (as_int(total), as_int(delivered))
	return counts
