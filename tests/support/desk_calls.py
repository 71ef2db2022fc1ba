"""The desk's own calls, made in the test process: the function a whitelisted method name runs (with the
apps' replacements), and the data a dashboard chart widget fetches."""

import frappe

# the BRM script reports, as the workspace links them
REPORTS = (
	"BRM KPI Scorecard",
	"Customer Satisfaction",
	"Customer Health",
	"Agreement Renewals",
	"Business Case Pipeline",
)


def endpoint(method: str):
	"""The function the desk's call of `method` runs: an app's replacement (hooks override_whitelisted_methods,
	the last one wins, as in frappe.handler) or frappe's own."""
	overrides = frappe.get_hooks("override_whitelisted_methods", {}).get(method) or []
	return frappe.get_attr(overrides[-1] if overrides else method)


def chart_data(chart) -> dict:
	"""What the chart widget fetches, as frappe's chart_widget.js asks for it: a report chart runs its report
	(query_report.run) and draws the report's chart; the others call dashboard_chart.get with the chart's
	filters and no time range of the user's own (the desk posts those unset arguments as empty strings)."""
	if chart.chart_type == "Report":
		result = endpoint("frappe.desk.query_report.run")(
			chart.report_name, filters=chart.filters_json, ignore_prepared_report=1
		)
		return (result.get("chart") or {}).get("data") or {}
	return endpoint("frappe.desk.doctype.dashboard_chart.dashboard_chart.get")(
		chart_name=chart.name,
		filters=chart.filters_json,
		refresh=1,
		time_interval="",
		timespan="",
		from_date="",
		to_date="",
		heatmap_year="",
	)
