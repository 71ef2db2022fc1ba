// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Business Case Pipeline"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("Created From"),
			fieldtype: "Date",
			// the last 12 months, from the first day of the month (the server's default too)
			default: moment().subtract(11, "months").startOf("month").format("YYYY-MM-DD"),
			reqd: 1,
		},
		{
			fieldname: "to_date",
			label: __("Created To"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
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
	],
	onload(report) {
		brm_app.desk.compact_filters(report, ["from_date", "to_date"]);
		brm_app.desk.whole_number_axis(report);
	},
	formatter(value, row, column, data, default_formatter) {
		return brm_app.desk.report_formatter(value, row, column, data, default_formatter);
	},
};
