// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Satisfaction Survey", {
	setup(frm) {
		frm.set_query("template", () => ({ filters: { enabled: 1 } }));
		frm.set_query("contact", () => ({
			query: "frappe.contacts.doctype.contact.contact.contact_query",
			filters: { link_doctype: "Customer", link_name: frm.doc.customer || "" },
		}));
		frm.set_query("reference_doctype", () => ({
			filters: { name: ["in", ["Issue", "HD Ticket", "Project"]] },
		}));
	},

	refresh(frm) {
		// a response is final: the server refuses changes, the form does not offer them
		const responded = frm.doc.status === "Responded";
		frm.set_df_property("answers", "read_only", responded ? 1 : 0);
		frm.fields_dict.answers.grid.update_docfield_property("answer", "read_only", responded ? 1 : 0);
		// the recipient is fixed once the link was sent; status and dates are the server's (read only)
		frm.toggle_enable(["template", "customer"], !responded);
		frm.toggle_enable(["contact", "email", "respondent_language"], frm.is_new() || frm.doc.status === "Scheduled");
		if (responded && frm.doc.needs_follow_up) {
			frm.dashboard.set_headline(__("This response is low: follow it up with the customer."), "orange");
		}
	},

	customer(frm) {
		if (frm.doc.contact) frm.set_value("contact", null);
	},

	contact(frm) {
		if (frm.doc.contact && !frm.doc.email) {
			frappe.db.get_value("Contact", frm.doc.contact, "email_id").then(({ message }) => {
				if (message && message.email_id && !frm.doc.email) frm.set_value("email", message.email_id);
			});
		}
	},
});
