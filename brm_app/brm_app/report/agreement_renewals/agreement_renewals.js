// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

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
		{
			fieldname: "relationship_manager",
			label: __("Relationship Manager"),
			fieldtype: "Link",
			options: "User",
		},
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
		{ fieldname: "service", label: __("Service"), fieldtype: "Link", options: "IT Service" },
		// the soonest notice deadlines first; the summary and chart count every agreement of the window
		brm_app.desk.show_filter(),
	],
	onload(report) {
		brm_app.desk.compact_filters(report, ["days_ahead"]);
		brm_app.desk.whole_number_axis(report);
	},
	formatter(value, row, column, data, default_formatter) {
		value = brm_app.desk.report_formatter(value, row, column, data, default_formatter);
		if (column.fieldname === "days_to_notice_deadline" && data) {
			const days = data.days_to_notice_deadline;
			const colour = days < 0 ? "red" : days <= 30 ? "orange" : "green";
			value = brm_app.desk.pill(value, colour);
		}
		return value;
	},
};
