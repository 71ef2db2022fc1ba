// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Business Case", {
	setup(frm) {
		frm.set_query("service_opportunity", () => ({
			filters: frm.doc.customer ? { customer: frm.doc.customer } : {},
		}));
		frm.set_query("budget_holder", () => ({
			query: "frappe.contacts.doctype.contact.contact.contact_query",
			filters: { link_doctype: "Customer", link_name: frm.doc.customer || "" },
		}));
	},

	refresh(frm) {
		frm.trigger("show_figures");
		if (frm.doc.docstatus === 0 && !frm.is_new() && frm.perm[0] && frm.perm[0].write) {
			const unsigned = (frm.doc.requirements || []).filter((row) => !row.signed_off_by);
			if (unsigned.length) {
				frm.add_custom_button(__("Sign Off Requirement"), () =>
					frm.events.sign_off_dialog(frm, unsigned)
				);
			}
		}
	},

	customer(frm) {
		if (frm.doc.budget_holder) frm.set_value("budget_holder", null);
	},

	show_figures(frm) {
		// the figures are computed on the server at save; show them at a glance
		if (frm.is_new() || frm.doc.__unsaved) return;
		const currency = frm.doc.currency;
		const money = (value) => format_currency(value || 0, currency);
		frm.dashboard.clear_headline();
		frm.dashboard.set_headline(
			[
				__("NPV: {0}", [money(frm.doc.npv)]),
				__("ROI: {0}", [
					frm.doc.total_cost ? format_number(frm.doc.roi_percent, null, 2) + "%" : __("Not defined"),
				]),
				__("Payback: {0}", [frappe.utils.escape_html(frm.doc.payback_label || "")]),
				__("IRR: {0}", [frappe.utils.escape_html(frm.doc.irr_label || "")]),
			].join(" &middot; "),
			frm.doc.npv >= 0 ? "green" : "orange"
		);
	},

	sign_off_dialog(frm, unsigned) {
		const dialog = new frappe.ui.Dialog({
			title: __("Sign Off Requirement"),
			fields: [
				{
					fieldname: "row_name",
					fieldtype: "Select",
					label: __("Requirement"),
					reqd: 1,
					options: unsigned.map((row) => ({
						value: row.name,
						label: `${row.idx}: ${(row.requirement || "").slice(0, 80)}`,
					})),
				},
				{ fieldname: "evidence", fieldtype: "Small Text", label: __("Evidence") },
			],
			primary_action_label: __("Sign Off"),
			primary_action(values) {
				frappe
					.call({
						method: "brm_app.brm_app.doctype.business_case.business_case.sign_off_requirement",
						type: "POST",
						args: {
							business_case: frm.doc.name,
							row_name: values.row_name,
							evidence: values.evidence || null,
						},
						freeze: true,
					})
					.then(() => {
						dialog.hide();
						frm.reload_doc();
					});
			},
		});
		dialog.show();
	},
});
