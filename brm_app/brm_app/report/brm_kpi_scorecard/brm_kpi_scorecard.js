// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["BRM KPI Scorecard"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			// this calendar quarter (the server uses the same default when the dates are blank)
			default: moment().startOf("quarter").format("YYYY-MM-DD"),
			reqd: 1,
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: moment().endOf("quarter").format("YYYY-MM-DD"),
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
	},
	formatter(value, row, column, data, default_formatter) {
		value = brm_app.desk.report_formatter(value, row, column, data, default_formatter);
		if (column.fieldname === "rag" && data && data.rag_key) {
			value = brm_app.desk.pill(value, brm_app.desk.RAG_PILLS[data.rag_key]);
		}
		return value;
	},
};
