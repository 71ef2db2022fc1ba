// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Service Review", {
	setup(frm) {
		// attendees: the customer's contacts, or enabled users of the provider (the server checks too)
		frm.set_query("contact", "attendees", () => ({
			query: "frappe.contacts.doctype.contact.contact.contact_query",
			filters: { link_doctype: "Customer", link_name: frm.doc.customer },
		}));
		frm.set_query("user", "attendees", () => ({ filters: { enabled: 1, user_type: "System User" } }));
		frm.set_query("assigned_to", "actions", () => ({
			filters: { enabled: 1, user_type: "System User" },
		}));
	},

	refresh(frm) {
		frm.trigger("show_agenda");
		if (frm.is_new()) return;
		if (frm.doc.status !== "Cancelled" && frappe.model.can_email(null, frm)) {
			frm.add_custom_button(__("E-mail Pack"), () => email_pack(frm));
		}
	},

	show_agenda(frm) {
		const field = frm.get_field("agenda_html");
		if (frm.is_new() || frm.is_dirty()) {
			field.$wrapper.html(
				`<p class="text-muted">${__("Save the review to see its agenda for the period.")}</p>`
			);
			return;
		}
		frappe
			.xcall("brm_app.api.service_review.get_agenda", { review: frm.doc.name })
			.then((data) => {
				if (!data || frm.doc.name !== frm.docname) return;
				const note = data.snapshot
					? `<p class="text-muted">${__("As recorded when the review was held.")}</p>`
					: "";
				// server-rendered: every value escaped by the template
				field.$wrapper.html(note + data.html);
			});
	},
});

function email_pack(frm) {
	frappe.confirm(__("E-mail the Service Review Pack (PDF) to the attendees of this review?"), () =>
		frappe
			.call({
				method: "brm_app.api.service_review.email_pack",
				type: "POST",
				args: { review: frm.doc.name },
				freeze: true,
				freeze_message: __("Preparing the pack…"),
			})
			.then((r) => {
				if (!r || !r.message) return;
				frappe.show_alert({
					message: __("Pack e-mailed to {0}", [
						frappe.utils.escape_html(r.message.join(", ")),
					]),
					indicator: "green",
				});
				frm.reload_doc();
			})
	);
}
