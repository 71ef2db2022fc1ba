// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Customer Portfolio", {
	setup(frm) {
		// Stakeholders and the contacts who agree outcomes are contacts of this customer (the server checks too).
		const customer_contacts = () => ({
			query: "frappe.contacts.doctype.contact.contact.contact_query",
			filters: { link_doctype: "Customer", link_name: frm.doc.customer },
		});
		frm.set_query("contact", "stakeholders", customer_contacts);
		frm.set_query("agreed_by", "business_outcomes", customer_contacts);
		frm.set_query("it_service", "services", () => ({
			filters: { lifecycle_status: ["!=", "Retired"] },
		}));
	},

	refresh(frm) {
		if (frm.is_new()) return;
		const create = __("Create");
		if (frappe.model.can_create("Service Opportunity")) {
			frm.add_custom_button(
				__("New Opportunity"),
				() => frappe.new_doc("Service Opportunity", { customer: frm.doc.customer }),
				create
			);
		}
		if (frappe.model.can_create("Customer Agreement")) {
			frm.add_custom_button(
				__("New Agreement"),
				() => frappe.new_doc("Customer Agreement", { customer: frm.doc.customer }),
				create
			);
		}
	},
});
