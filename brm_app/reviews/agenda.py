"""The prefilled agenda of a Service Review (docs/service-reviews.md "Agenda").

`build_agenda(customer, from_date, to_date, review_date)` reads the period's data of one customer, set-based
(a fixed number of queries whatever the number of tickets or surveys), through the queries the KPI reports
use: tickets (SLA, complaints) through kpi_queries.ticket_counts_by_period, CSAT / NPS through
survey_queries.survey_counts_by (brm_app.surveys.counts), the figures through brm_app.services.kpi, the notice
deadline through brm_app.services.agreement_status. Every query is limited to the customer and to the
session user's ReportScope (row-level access, docs/security.md case 2), so another customer's data never
enters an agenda. The result is plain JSON-able data: the form, the stored snapshot and the pack read it.
"""

from datetime import date

import frappe
from frappe import _lt
from frappe.utils import add_days, getdate

from brm_app.brm_app.report.shared.common import and_
from brm_app.brm_app.report.shared.kpi_queries import ticket_counts_by_period, ticket_sources
from brm_app.brm_app.report.shared.scope import BY_CUSTOMER, ReportScope
from brm_app.brm_app.report.shared.survey_queries import survey_counts_by
from brm_app.jobs.agreements import RENEWAL_REMINDER_LEAD_DAYS
from brm_app.services import kpi
from brm_app.services.agreement_status import notice_deadline_sql
from brm_app.settings import kpi_targets

# opportunities and business cases still open (brm_app.services.opportunity_status FINAL)
CLOSED_OPPORTUNITY = ("Delivered", "Rejected", "Withdrawn")
# outcomes due: not Achieved or Dropped, with a target date up to this many days after the review
OUTCOME_HORIZON_DAYS = 90
LIST_LIMIT = 20

# (key, unit, BRM Settings target field or None, higher is better); labels translated when shown (LABELS)
FIGURES = (
	("sla_compliance", kpi.PERCENT, "target_k5_sla_compliance", True),
	("tickets", kpi.COUNT, None, None),
	("sla_failed", kpi.COUNT, None, False),
	("complaints", kpi.COUNT, None, False),
	("csat", kpi.PERCENT, "target_k6_csat", True),
	("nps", kpi.SCORE, "target_k6_nps", True),
	("responses", kpi.COUNT, None, None),
)
LABELS = {
	"sla_compliance": _lt("SLA compliance"),
	"tickets": _lt("Tickets opened"),
	"sla_failed": _lt("Tickets that missed their SLA"),
	"complaints": _lt("Complaints"),
	"csat": _lt("CSAT"),
	"nps": _lt("NPS"),
	"responses": _lt("Survey responses"),
}


def build_agenda(customer: str, from_date, to_date, review_date=None) -> dict:
	"""The agenda's data for `customer` over [from_date, to_date], compared with the period of the same
	length before it and with the KPI targets of BRM Settings."""
	from_date, to_date = getdate(from_date), getdate(to_date)
	review_date = getdate(review_date or to_date)
	previous_from, previous_to = kpi.previous_period(from_date, to_date)
	scope = ReportScope({"customer": customer})

	tickets = ticket_counts_by_period(scope, previous_from, from_date, to_date)
	monthly_tickets = _monthly_tickets(scope, from_date, to_date)
	surveys = survey_counts_by(scope, previous_from, to_date, "Period", split=from_date)
	survey_months = survey_counts_by(scope, from_date, to_date, "Month")

	values = {}
	for key, period in ((1, "current"), (0, "previous")):
		ticket = tickets[key]
		survey = surveys.get(key) or {}
		measured = ticket["fulfilled"] + ticket["failed"]
		values[period] = {
			"sla_compliance": kpi.share(ticket["fulfilled"], measured),
			"sla_failed": ticket["failed"],
			"complaints": ticket["complaints"],
			"csat": kpi.share(survey.get("satisfied", 0), survey.get("ratings", 0)),
			"nps": kpi.nps(
				survey.get("promoters", 0), survey.get("detractors", 0), survey.get("nps_answers", 0)
			),
			"responses": survey.get("responded", 0),
		}
	values["current"]["tickets"] = sum(month["tickets"] for month in monthly_tickets.values())
	values["previous"]["tickets"] = _ticket_total(scope, previous_from, previous_to)

	targets, tolerance = kpi_targets()
	figures = []
	for key, unit, target_field, higher_is_better in FIGURES:
		current, previous = values["current"][key], values["previous"][key]
		target = targets.get(target_field) if target_field else None
		figures.append(
			{
				"key": key,
				"unit": unit,
				"current": current,
				"previous": previous,
				"target": target,
				"trend": kpi.trend(current, previous),
				"rag": kpi.rag(current, target, tolerance, higher_is_better) if target_field else None,
			}
		)

	months = sorted(set(monthly_tickets) | {m for m in survey_months if m})
	monthly = []
	for month in months:
		ticket = monthly_tickets.get(month) or {"tickets": 0, "fulfilled": 0, "failed": 0}
		survey = survey_months.get(month) or {}
		monthly.append(
			{
				"month": month,
				"tickets": ticket["tickets"],
				"sla_compliance": kpi.share(ticket["fulfilled"], ticket["fulfilled"] + ticket["failed"]),
				"csat": kpi.share(survey.get("satisfied", 0), survey.get("ratings", 0)),
			}
		)

	cond, params = scope.condition("x.`portfolio`")
	params.update(customer=customer, review_date=review_date, limit=LIST_LIMIT)
	return {
		"customer": customer,
		"period": {"from": str(from_date), "to": str(to_date)},
		"previous": {"from": str(previous_from), "to": str(previous_to)},
		"figures": figures,
		"monthly": monthly,
		"agreements": _agreements(cond, params),
		"opportunities": _opportunities(cond, params),
		"business_cases": _business_cases(cond, params),
		"outcomes": _outcomes(scope, params),
	}


def _ticket_rows(scope: ReportScope, from_date: date, to_date: date, group_key: str):
	"""(group key, tickets, SLA fulfilled, SLA failed) of the customer's tickets opened in the period, per
	ticket table (Issue, HD Ticket), one range scan each (brm_app.setup.indexes: period + customer)."""
	cond, params = scope.condition("t.`customer`", select=BY_CUSTOMER, require_portfolio=False)
	params.update(from_date=from_date, to_date=to_date)
	for doctype, _type_column, _source_column in ticket_sources():
		yield from frappe.db.sql(
			f"""
			select {group_key}, count(*), coalesce(sum(t.`agreement_status` = 'Fulfilled'), 0),
				coalesce(sum(t.`agreement_status` = 'Failed'), 0)
			from `tab{doctype}` t
			where t.`opening_date` between %(from_date)s and %(to_date)s and ifnull(t.`customer`, '') != ''
				{and_(cond)}
			group by 1
			""",
			params,
		)


def _monthly_tickets(scope: ReportScope, from_date: date, to_date: date) -> dict[str, dict]:
	months: dict[str, dict] = {}
	for month, count, fulfilled, failed in _ticket_rows(
		scope, from_date, to_date, "date_format(t.`opening_date`, '%%Y-%%m')"
	):
		row = months.setdefault(month, {"tickets": 0, "fulfilled": 0, "failed": 0})
		row["tickets"] += int(count)
		row["fulfilled"] += int(fulfilled)
		row["failed"] += int(failed)
	return months


def _ticket_total(scope: ReportScope, from_date: date, to_date: date) -> int:
	return sum(int(count) for _key, count, _f, _x in _ticket_rows(scope, from_date, to_date, "null"))


def _agreements(cond: str, params: dict) -> list[dict]:
	"""Live agreements inside their notice window on the review date: from the renewal reminder's day
	(RENEWAL_REMINDER_LEAD_DAYS before the notice deadline) to their end."""
	deadline = notice_deadline_sql("x")
	return frappe.db.sql(
		f"""
		select x.`name`, x.`agreement_title` as title, x.`status`, x.`renewal`, x.`end_date`,
			{deadline} as notice_deadline
		from `tabCustomer Agreement` x
		where x.`customer` = %(customer)s and x.`docstatus` = 1 and x.`status` in ('Active', 'Expiring')
			and date_sub({deadline}, interval {int(RENEWAL_REMINDER_LEAD_DAYS)} day) <= %(review_date)s
			and x.`end_date` >= %(review_date)s {and_(cond)}
		order by {deadline}, x.`name`
		limit %(limit)s
		""",
		params,
		as_dict=True,
	)


def _opportunities(cond: str, params: dict) -> list[dict]:
	return frappe.db.sql(
		f"""
		select x.`name`, x.`opportunity_title` as title, x.`opportunity_type`, x.`status`
		from `tabService Opportunity` x
		where x.`customer` = %(customer)s and x.`status` not in %(closed)s {and_(cond)}
		order by x.`creation` desc
		limit %(limit)s
		""",
		{**params, "closed": CLOSED_OPPORTUNITY},
		as_dict=True,
	)


def _business_cases(cond: str, params: dict) -> list[dict]:
	"""Business cases not decided yet (drafts, in sign-off or approval)."""
	return frappe.db.sql(
		f"""
		select x.`name`, x.`title`, ifnull(nullif(x.`workflow_state`, ''), 'Draft') as status
		from `tabBusiness Case` x
		where x.`customer` = %(customer)s and x.`docstatus` = 0 {and_(cond)}
		order by x.`creation` desc
		limit %(limit)s
		""",
		params,
		as_dict=True,
	)


def _outcomes(scope: ReportScope, params: dict) -> list[dict]:
	"""Business outcomes of the portfolio not Achieved or Dropped, due by the review date + the horizon."""
	cond, scope_params = scope.condition("x.`name`")
	return frappe.db.sql(
		f"""
		select o.`objective`, o.`target_date`, o.`status`
		from `tabPortfolio Business Outcome` o
		join `tabCustomer Portfolio` x on x.`name` = o.`parent` and o.`parenttype` = 'Customer Portfolio'
		where x.`customer` = %(customer)s and o.`status` not in ('Achieved', 'Dropped')
			and o.`target_date` <= %(horizon)s {and_(cond)}
		order by o.`target_date`, o.`idx`
		limit %(limit)s
		""",
		{**params, **scope_params, "horizon": add_days(params["review_date"], OUTCOME_HORIZON_DAYS)},
		as_dict=True,
	)


def jsonable(agenda: dict) -> dict:
	"""The agenda with dates as ISO strings (for the stored snapshot and the desk)."""
	return frappe.parse_json(frappe.as_json(agenda))
