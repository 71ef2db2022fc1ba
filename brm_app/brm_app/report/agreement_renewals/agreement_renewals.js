// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.query_reports["Agreement Renewals"] = {
	filters: [
		{
			fieldname: "days_ahead",
			label: __("Ending within (Days)"),
			fieldtype: "Int",
			default: 90,
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
		{ fieldname: "limit", label: __("Show"), fieldtype: "Int", default: 100 },
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "days_to_notice_deadline" && data) {
			const days = data.days_to_notice_deadline;
			const colour = days < 0 ? "red" : days <= 30 ? "orange" : "green";
			value = `<span class="indicator-pill ${colour}">${value}</span>`;
		}
		return value;
	},
};
