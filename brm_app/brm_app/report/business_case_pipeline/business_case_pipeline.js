// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt
// Filters, default period and formatter shared by the BRM reports: brm_app.reports (public/js/brm_reports.js).

frappe.query_reports["Business Case Pipeline"] = {
	filters: [
		...brm_app.reports.period_filters("last_12_months", {
			from: __("Created From"),
			to: __("Created To"),
		}),
		...brm_app.reports.scope_filters(),
	],
	onload(report) {
		brm_app.reports.compact_filters(report, ["from_date", "to_date"]);
		brm_app.reports.whole_number_axis(report);
	},
	formatter: brm_app.reports.formatter(),
};
