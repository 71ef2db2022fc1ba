// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.listview_settings["Customer Agreement"] = {
	add_fields: ["status", "end_date", "agreement_kind", "docstatus"],
	has_indicator_for_draft: true,
	has_indicator_for_cancelled: true,
	get_indicator(doc) {
		const colours = {
			Draft: "gray",
			"Pending Sign-off": "orange",
			Active: "green",
			Expiring: "yellow",
			Expired: "red",
			Terminated: "darkgrey",
			Cancelled: "red",
		};
		const status = doc.status || "Draft";
		return [__(status), colours[status] || "gray", `status,=,${status}`];
	},
};
