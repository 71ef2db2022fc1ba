# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Customer Health (docs/design.md S1): each portfolio's health score and its parts, at-risk customers first.

The score and parts are the ones the hourly health job stores on the portfolio (brm_app.jobs.health).
Order: Red or relationship status At Risk first, then Amber, Green and not yet scored; lowest score first
within each. Portfolios with relationship status Ended are left out unless that status is chosen. The
rows stop at the Show filter (default 100); the summary and the chart count every portfolio in scope.
Read-only; limited to the portfolios the reader may see.
"""

import frappe
from frappe import _
from frappe.utils import add_days, cint, flt, formatdate
from frappe.utils.data import get_number_format_info

from brm_app.brm_app.report.shared import queries
from brm_app.brm_app.report.shared.common import (
	column,
	filters_dict,
	summary_value,
	translated,
	user_full_names,
)
from brm_app.brm_app.report.shared.scope import ReportScope
from brm_app.jobs.health import week_start
from brm_app.services.health import contributions, parts_from_stored, score_change
from brm_app.settings import health_weights

DEFAULT_LIMIT = 100
MAX_LIMIT = 10000
RAGS = (("Red", "Red"), ("Amber", "Orange"), ("Green", "Green"), ("", "Grey"))
# the chart's colours, in the order of RAGS (also the workspace's health donut: custom_options of the
# "Customer Health RAG" dashboard chart)
RAG_COLOURS = ("#e24c4c", "#f8a13f", "#2e9e5b", "#a8b3bf")
# the change is measured against the weekly snapshot this many weeks back (docs/health-over-time.md)
DEFAULT_COMPARE_WEEKS = 4
MAX_COMPARE_WEEKS = 104
# the View filter: "" the most at risk first; the others sort by the absolute change (rises, falls or both)
VIEWS = {"": None, "Biggest Movers": "both", "Biggest Rises": "up", "Biggest Falls": "down"}
PART_LABELS = {
	"csat": "CSAT",
	"nps": "NPS",
	"sla_compliance": "SLA",
	"complaints": "Complaints",
	"agreement_coverage": "Coverage",
}


def execute(filters=None):
	filters = filters_dict(filters)
	scope = ReportScope(filters)
	limit = min(max(cint(filters.get("limit")) or DEFAULT_LIMIT, 1), MAX_LIMIT)
	status, rag = filters.get("relationship_status"), filters.get("health_rag")
	then = compared_week(filters)
	view = filters.get("view") or ""
	if view not in VIEWS:
		frappe.throw(_("View must be one of: {0}").format(", ".join(_(v) for v in VIEWS if v)))
	if VIEWS[view]:
		rows = queries.health_mover_rows(scope, limit, then, VIEWS[view], status, rag)
	else:
		rows = with_then(queries.health_rows(scope, limit, status, rag), then)
	data = display_rows(explained(rows))
	totals = queries.health_totals(scope, status, rag)
	message = None
	if VIEWS[view]:
		message = _("Largest change in points since the week of {0} first.").format(formatdate(then))
	elif totals["portfolios"] > len(data):
		message = _("Showing the {0} most at-risk of {1} portfolios; raise Show to see more.").format(
			len(data), totals["portfolios"]
		)
	return get_columns(), data, message, chart(totals), summary(totals)


def compared_week(filters: dict):
	"""The Monday of the week the change is measured against: `compare_weeks` (default 4) weeks before
	this week's."""
	weeks = cint(filters.get("compare_weeks")) if filters.get("compare_weeks") not in (None, "") else None
	weeks = DEFAULT_COMPARE_WEEKS if weeks is None else weeks
	if not 1 <= weeks <= MAX_COMPARE_WEEKS:
		frappe.throw(_("Compare With (Weeks Ago) must be from 1 to {0}.").format(MAX_COMPARE_WEEKS))
	return add_days(week_start(), -7 * weeks)


def with_then(rows: list[dict], then) -> list[dict]:
	"""Each row with its score and RAG of the week starting `then` (None without a snapshot)."""
	previous = queries.health_then([row.portfolio for row in rows], then)
	for row in rows:
		row["score_then"], row["rag_then"] = previous.get(row.portfolio, (None, None))
	return rows


def explained(rows: list[dict]) -> list[dict]:
	"""The change in points since then, and the points each part brings to the score now
	("CSAT 24.3 · NPS 14.0 · …"; brm_app.services.health.contributions)."""
	weights = health_weights()
	labels = {part: _(label) for part, label in PART_LABELS.items()}
	one_decimal = one_decimal_formatter()
	for row in rows:
		row["score_change"] = score_change(row.health_score, row.score_then)
		points = contributions(parts_from_stored(row), weights)
		row["explanation"] = " · ".join(
			f"{labels[part]} {one_decimal(value)}" for part, value in points.items() if value is not None
		)
		row["rag_then_key"] = row.rag_then or ""
		row["rag_then"] = translated(row.rag_then) if row.rag_then else None
	return rows


def one_decimal_formatter():
	"""A number with one decimal in the site's number format, as frappe.format gives a Float of precision 1:
	the separators are looked up once per report run, not once per figure (five figures a row)."""
	decimal, comma, _precision = get_number_format_info(frappe.db.get_default("number_format") or "#,###.##")
	marks = str.maketrans({",": comma, ".": decimal})

	def text(value) -> str:
		value = flt(value, 1)
		# a whole number without its ".0", as frappe shows it
		return (f"{int(value):,}" if value == int(value) else f"{value:,.1f}").translate(marks)

	return text


def display_rows(rows: list[dict]) -> list[dict]:
	"""The rows as the reader reads them: the manager's full name, the words in the reader's language
	(the untranslated RAG stays in `rag_key` for the colour); a figure without data stays None (empty)."""
	names = user_full_names(row.relationship_manager for row in rows)
	for row in rows:
		row["relationship_manager_name"] = names.get(row.relationship_manager) or row.relationship_manager
		row["rag_key"] = row.health_rag or ""
		row["health_rag"] = translated(row.health_rag) or _("Not Scored")
		row["strategic_importance"] = translated(row.strategic_importance)
		row["relationship_status"] = translated(row.relationship_status)
	return rows


def get_columns() -> list[dict]:
	return [
		# the portfolio is named by its customer: one column for both, the full name, opening the portfolio
		column("Customer", "customer_name", width=240),
		column("Portfolio", "portfolio", "Link", "Customer Portfolio", width=150, hidden=True),
		column("Relationship Manager", "relationship_manager_name", width=170),
		column("Relationship Manager (User)", "relationship_manager", "Link", "User", width=160, hidden=True),
		column("Importance", "strategic_importance", width=100),
		column("Relationship Status", "relationship_status", width=120),
		column("Health Score", "health_score", "Float", width=100),
		column("RAG", "health_rag", width=90),
		column("CSAT %", "csat_score", "Percent", width=90),
		column("NPS", "nps_score", "Float", width=80),
		column("SLA Compliance %", "sla_compliance", "Percent", width=120),
		column("Open Complaints", "open_complaints", "Int", width=100),
		column("Agreement Coverage %", "agreement_coverage", "Percent", width=130),
		column("Score Then", "score_then", "Float", width=100),
		column("Change (Points)", "score_change", "Float", width=110),
		column("RAG Then", "rag_then", width=90),
		column("Why This Score", "explanation", width=320),
		column("Health Updated On", "health_updated_on", "Datetime", width=150),
	]


def chart(totals: dict) -> dict:
	"""Portfolios per RAG, coloured by meaning (Red red, Amber orange, Green green, not scored grey)."""
	return {
		"data": {
			"labels": [_(rag) if rag else _("Not Scored") for rag, _c in RAGS],
			"datasets": [
				{"name": _("Portfolios"), "values": [totals["by_rag"].get(rag, 0) for rag, _c in RAGS]}
			],
		},
		"type": "donut",
		"colors": list(RAG_COLOURS),
		"fieldtype": "Int",
	}


def summary(totals: dict) -> list[dict]:
	by_rag = totals["by_rag"]
	mean, mean_type = summary_value(totals["mean_score"], "Float")
	return [
		{"label": _("Portfolios"), "value": totals["portfolios"], "datatype": "Int", "indicator": "Blue"},
		{"label": _("Mean Health Score"), "value": mean, "datatype": mean_type, "indicator": "Blue"},
		*(
			{
				"label": _(rag) if rag else _("Not Scored"),
				"value": by_rag.get(rag, 0),
				"datatype": "Int",
				"indicator": colour,
			}
			for rag, colour in RAGS
		),
		{
			"label": _("Relationship At Risk"),
			"value": totals["at_risk_status"],
			"datatype": "Int",
			"indicator": "Red",
		},
	]
