// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

// Indicator: the opportunity's pipeline status. "My customers" is the default filter of relationship
// managers (brm_app.desk).
frappe.listview_settings["Service Opportunity"] = brm_app.desk.list_settings({
	add_fields: ["status", "opportunity_type", "priority"],
	get_indicator: brm_app.desk.field_indicator(
		"status",
		{
			New: "blue",
			Assessing: "orange",
			"Business Case": "purple",
			Approved: "cyan",
			"In Delivery": "yellow",
			"Awaiting Acceptance": "orange",
			Delivered: "green",
			Rejected: "red",
			Withdrawn: "gray",
		},
		"New"
	),
});
