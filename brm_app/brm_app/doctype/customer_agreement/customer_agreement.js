// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

const AGREEMENT_METHODS = "brm_app.brm_app.doctype.customer_agreement.customer_agreement";

frappe.ui.form.on("Customer Agreement", {
	setup(frm) {
		// only contacts of the agreement's customer can sign for it
		frm.set_query("customer_signatory", () => {
			if (!frm.doc.customer) {
				frappe.throw(__("Select the Customer first."));
			}
			return {
				query: "frappe.contacts.doctype.contact.contact.contact_query",
				filters: { link_doctype: "Customer", link_name: frm.doc.customer },
			};
		});
		frm.set_query("contract", () => ({
			filters: { party_type: "Customer", party_name: frm.doc.customer, docstatus: ["!=", 2] },
		}));
		frm.set_query("service_level_agreement", "services", () => ({ filters: { enabled: 1 } }));
		frm.set_query("it_service", "services", () => ({
			filters: { lifecycle_status: ["!=", "Retired"] },
		}));
		frm.set_query("provider_signatory", () => ({ filters: { enabled: 1, user_type: "System User" } }));
	},

	refresh(frm) {
		if (frm.doc.docstatus !== 1) return;
		const live = ["Active", "Expiring", "Expired"].includes(frm.doc.status);
		if (live && frappe.model.can_create("Customer Agreement")) {
			frm.add_custom_button(__("Renew"), () => renew(frm), __("Actions"));
		}
		// only a BRM Process Manager / Owner may terminate (the workflow's Terminate transition)
		if (
			["Active", "Expiring"].includes(frm.doc.status) &&
			frm.perm[0] &&
			frm.perm[0].write &&
			brm_app.desk.has_any_role(brm_app.desk.ROLES.managers)
		) {
			frm.add_custom_button(__("Terminate"), () => terminate(frm), __("Actions"));
		}
	},

	customer(frm) {
		if (frm.doc.customer_signatory) {
			frm.set_value("customer_signatory", null);
		}
	},

	// Workflow buttons go through brm_app.api.approvals.apply_action (POST), with the reason for Send Back
	// and Terminate (brm_app.desk.workflow_action, public/js/brm_desk.js).
	before_workflow_action(frm) {
		return brm_app.desk.workflow_action(frm, { comment_actions: ["Send Back", "Terminate"] });
	},
});

function renew(frm) {
	frappe.confirm(__("Create the next version of this agreement as a draft?"), () => {
		frappe.call({
			method: `${AGREEMENT_METHODS}.renew_agreement`,
			type: "POST",
			args: { source_name: frm.doc.name },
			freeze: true,
			callback(r) {
				if (r.message) {
					frappe.set_route("Form", "Customer Agreement", r.message);
				}
			},
		});
	});
}

function terminate(frm) {
	frappe.prompt(
		[
			{
				fieldname: "reason",
				fieldtype: "Small Text",
				label: __("Termination Reason"),
				reqd: 1,
			},
		],
		(values) => {
			frappe.call({
				method: `${AGREEMENT_METHODS}.terminate_agreement`,
				type: "POST",
				args: { name: frm.doc.name, reason: values.reason },
				freeze: true,
				callback() {
					frm.reload_doc();
				},
			});
		},
		__("Terminate Agreement"),
		__("Terminate")
	);
}
