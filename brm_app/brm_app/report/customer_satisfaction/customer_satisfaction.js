// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt
// Filters, default period and formatter shared by the BRM reports: brm_app.reports (public/js/brm_reports.js).

frappe.query_reports["Customer Satisfaction"] = {
	filters: [
		...brm_app.reports.period_filters("last_3_months"),
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: ["Month", "Customer", "Service", "Relationship Manager"],
			default: "Month",
		},
		...brm_app.reports.scope_filters(),
	],
	onload(report) {
		brm_app.reports.compact_filters(report, ["from_date", "to_date", "group_by"]);
	},
	formatter: brm_app.reports.formatter(),
};
