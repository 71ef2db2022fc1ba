// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt
// Filters, default period and formatter shared by the BRM reports: brm_app.reports (public/js/brm_reports.js).

frappe.query_reports["BRM KPI Scorecard"] = {
	filters: [...brm_app.reports.period_filters("this_quarter"), ...brm_app.reports.scope_filters()],
	onload(report) {
		brm_app.reports.compact_filters(report, ["from_date", "to_date"]);
	},
	// a row without a RAG (no target or no data) shows no pill
	formatter: brm_app.reports.formatter({ rag: "rag" }),
};
