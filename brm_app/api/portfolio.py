"""Customer Portfolio desk endpoints: the "at a glance" overview and "Send Survey Now".

`get_portfolio_overview` feeds the overview section of the portfolio form (customer_portfolio.js) in one
round trip: the health score with its parts (stored by the hourly health job), the monthly CSAT / NPS of
the last 12 months, the open complaints, the agreements inside their notice window and the stakeholders'
influence / interest grid. Every figure is one aggregate query on indexed columns of this one portfolio
(Satisfaction Survey.portfolio, Issue.customer, Customer Agreement.portfolio), so the cost does not grow
with the number of customers or tickets of the site.

`send_survey_now` sends the periodic relationship survey to the portfolio's stakeholders who receive
surveys, right away (the per-contact throttle of BRM Settings still applies).
"""

from datetime import date

import frappe
from frappe import _
from frappe.utils import add_months, cint, escape_html, flt, get_first_day, getdate, today

from brm_app.brm_app.report.shared.common import month_label
from brm_app.integrations.complaints import open_complaint_counts
from brm_app.services import kpi
from brm_app.services.agreement_status import notice_deadline, notice_deadline_sql
from brm_app.services.health import (
	PARTS,
	complaints_part,
	compute_health,
	contributions,
	csat_part,
	nps_part,
	parts_from_stored,
	score_change,
)
from brm_app.settings import get_settings, health_weights
from brm_app.surveys.counts import RESPONSE_COUNTS, response_counts

PORTFOLIO = "Customer Portfolio"
SURVEY = "Satisfaction Survey"
AGREEMENT = "Customer Agreement"
TREND_MONTHS = 12
RELATIONSHIP_REVIEW = "Periodic Relationship Review"
# Influence / interest grid: High is "high", Medium and Low are "low" (a 2 x 2 grid)
QUADRANTS = {
	(True, True): "manage_closely",
	(True, False): "keep_satisfied",
	(False, True): "keep_informed",
	(False, False): "monitor",
}


# POST like every brm_app endpoint (tests/security case 8 lists the GET-able reads); frappe.xcall posts
@frappe.whitelist(methods=["POST"])
def get_portfolio_overview(portfolio: str) -> dict:
	"""Everything the portfolio form shows at a glance (read-only; the caller must be able to read it)."""
	doc = _readable_portfolio(portfolio)
	return {
		"health": health_overview(doc),
		"trend": satisfaction_trend(doc.name),
		"open_complaints": open_complaint_counts([doc.customer]).get(doc.customer, 0),
		"expiring_agreements": expiring_agreements(doc.name),
		"stakeholders": stakeholder_grid(doc),
	}


def _readable_portfolio(portfolio: str):
	doc = frappe.get_doc(PORTFOLIO, portfolio)  # DoesNotExistError for an unknown one
	doc.check_permission("read")
	return doc


HEALTH_PARTS = (
	# part, stored field, label
	("csat", "csat_score", "CSAT (%)"),
	("nps", "nps_score", "NPS"),
	("sla_compliance", "sla_compliance", "SLA Compliance (%)"),
	("complaints", "open_complaints", "Open Complaints"),
	("agreement_coverage", "agreement_coverage", "Agreement Coverage (%)"),
)


def health_overview(doc) -> dict:
	"""The stored health score and its parts: each part's measure, its 0-100 score and its weight; None
	(shown as a dash) for a part without data and for the score of a portfolio without any."""
	weights = health_weights()
	measures = {part: doc.get(field) for part, field, _label in HEALTH_PARTS}
	scorers = {
		"csat": lambda value: csat_part(min(100.0, max(0.0, flt(value)))),
		"nps": lambda value: nps_part(max(-100.0, min(100.0, flt(value)))),
		"sla_compliance": flt,
		"complaints": lambda value: complaints_part(cint(value)),
		"agreement_coverage": flt,
	}
	return {
		"score": flt(doc.health_score) if doc.health_score is not None else None,
		"rag": doc.health_rag or None,
		"updated_on": doc.health_updated_on,
		"parts": [
			{
				"part": part,
				"label": _(label),
				"value": flt(measures[part]) if measures[part] is not None else None,
				"score": round(scorers[part](measures[part]), 1) if measures[part] is not None else None,
				"weight": weights.get(part, 0),
			}
			for part, _field, label in HEALTH_PARTS
		],
	}


def satisfaction_trend(portfolio: str, months: int = TREND_MONTHS, end: date | None = None) -> dict:
	"""Monthly CSAT (% of ratings 4-5) and NPS (% promoters - % detractors) of the responses of the last
	`months` months (the current one included); None for a month without responses."""
	end = getdate(end or today())
	first = get_first_day(add_months(end, -(months - 1)))
	keys = [add_months(first, i).strftime("%Y-%m") for i in range(months)]
	since = first.strftime("%Y-%m-%d")
	months_counts = response_counts(
		"date_format(s.`responded_on`, '%%Y-%%m')",
		since,
		condition="s.`portfolio` = %(portfolio)s",
		params={"portfolio": portfolio},
	)
	counts = [months_counts.get(key) or dict.fromkeys(RESPONSE_COUNTS, 0) for key in keys]
	return {
		"months": keys,
		# "Okt 2026" for a reader in Indonesian (frappe's date formatting in the session's language)
		"labels": [month_label(key) for key in keys],
		"csat": [kpi.share(month["satisfied"], month["ratings"]) for month in counts],
		"nps": [kpi.nps(month["promoters"], month["detractors"], month["nps_answers"]) for month in counts],
		# the sample sizes: a CSAT of 100 % from 2 ratings is shown with its n
		"ratings": [month["ratings"] for month in counts],
		"nps_answers": [month["nps_answers"] for month in counts],
	}


def expiring_agreements(portfolio: str, on: date | None = None) -> list[dict]:
	"""Live (submitted, not terminated) agreements whose notice window has begun and that have not ended:
	end date - notice period <= today <= end date, soonest first."""
	on = getdate(on or today())
	rows = frappe.db.sql(
		f"""
		select ca.name, ca.agreement_title, ca.end_date, ca.notice_period_days, ca.renewal, ca.status
		from `tabCustomer Agreement` ca
		where ca.portfolio = %(portfolio)s and ca.docstatus = 1 and ca.terminated_on is null
			and ca.status in ('Active', 'Expiring')
			and ca.end_date >= %(on)s
			and {notice_deadline_sql("ca")} <= %(on)s
		order by ca.end_date asc
		""",
		{"portfolio": portfolio, "on": on},
		as_dict=True,
	)
	for row in rows:
		row.days_left = (getdate(row.end_date) - on).days
		row.notice_deadline = notice_deadline(getdate(row.end_date), row.notice_period_days)
	return rows


def quadrant(influence: str | None, interest: str | None) -> str:
	"""The grid cell of a stakeholder: High influence / interest is high, Medium and Low are low."""
	return QUADRANTS[(influence == "High", interest == "High")]


def stakeholder_grid(doc) -> dict:
	"""The stakeholders per influence / interest quadrant."""
	grid = {name: [] for name in QUADRANTS.values()}
	for row in doc.stakeholders:
		grid[quadrant(row.influence, row.interest)].append(
			{
				"contact": row.contact,
				"full_name": row.full_name or row.contact,
				"role": row.stakeholder_role,
				"influence": row.influence,
				"interest": row.interest,
			}
		)
	return grid


@frappe.whitelist(methods=["POST"])
def send_survey_now(portfolio: str) -> dict:
	"""Send the relationship survey now to every stakeholder of the portfolio who receives surveys.

	The caller must be able to edit the portfolio and create surveys. Returns the surveys sent and the
	stakeholders skipped with the reason (no e-mail address, surveyed within the throttle period)."""
	from brm_app.jobs import surveys as jobs
	from brm_app.surveys.scheduling import Skip, check_throttle, require_template, respondent_language

	doc = _readable_portfolio(portfolio)
	doc.check_permission("write")
	frappe.has_permission(SURVEY, "create", throw=True)

	stakeholders = [row for row in doc.stakeholders if row.receives_surveys]
	if not stakeholders:
		frappe.throw(
			_(
				"No stakeholder of {0} receives surveys: tick Receives Surveys on the Stakeholders tab."
			).format(frappe.bold(escape_html(doc.name))),
			title=_("No Recipients"),
		)
	language = respondent_language(doc.customer, None)
	try:
		template = require_template(RELATIONSHIP_REVIEW, language)
	except Skip as reason:
		frappe.throw(str(reason), title=_("No Survey Template"))

	throttle_days = cint(get_settings().contact_throttle_days)
	sent, skipped, seen = [], [], set()
	for row in stakeholders:
		email = row.email_id or frappe.db.get_value("Contact", row.contact, "email_id")
		name = escape_html(row.full_name or row.contact)
		if not email:
			skipped.append({"contact": row.contact, "reason": _("{0} has no e-mail address").format(name)})
			continue
		if email.lower() in seen:
			continue
		seen.add(email.lower())
		try:
			check_throttle(row.contact, email, throttle_days)
		except Skip as reason:
			skipped.append({"contact": row.contact, "reason": str(reason)})
			continue
		survey = frappe.get_doc(
			{
				"doctype": SURVEY,
				"template": template,
				"customer": doc.customer,
				"contact": row.contact,
				"email": email,
				"respondent_language": respondent_language(doc.customer, row.contact),
				"status": "Scheduled",
				"trigger": RELATIONSHIP_REVIEW,
				"scheduled_for": frappe.utils.now_datetime(),
			}
		).insert()
		jobs.send_invitation(survey.name)
		sent.append(survey.name)
	if sent:
		# the cadence counts from this survey (docs/rhythm-surveys.md)
		jobs.mark_relationship_surveyed(doc)
		doc.add_comment(
			"Info",
			_("Relationship survey sent to {0} stakeholder(s): {1}").format(len(sent), ", ".join(sent)),
		)
	return {"sent": sent, "skipped": skipped}


# --- health over time (docs/health-over-time.md) ---------------------------------------------------------

TREND_WEEKS = 26
MAX_TREND_WEEKS = 156


@frappe.whitelist(methods=["GET"])
@frappe.read_only()
def get_health_trend(portfolio: str, weeks: int = TREND_WEEKS) -> dict:
	"""The portfolio's health snapshots of the last `weeks` weeks (weekly and band changes, oldest first),
	the change since the first of them, and what each part brings to today's score. Read-only; the caller
	must be able to read the portfolio."""
	doc = _readable_portfolio(portfolio)
	weeks = min(max(cint(weeks) or TREND_WEEKS, 1), MAX_TREND_WEEKS)
	since = frappe.utils.add_days(today(), -7 * weeks)
	rows = frappe.db.sql(
		"""
		select `snapshot_date`, `reason`, `health_score`, `health_rag`
		from `tabCustomer Health Snapshot`
		where `portfolio` = %(portfolio)s and `snapshot_date` >= %(since)s
		order by `snapshot_date`, `reason` desc
		""",
		{"portfolio": doc.name, "since": since},
		as_dict=True,
	)
	points = [
		{
			"date": str(row.snapshot_date),
			"label": frappe.utils.formatdate(row.snapshot_date),
			"reason": row.reason,
			"reason_label": _(row.reason),
			"score": flt(row.health_score) if row.health_score is not None else None,
			"rag": row.health_rag or None,
		}
		for row in rows
	]
	score = flt(doc.health_score) if doc.health_score is not None else None
	first = next((point for point in points if point["score"] is not None), None)
	return {
		"weeks": weeks,
		"points": points,
		"score": score,
		"rag": doc.health_rag or None,
		# the change since the first snapshot of the window, and its date
		"change": score_change(score, first["score"]) if first else None,
		"since": first["label"] if first else None,
		"explanation": health_explanation(doc),
	}


def health_explanation(stored) -> list[dict]:
	"""Each part of a stored health score (a portfolio or a snapshot row) with its value (0-100), its
	effective weight (%) and the points it brings (weight x value / 100); None for a part without data."""
	parts = parts_from_stored(stored)
	result = compute_health(parts, health_weights())
	points = contributions(parts, health_weights())
	labels = {part: label for part, _field, label in HEALTH_PARTS}
	return [
		{
			"part": part,
			"label": _(labels[part]),
			"value": None if result.parts[part] is None else round(result.parts[part], 1),
			"weight": round(result.effective_weights[part], 1) if points[part] is not None else None,
			"contribution": None if points[part] is None else round(points[part], 1),
		}
		for part in PARTS
	]
