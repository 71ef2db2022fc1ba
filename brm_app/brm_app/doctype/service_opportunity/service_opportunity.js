// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

const CLOSED_OPPORTUNITY_STATUSES = ["Delivered", "Rejected", "Withdrawn"];
// docs/renewals-and-change-impact.md: the customers a change or retirement affects
const IMPACT_OPPORTUNITY_TYPES = ["Service Change", "Retirement"];

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
		show_customers_affected(frm);
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
		// the customer has not (yet) accepted the delivery: a BRM Process Manager may waive that, with a
		// reason (brm_app.api.sign_off.waive_acceptance; the server checks the role again)
		if (
			frm.doc.status === "Awaiting Acceptance" &&
			frm.doc.business_case &&
			frappe.user.has_role("BRM Process Manager")
		) {
			frm.add_custom_button(__("Waive Customer Acceptance"), () =>
				frappe.prompt(
					{
						fieldname: "reason",
						fieldtype: "Small Text",
						label: __("Reason"),
						reqd: 1,
					},
					({ reason }) =>
						frappe
							.xcall(
								"brm_app.api.sign_off.waive_acceptance",
								{ business_case: frm.doc.business_case, reason },
								"POST"
							)
							.then(() => frm.reload_doc()),
					__("Waive Customer Acceptance"),
					__("Waive")
				)
			);
		}
	},
});

function show_customers_affected(frm) {
	const field = frm.fields_dict.affected_customers_html;
	if (frm.is_new() || !IMPACT_OPPORTUNITY_TYPES.includes(frm.doc.opportunity_type)) {
		if (field) field.$wrapper.empty();
		return;
	}
	frappe
		.call({
			method: "brm_app.api.change_impact.opportunity_impact",
			type: "GET",
			args: { opportunity: frm.doc.name },
		})
		.then((r) => r.message)
		.then((data) => field && field.$wrapper.html(brm_app.desk.change_impact_html(data)));
	if (!frm.perm[0] || !frm.perm[0].write) return;
	frm.add_custom_button(__("Notify Relationship Managers"), () =>
		frappe.confirm(
			__("Tell the relationship manager of every affected customer (once each)?"),
			() =>
				frappe
					.xcall(
						"brm_app.api.change_impact.notify_relationship_managers",
						{ opportunity: frm.doc.name },
						"POST"
					)
					.then((r) => {
						frappe.msgprint(
							__(
								"{0} relationship managers notified, {1} already notified, {2} customers without a relationship manager.",
								[r.notified, r.already, r.without_manager]
							)
						);
						frm.reload_doc();
					})
		)
	);
}
