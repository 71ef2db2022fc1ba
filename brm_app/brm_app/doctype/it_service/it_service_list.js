// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.listview_settings["IT Service"] = {
	add_fields: ["lifecycle_status", "service_type"],
	get_indicator: brm_app.desk.field_indicator("lifecycle_status", {
		Pipeline: "blue",
		Catalogue: "green",
		Retired: "gray",
	}),
};
