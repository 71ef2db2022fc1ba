// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

// Indicator: the health (RAG), else the relationship status. "My customers" is the default filter of
// relationship managers (brm_app.desk). The manager reads as a full name, not an e-mail address; a health
// score without data stays empty (not 0).
frappe.listview_settings["Customer Portfolio"] = brm_app.desk.list_settings({
	add_fields: ["health_rag", "health_score", "relationship_status"],
	onload(listview) {
		brm_app.desk.add_missing_portfolios_button(listview.page);
	},
	formatters: {
		relationship_manager(value) {
			return value ? frappe.utils.escape_html(frappe.user.full_name(value)) : "";
		},
		health_score(value) {
			return value == null || value === "" ? brm_app.desk.NO_DATA : format_number(value, null, 1);
		},
	},
	get_indicator(doc) {
		const health_colours = { Green: "green", Amber: "orange", Red: "red" };
		if (doc.health_rag) {
			return [
				__("Health: {0}", [__(doc.health_rag)]),
				health_colours[doc.health_rag] || "gray",
				`health_rag,=,${doc.health_rag}`,
			];
		}
		return brm_app.desk.field_indicator("relationship_status", {
			Prospect: "blue",
			Active: "green",
			"At Risk": "orange",
			Dormant: "gray",
			Ended: "darkgrey",
		})(doc);
	},
});
