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
		frm.trigger("show_approval");
		// the requirements are signed off by the customer's signatories (their Customer Sign-off
		// records), never from this form: its sign-off columns are results
		frm.trigger("show_customer_sign_off");
	},

	customer(frm) {
		if (frm.doc.budget_holder) frm.set_value("budget_holder", null);
	},

	// Every workflow button goes through brm_app.api.approvals.apply_action (POST) with the reason
	// where one is needed (brm_app.desk.workflow_action, public/js/brm_desk.js).
	before_workflow_action(frm) {
		return brm_app.desk.workflow_action(frm, {
			comment_actions: ["Reject", "Send Back", "Cancel", "Withdraw"],
			check(frm, action) {
				if (action === "Approve" && frm.doc.prepared_by === frappe.session.user) {
					frappe.msgprint(__("You prepared this business case: someone else must approve it."));
					return false;
				}
			},
		});
	},

	show_approval(frm) {
		if (frm.is_new()) return;
		const state = frm.doc.workflow_state;
		if (state === "Draft" && frm.doc.send_back_reason) {
			frm.set_intro(
				__("Sent back: {0}", [frappe.utils.escape_html(frm.doc.send_back_reason)]),
				"orange"
			);
		} else if (["Pending Approval", "Pending Final Approval"].includes(state)) {
			const levels =
				frm.doc.approval_levels >= 2
					? __("Two approval levels: BRM Process Manager, then BRM Process Owner.")
					: __("One approval level: BRM Process Manager.");
			frm.set_intro(__("Awaiting approval; the case cannot be edited.") + " " + levels, "blue");
		}
		if (
			frm.doc.docstatus === 1 &&
			state === "Approved" &&
			frappe.model.can_create("Project") &&
			frappe.model.can_create("Task")
		) {
			frappe.db.get_value("Project", { brm_business_case: frm.doc.name }, "name").then((r) => {
				const project = r.message && r.message.name;
				if (project) {
					frm.add_custom_button(__("Project {0}", [project]), () =>
						frappe.set_route("Form", "Project", project)
					);
					return;
				}
				frm.add_custom_button(__("Create Project"), () =>
					frappe
						.call({
							method: "brm_app.integrations.projects.create_project",
							type: "POST",
							args: { business_case: frm.doc.name },
							freeze: true,
						})
						.then((res) => {
							if (res.message) frappe.set_route("Form", "Project", res.message);
						})
				);
			});
		}
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
					frm.doc.total_cost
						? format_number(frm.doc.roi_percent, null, 2) + "%"
						: __("Not defined"),
				]),
				__("Payback: {0}", [frappe.utils.escape_html(frm.doc.payback_label || "")]),
				__("IRR: {0}", [frappe.utils.escape_html(frm.doc.irr_label || "")]),
			].join(" &middot; "),
			frm.doc.npv >= 0 ? "green" : "orange"
		);
	},

	show_customer_sign_off(frm) {
		// in Customer Sign-off: where each signatory stands (read-only; the sign-off service sets it)
		if (frm.is_new() || frm.doc.workflow_state !== "Customer Sign-off") return;
		const colours = { Requested: "orange", Accepted: "green", Rejected: "red" };
		const signatories = frm.doc.signatories || [];
		const accepted = signatories.filter((row) => row.sign_off_status === "Accepted").length;
		frm.set_intro(
			__(
				"Waiting for the customer's sign-off: {0} of {1} signatories accepted. The case cannot be edited; use Withdraw to change it.",
				[accepted, signatories.length]
			),
			"blue"
		);
		for (const row of signatories) {
			const status = row.sign_off_status;
			frm.dashboard.add_indicator(
				__("{0}: {1}", [
					frappe.utils.escape_html(row.full_name || row.contact || ""),
					status ? __(status) : __("Not Asked"),
				]),
				colours[status] || "gray"
			);
		}
	},
});
