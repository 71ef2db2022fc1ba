// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

const CLOSED_OPPORTUNITY_STATUSES = ["Delivered", "Rejected", "Withdrawn"];

frappe.ui.form.on("Service Opportunity", {
	setup(frm) {
		frm.set_query("source_issue", () => ({
			filters: frm.doc.customer ? { customer: frm.doc.customer } : {},
		}));
		frm.set_query("source_survey", () => ({
			filters: frm.doc.customer ? { customer: frm.doc.customer } : {},
		}));
	},

	refresh(frm) {
		if (
			!frm.is_new() &&
			!frm.doc.business_case &&
			!CLOSED_OPPORTUNITY_STATUSES.includes(frm.doc.status) &&
			frappe.model.can_create("Business Case")
		) {
			frm.add_custom_button(__("Create Business Case"), () =>
				frappe.model.open_mapped_doc({
					method: "brm_app.brm_app.doctype.service_opportunity.service_opportunity.make_business_case",
					frm,
				})
			);
		}
	},
});
