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
		{ fieldname: "limit", label: __("Show"), fieldtype: "Int", default: 100 },
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "health_rag" && data && data.health_rag) {
			const colour = { Green: "green", Amber: "orange", Red: "red" }[data.health_rag];
			value = `<span class="indicator-pill ${colour}">${value}</span>`;
		}
		return value;
	},
};
