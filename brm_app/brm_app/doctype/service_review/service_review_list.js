// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

// Indicator: the review's status. "My customers" is the default filter of relationship managers
// (brm_app.desk).
frappe.listview_settings["Service Review"] = brm_app.desk.list_settings({
	add_fields: ["status", "review_date"],
	get_indicator: brm_app.desk.field_indicator(
		"status",
		{
			Planned: "blue",
			Held: "green",
			Cancelled: "gray",
		},
		"Planned"
	),
});
