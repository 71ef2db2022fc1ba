// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.listview_settings["Business Case"] = {
	add_fields: ["docstatus", "decision", "npv", "customer_name", "workflow_state", "prepared_by"],
	onload(listview) {
		// the approver's queue (the Workflow Action list holds the same, across doctypes)
		frappe.xcall("brm_app.approvals.api.pending_approval_states").then((states) => {
			if (!states || !states.length) return;
			listview.page.add_inner_button(__("Pending my approval"), () => {
				listview.filter_area.clear(false).then(() =>
					listview.filter_area.add([
						["Business Case", "workflow_state", "in", states],
						["Business Case", "prepared_by", "!=", frappe.session.user],
					])
				);
			});
		});
	},
	has_indicator_for_draft: true,
	get_indicator(doc) {
		if (doc.docstatus === 2) return [__("Cancelled"), "red", "docstatus,=,2"];
		if (doc.docstatus === 0) return [__("Draft"), "gray", "docstatus,=,0"];
		if (doc.decision === "Approved") return [__("Approved"), "green", "decision,=,Approved"];
		if (doc.decision === "Rejected") return [__("Rejected"), "red", "decision,=,Rejected"];
		return [__("Submitted"), "blue", "docstatus,=,1"];
	},
};
