# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""BRM KPI Scorecard (docs/design.md S5): K1-K7 for a period, with target, actual, previous period, trend and RAG.

The exact definition of each figure is brm_app.services.kpi.FIGURES (also shown in the report, and with
its formula, period and target in docs/kpis.md). Targets and the Amber tolerance are in BRM Settings (KPI
Targets). Read-only; every count is limited to the portfolios the reader may see
(brm_app.brm_app.report.shared.scope).
"""

from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import formatdate

from brm_app.brm_app.report.shared import kpi_queries, survey_queries
from brm_app.brm_app.report.shared.common import and_, column, filters_dict, period, translated
from brm_app.brm_app.report.shared.scope import ReportScope
from brm_app.services import alerts as alert_rules
from brm_app.services import kpi
from brm_app.settings import kpi_targets

SERVICE_CHANGE, INNOVATION = "Service Change", "Technology Innovation"
RAG_INDICATOR = {kpi.GREEN: "Green", kpi.AMBER: "Orange", kpi.RED: "Red"}


def execute(filters=None):
	filters = filters_dict(filters)
	from_date, to_date = period(filters, "this_quarter")
	prev_from, prev_to = kpi.previous_period(from_date, to_date)
	targets, tolerance = kpi_targets()

	current, previous = figures(ReportScope(filters), prev_from, from_date, to_date)
	rows = []
	for figure in kpi.FIGURES:
		target = None if figure.key in kpi.UNTARGETED else targets.get(figure.target_field)
		actual = current[figure.key]
		rows.append(
			{
				"key": figure.key,
				"kpi": figure.kpi,
				"figure": figure.label,
				"unit": figure.unit,
				"target": target,
				"actual": actual,
				"previous": previous[figure.key],
				"trend": kpi.trend(actual, previous[figure.key]),
				"rag": kpi.rag(actual, target, tolerance, figure.higher_is_better),
				"definition": figure.definition,
			}
		)
	period_label = _("{0} to {1} (previous period {2} to {3})").format(
		formatdate(from_date), formatdate(to_date), formatdate(prev_from), formatdate(prev_to)
	)
	shown = display_rows(rows) + alert_rows(ReportScope(filters))
	return get_columns(), shown, message(period_label), chart(rows), summary(rows)


def alert_rows(scope: ReportScope) -> list[dict]:
	"""Open alerts per rule now (docs/alerts.md), in the reader's scope: a count, without target or RAG."""
	cond, params = scope.condition("a.`portfolio`")
	counts = dict(
		frappe.db.sql(
			f"""select a.`rule`, count(*) from `tabBRM Alert` a
			where a.`status` = 'Open' {and_(cond)} group by a.`rule`""",
			params,
		)
	)
	return [
		{
			"key": f"alerts_{rule.key}",
			"kpi": _("Alerts"),
			"figure": _("Open alerts: {0}").format(_(rule.label)),
			"unit": translated(UNIT_LABELS[kpi.COUNT], context="KPI unit"),
			"target": None,
			"actual": int(counts.get(rule.label, 0)),
			"previous": None,
			"trend": None,
			"trend_key": None,
			"rag": None,
			"rag_key": None,
			"definition": _("Alerts of this rule open today, whatever the period (BRM Alert list)."),
			"value_fieldtype": "Int",
			"value_precision": 0,
		}
		for rule in alert_rules.RULES
	]


# How each unit's figures read: (fieldtype, precision). A percentage is not "80,000", a count not "1,000".
UNIT_FORMAT = {
	kpi.PERCENT: ("Percent", 1),
	kpi.COUNT: ("Int", 0),
	kpi.DAYS: ("Float", 1),
	kpi.SCORE: ("Float", 1),
}
UNIT_LABELS = {kpi.PERCENT: "%", kpi.COUNT: "count", kpi.DAYS: "days", kpi.SCORE: "score"}


def display_rows(rows: list[dict]) -> list[dict]:
	"""The rows in the reader's language (translated here, at run time), with the fieldtype and precision of
	each row's figures (`value_fieldtype`, `value_precision`: the report's formatter and exports read them);
	the untranslated RAG and trend stay in `rag_key` / `trend_key`."""
	result = []
	for row in rows:
		fieldtype, precision = UNIT_FORMAT[row["unit"]]
		# a count is a whole number (a target from BRM Settings comes as 1.0 and would read "1.0")
		numbers = {
			field: int(row[field]) if fieldtype == "Int" and row[field] is not None else row[field]
			for field in ("target", "actual", "previous")
		}
		result.append(
			{
				**row,
				**numbers,
				"figure": translated(row["figure"]),
				"unit": translated(UNIT_LABELS[row["unit"]], context="KPI unit"),
				"definition": translated(row["definition"]),
				"trend": translated(row["trend"], context="KPI trend"),
				"trend_key": row["trend"],
				"rag": translated(row["rag"]),
				"rag_key": row["rag"],
				"value_fieldtype": fieldtype,
				"value_precision": precision,
			}
		)
	return result


def figures(scope: ReportScope, prev_from, from_date, to_date) -> tuple[dict, dict]:
	"""Every figure's actual value (None where there is no data) for the period and the previous one.

	The big tables (tickets, surveys) are read once for both periods (grouped by period); outcomes are a
	snapshot, the same for both."""
	outcomes = kpi_queries.outcome_counts(scope)
	tickets = kpi_queries.ticket_counts_by_period(scope, prev_from, from_date, to_date)
	# all surveys and each kind in one pass over the sent and one over the responses
	surveys, by_kind, _channels = survey_queries.survey_counts_with_kinds(
		scope, prev_from, to_date, "Period", split=from_date, linked=True
	)
	improvements = kpi_queries.feedback_opportunities_by_period(scope, prev_from, from_date, to_date)
	periods = ((1, from_date, to_date), (0, prev_from, from_date - timedelta(days=1)))
	result = []
	for key, start, end in periods:
		cases = kpi_queries.approved_case_counts(scope, start, end)
		deliveries = kpi_queries.delivery_acceptance_counts(scope, start, end)
		opportunities = kpi_queries.opportunity_type_counts(scope, start, end, (SERVICE_CHANGE, INNOVATION))
		sla = tickets[key]
		survey = surveys.get(key) or survey_queries.empty_survey_counts()
		opportunities_raised, delivered = improvements[key]
		feedback = sla["complaints"] + survey["detractors"]
		changes, changes_to_case = opportunities[SERVICE_CHANGE]
		innovations, innovations_to_case = opportunities[INNOVATION]
		kinds = {
			kind: counts.get(key) or survey_queries.empty_survey_counts() for kind, counts in by_kind.items()
		}
		result.append(
			{
				"k1_outcomes_agreed": kpi.share(outcomes["agreed"], outcomes["active"]),
				"k2_cases_approved": cases["approved"],
				"k2_requirements_signed_off": kpi.share(cases["signed_off"], cases["requirements"]),
				"k2_days_to_approval": kpi.median(cases["cycle_times"]),
				"k2_days_in_customer_sign_off": kpi.median(
					kpi_queries.customer_sign_off_days(scope, start, end)
				),
				"k2_deliveries_accepted": kpi.share(deliveries["accepted"], deliveries["completed"]),
				"k3_service_changes": changes,
				"k3_to_business_case": kpi.share(changes_to_case, changes),
				"k4_innovations": innovations,
				"k4_to_business_case": kpi.share(innovations_to_case, innovations),
				"k5_sla_compliance": kpi.share(sla["fulfilled"], sla["fulfilled"] + sla["failed"]),
				"k5_outcomes_achieved": kpi.share(outcomes["achieved"], outcomes["agreed"]),
				"k6_csat": kpi.share(survey["satisfied"], survey["ratings"]),
				"k6_nps": kpi.nps(survey["promoters"], survey["detractors"], survey["nps_answers"]),
				"k6_response_rate": kpi.share(survey["responded"], survey["sent"]),
				**{
					f"k6_{kind}_{name}": value
					for kind, counts in kinds.items()
					for name, value in k6_figures(counts).items()
				},
				"k7_feedback": feedback,
				"k7_feedback_linked": kpi.share(
					sla["complaints_linked"] + survey["detractors_linked"], feedback
				),
				"k7_improvements_delivered": kpi.share(delivered, opportunities_raised),
			}
		)
	return result[0], result[1]


def k6_figures(counts: dict) -> dict:
	"""CSAT, NPS and response rate of one kind of survey (relationship or delivery)."""
	return {
		"csat": kpi.share(counts["satisfied"], counts["ratings"]),
		"nps": kpi.nps(counts["promoters"], counts["detractors"], counts["nps_answers"]),
		"response_rate": kpi.share(counts["responded"], counts["sent"]),
	}


def get_columns() -> list[dict]:
	# Target, Actual and Previous Period hold percentages, counts, days and scores: each row says which
	# (value_fieldtype / value_precision, marked by brm_figure for the report's formatter)
	figure = {"brm_figure": 1}
	return [
		# on a phone the first ~350 px show: which figure, its value, its target and RAG
		column("KPI", "kpi", width=50),
		column("Figure", "figure", width=200),
		column("Actual", "actual", "Float", width=80) | figure,
		column("Target", "target", "Float", width=80) | figure,
		column("RAG", "rag", width=75),
		column("Trend", "trend", width=80, context="KPI trend"),
		column("Previous Period", "previous", "Float", width=120) | figure,
		column("Unit", "unit", width=70),
		column("Definition", "definition", "Small Text", width=500),
	]


def message(period_label: str) -> str:
	return _("Period: {0}. Targets and the Amber tolerance are set in BRM Settings, KPI Targets.").format(
		period_label
	)


def chart(rows: list[dict]) -> dict:
	"""Actual against target for the percentage figures that have data this period: a figure without data
	is left out rather than drawn as a bar of 0 (a 0 % that was measured is drawn)."""
	drawn = [row for row in rows if row["unit"] == kpi.PERCENT and row["actual"] is not None]
	return {
		"data": {
			"labels": [f"{row['kpi']} {translated(row['figure'])}" for row in drawn],
			"datasets": [
				{"name": _("Actual"), "values": [row["actual"] for row in drawn]},
				{"name": _("Target"), "values": [row["target"] for row in drawn]},
			],
		},
		"type": "bar",
		"fieldtype": "Percent",
		"colors": ["#2490ef", "#a8b3bf"],
	}


def summary(rows: list[dict]) -> list[dict]:
	counts = {
		status: sum(1 for row in rows if row["rag"] == status) for status in (kpi.GREEN, kpi.AMBER, kpi.RED)
	}
	no_data = sum(1 for row in rows if row["rag"] is None)
	return [
		*(
			{"label": _(status), "value": count, "indicator": RAG_INDICATOR[status], "datatype": "Int"}
			for status, count in counts.items()
		),
		{"label": _("No Target or No Data"), "value": no_data, "indicator": "Grey", "datatype": "Int"},
	]
