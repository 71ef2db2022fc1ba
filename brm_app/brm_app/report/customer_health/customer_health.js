// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Customer Health"] = {
	filters: [
		{
			fieldname: "relationship_manager",
			label: __("Relationship Manager"),
			fieldtype: "Link",
			options: "User",
		},
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
		{ fieldname: "service", label: __("Service"), fieldtype: "Link", options: "IT Service" },
		{
			fieldname: "health_rag",
			label: __("RAG"),
			fieldtype: "Select",
			options: ["", "Red", "Amber", "Green", "Not Scored"],
		},
		{
			fieldname: "relationship_status",
			label: __("Relationship Status"),
			fieldtype: "Select",
			options: ["", "Prospect", "Active", "At Risk", "Dormant", "Ended"],
		},
		brm_app.desk.show_filter(),
	],
	onload(report) {
		brm_app.desk.compact_filters(report, ["health_rag"]);
	},
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldname === "customer_name" && data && data.portfolio) {
			// the customer's full name, opening its portfolio
			const route = `/app/customer-portfolio/${encodeURIComponent(data.portfolio)}`;
			return `<a href="${route}">${frappe.utils.escape_html(value || data.portfolio)}</a>`;
		}
		value = brm_app.desk.report_formatter(value, row, column, data, default_formatter);
		if (column.fieldname === "health_rag" && data) {
			value = brm_app.desk.pill(value, brm_app.desk.RAG_PILLS[data.rag_key] || "gray");
		}
		return value;
	},
};
