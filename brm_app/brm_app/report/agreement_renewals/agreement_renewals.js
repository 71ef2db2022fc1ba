// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt
// Filters, default period and formatter shared by the BRM reports: brm_app.reports (public/js/brm_reports.js).

frappe.query_reports["Agreement Renewals"] = {
	filters: [
		{
			fieldname: "days_ahead",
			label: __("Ending Within"),
			fieldtype: "Select",
			// labelled choices: a bare "90" in the filter bar says nothing
			options: [30, 60, 90, 180, 365].map((days) => ({
				value: String(days),
				label: __("Ending within {0} days", [days]),
			})),
			default: "90",
			reqd: 1,
		},
		...brm_app.reports.scope_filters(),
		// the soonest notice deadlines first; the summary and chart count every agreement of the window
		brm_app.reports.show_filter(),
	],
	onload(report) {
		brm_app.reports.compact_filters(report, ["days_ahead"]);
		brm_app.reports.whole_number_axis(report);
	},
	formatter: brm_app.reports.formatter({
		pills: {
			// notice deadline passed: red; within 30 days: orange
			days_to_notice_deadline: (data) => {
				const days = data.days_to_notice_deadline;
				return days < 0 ? "red" : days <= 30 ? "orange" : "green";
			},
		},
	}),
};
