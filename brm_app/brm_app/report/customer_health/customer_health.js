// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt
// Filters, default period and formatter shared by the BRM reports: brm_app.reports (public/js/brm_reports.js).

frappe.query_reports["Customer Health"] = {
	filters: [
		...brm_app.reports.scope_filters(),
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
		brm_app.reports.show_filter(),
	],
	onload(report) {
		brm_app.reports.compact_filters(report, ["health_rag"]);
	},
	formatter: brm_app.reports.formatter({
		rag: "health_rag",
		unscored: "gray",
		// the customer's full name, opening its portfolio
		link(value, column, data) {
			if (column.fieldname !== "customer_name" || !data.portfolio) return undefined;
			const route = `/app/customer-portfolio/${encodeURIComponent(data.portfolio)}`;
			return `<a href="${route}">${frappe.utils.escape_html(value || data.portfolio)}</a>`;
		},
	}),
};
