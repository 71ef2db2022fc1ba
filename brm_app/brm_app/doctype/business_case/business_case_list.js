// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

// Indicator: the approval state. "My customers" (default for relationship managers) and
// "Pending my approval" (the states the user's roles approve, not prepared by them): brm_app.desk.
frappe.listview_settings["Business Case"] = brm_app.desk.list_settings({
	add_fields: ["docstatus", "decision", "npv", "customer_name", "workflow_state", "prepared_by"],
	has_indicator_for_draft: true,
	has_indicator_for_cancelled: true,
	get_indicator: brm_app.desk.field_indicator(
		"workflow_state",
		{
			Draft: "gray",
			"Under Review": "blue",
			"Pending Approval": "orange",
			"Pending Final Approval": "yellow",
			Approved: "green",
			Rejected: "red",
			Cancelled: "darkgrey",
		},
		"Draft"
	),
});
