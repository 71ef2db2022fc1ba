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
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "rag" && data && data.rag) {
			const colour = { Green: "green", Amber: "orange", Red: "red" }[data.rag];
			value = `<span class="indicator-pill ${colour}">${value}</span>`;
		}
		return value;
	},
};
