// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("BRM Settings", {
	refresh(frm) {
		// the approval threshold is the BRM Process Owner's (the server refuses it from anyone else)
		const owner = brm_app.desk.has_any_role(brm_app.desk.ROLES.approval_settings);
		frm.set_df_property("two_level_approval_threshold", "read_only", owner ? 0 : 1);
		frm.trigger("show_weight_total");
		brm_app.desk.add_missing_portfolios_button(frm.page);
	},
	weight_csat: (frm) => frm.trigger("show_weight_total"),
	weight_nps: (frm) => frm.trigger("show_weight_total"),
	weight_sla: (frm) => frm.trigger("show_weight_total"),
	weight_complaints: (frm) => frm.trigger("show_weight_total"),
	weight_agreement_coverage: (frm) => frm.trigger("show_weight_total"),
	show_weight_total(frm) {
		// The server refuses weights that do not add up to 100; show the total while editing.
		const total = [
			"weight_csat",
			"weight_nps",
			"weight_sla",
			"weight_complaints",
			"weight_agreement_coverage",
		].reduce((sum, field) => sum + cint(frm.doc[field]), 0);
		frm.dashboard.clear_headline();
		if (total !== 100) {
			frm.dashboard.set_headline(
				__("Health score weights add up to {0}; they must add up to 100.", [total]),
				"orange"
			);
		}
	},
});
