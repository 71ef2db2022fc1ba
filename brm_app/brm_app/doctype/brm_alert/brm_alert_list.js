// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

// Indicator: Open (red) or Closed (grey); the list opens on the open alerts (docs/alerts.md).
frappe.listview_settings["BRM Alert"] = {
	add_fields: ["status", "rule"],
	filters: [["status", "=", "Open"]],
	get_indicator: brm_app.desk.field_indicator("status", { Open: "red", Closed: "gray" }, "Open"),
};
