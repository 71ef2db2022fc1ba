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
		{
			// the change is measured against the weekly snapshot of this many weeks ago
			fieldname: "compare_weeks",
			label: __("Compare With (Weeks Ago)"),
			fieldtype: "Int",
			default: 4,
		},
		{
			// "" the most at risk first; the movers views sort by the absolute change in points
			fieldname: "view",
			label: __("View"),
			fieldtype: "Select",
			options: [
				{ value: "", label: __("Most At Risk") },
				{ value: "Biggest Movers", label: __("Biggest Movers") },
				{ value: "Biggest Rises", label: __("Biggest Rises") },
				{ value: "Biggest Falls", label: __("Biggest Falls") },
			],
		},
		brm_app.reports.show_filter(),
	],
	onload(report) {
		brm_app.reports.compact_filters(report, ["health_rag"]);
	},
	formatter: brm_app.reports.formatter({
		rag: "health_rag",
		unscored: "gray",
		pills: {
			rag_then: (data) => brm_app.reports.RAG_PILLS[data.rag_then_key],
			score_change: (data) =>
				data.score_change == null ? null : data.score_change < 0 ? "red" : "green",
		},
		// the customer's full name, opening its portfolio
		link(value, column, data) {
			if (column.fieldname !== "customer_name" || !data.portfolio) return undefined;
			const route = `/app/customer-portfolio/${encodeURIComponent(data.portfolio)}`;
			return `<a href="${route}">${frappe.utils.escape_html(value || data.portfolio)}</a>`;
		},
	}),
};
