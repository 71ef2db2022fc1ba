// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

// Indicator: the agreement's status (from its dates and sign-off). "My customers" (default for
// relationship managers) and "Pending my approval" (agreements awaiting the user's sign-off): brm_app.desk.
frappe.listview_settings["Customer Agreement"] = brm_app.desk.list_settings({
	add_fields: ["status", "workflow_state", "end_date", "agreement_kind", "docstatus"],
	has_indicator_for_draft: true,
	has_indicator_for_cancelled: true,
	get_indicator: brm_app.desk.field_indicator(
		"status",
		{
			Draft: "gray",
			"Pending Sign-off": "orange",
			Active: "green",
			Expiring: "yellow",
			Expired: "red",
			Terminated: "darkgrey",
			Cancelled: "red",
		},
		"Draft"
	),
});
