// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

// "Customers Affected": who a change to this service touches (docs/renewals-and-change-impact.md); the
// server returns only the customers the user may see and counts the others
frappe.ui.form.on("IT Service", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("Customers Affected"), () =>
			frappe
				.call({
					method: "brm_app.api.change_impact.customers_affected",
					type: "GET",
					args: { service: frm.doc.name },
				})
				.then((r) => r.message)
				.then((data) => {
					const dialog = new frappe.ui.Dialog({
						title: __("Customers Affected by {0}", [frm.doc.name]),
						size: "extra-large",
						fields: [{ fieldtype: "HTML", fieldname: "impact" }],
					});
					dialog.fields_dict.impact.$wrapper.html(brm_app.desk.change_impact_html(data));
					dialog.show();
				})
		);
	},
});
