// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

// Customer Sign-off (docs/sign-off.md): the form shows the case as the signatory was asked about it (the
// server renders it for who may read the record: __onload.case_view), and offers
//  - "Decide" to the signatory who is a desk user (or their delegate): Accept or Reject per requirement,
//    a comment required on a rejection (brm_app.api.sign_off.decide, which checks all of it again);
//  - "Resend" to who may edit the case (the relationship manager): the same request again, same link
//    (brm_app.api.sign_off.resend).
// Which buttons show comes from the server (brm_app.api.sign_off.desk_actions); the record itself is
// read-only on every path.

frappe.ui.form.on("Customer Sign-off", {
	refresh(frm) {
		show_case(frm);
		if (frm.is_new() || frm.doc.status !== "Requested") return;
		frappe.call({
			method: "brm_app.api.sign_off.desk_actions",
			type: "GET",
			args: { sign_off: frm.doc.name },
			callback: (r) => {
				const actions = r.message || {};
				if (actions.can_decide) {
					frm.add_custom_button(__("Decide"), () => decide_dialog(frm)).addClass(
						"btn-primary"
					);
				}
				if (actions.can_resend) {
					frm.add_custom_button(__("Resend"), () => resend(frm));
				}
			},
		});
	},
});

function show_case(frm) {
	const html = frm.doc.__onload && frm.doc.__onload.case_view;
	if (!html) return;
	// the dashboard's custom sections are cleared on every refresh
	frm.dashboard.add_section(html, __("Business Case"));
	frm.dashboard.show();
}

function resend(frm) {
	frappe.confirm(
		__("Send the sign-off request to {0} again ({1})?", [
			frappe.utils.escape_html(frm.doc.signatory_name || ""),
			frappe.utils.escape_html(frm.doc.email || frm.doc.signatory_user || ""),
		]),
		() =>
			frappe.call({
				method: "brm_app.api.sign_off.resend",
				type: "POST",
				args: { sign_off: frm.doc.name },
				freeze: true,
				callback: () => {
					frappe.show_alert({ message: __("Sign-off request sent again."), indicator: "green" });
					frm.reload_doc();
				},
			})
	);
}

function decide_dialog(frm) {
	const rows = (frm.doc.decisions || []).slice().sort((a, b) => a.requirement_idx - b.requirement_idx);
	const fields = [];
	rows.forEach((row, i) => {
		const key = `r${i}`;
		fields.push(
			{
				fieldtype: "Section Break",
				label: __("Requirement {0}", [row.requirement_idx]),
			},
			{
				fieldtype: "HTML",
				fieldname: `${key}_text`,
				options: `<p style="white-space: pre-wrap;">${frappe.utils.escape_html(
					row.requirement || ""
				)}</p>`,
			},
			{
				fieldtype: "Select",
				fieldname: `${key}_decision`,
				label: __("Decision"),
				reqd: 1,
				options: [
					{ value: "", label: "" },
					{ value: "Accepted", label: __("Accept") },
					{ value: "Rejected", label: __("Reject") },
				],
			},
			{
				fieldtype: "Small Text",
				fieldname: `${key}_comment`,
				label: __("Comment"),
				mandatory_depends_on: `eval:doc.${key}_decision === "Rejected"`,
				description: __("required when you reject"),
			}
		);
	});
	fields.push(
		{ fieldtype: "Section Break" },
		{
			fieldtype: "Small Text",
			fieldname: "comment",
			label: __("Comment for the relationship manager (optional)"),
		}
	);
	const dialog = new frappe.ui.Dialog({
		title: __("Decide {0}", [frm.doc.name]),
		size: "large",
		fields,
		primary_action_label: __("Submit"),
		primary_action(values) {
			const decisions = {};
			for (let i = 0; i < rows.length; i++) {
				const decision = values[`r${i}_decision`];
				const comment = (values[`r${i}_comment`] || "").trim();
				if (decision === "Rejected" && !comment) {
					frappe.msgprint(
						__("Requirement {0}: say why you reject it.", [rows[i].requirement_idx])
					);
					return;
				}
				decisions[rows[i].requirement_row] = { decision, comment: comment || null };
			}
			frappe.call({
				method: "brm_app.api.sign_off.decide",
				type: "POST",
				args: {
					sign_off: frm.doc.name,
					decisions: JSON.stringify(decisions),
					comment: values.comment || null,
				},
				freeze: true,
				callback: (r) => {
					if (r.exc) return;
					dialog.hide();
					frappe.show_alert({
						message: __("Your decision was recorded: {0}", [__(r.message.status)]),
						indicator: r.message.status === "Accepted" ? "green" : "orange",
					});
					frm.reload_doc();
				},
			});
		},
	});
	dialog.show();
}
