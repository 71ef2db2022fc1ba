// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Customer Satisfaction"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			// the last 3 months, from the first day of the month (the server's default too)
			default: moment().subtract(2, "months").startOf("month").format("YYYY-MM-DD"),
			reqd: 1,
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: ["Month", "Customer", "Service", "Relationship Manager"],
			default: "Month",
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
		brm_app.desk.compact_filters(report, ["from_date", "to_date", "group_by"]);
	},
	formatter(value, row, column, data, default_formatter) {
		return brm_app.desk.report_formatter(value, row, column, data, default_formatter);
	},
};
