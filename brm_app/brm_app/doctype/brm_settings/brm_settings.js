// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

const BRM_WEIGHT_FIELDS = [
	"weight_csat",
	"weight_nps",
	"weight_sla",
	"weight_complaints",
	"weight_agreement_coverage",
];

frappe.ui.form.on("BRM Settings", {
	refresh(frm) {
		frm.trigger("show_weight_total");
	},
	show_weight_total(frm) {
		const total = BRM_WEIGHT_FIELDS.reduce((sum, field) => sum + cint(frm.doc[field]), 0);
		frm.dashboard.clear_headline();
		if (total !== 100) {
			frm.dashboard.set_headline(
				__("Health score weights add up to {0}; they must add up to 100.", [total]),
				"orange"
			);
		}
	},
});

BRM_WEIGHT_FIELDS.forEach((field) => {
	frappe.ui.form.on("BRM Settings", field, (frm) => frm.trigger("show_weight_total"));
});
