// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.listview_settings["Service Review"] = {
	add_fields: ["status", "review_date"],
	get_indicator(doc) {
		const colours = { Planned: "blue", Held: "green", Cancelled: "gray" };
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
};
