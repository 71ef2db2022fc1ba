// brm_app: actions on tickets (Issue, HD Ticket) and satisfaction surveys.
// "Create Improvement Opportunity" turns a ticket or a low-score survey into a Continual Improvement
// Service Opportunity (brm_app.integrations.actions); "Resend Invitation" e-mails a survey's link again.

(function () {
	const METHOD = "brm_app.integrations.actions.create_improvement_opportunity";

	function add_improvement_button(frm) {
		if (frm.is_new() || !frappe.model.can_create("Service Opportunity")) return;
		frm.add_custom_button(__("Create Improvement Opportunity"), () => {
			frappe.call({
				method: METHOD,
				type: "POST",
				args: { doctype: frm.doctype, name: frm.doc.name },
				freeze: true,
				freeze_message: __("Creating Improvement Opportunity..."),
				callback: (r) => {
					if (r.message) {
						frappe.show_alert({
							message: __("Service Opportunity {0} is linked to this {1}", [
								r.message,
								__(frm.doctype),
							]),
							indicator: "green",
						});
						frappe.set_route("Form", "Service Opportunity", r.message);
					}
				},
			});
		});
	}

	// Cancelling a survey that was sent is a process manager's action, with a reason on the timeline (the
	// server refuses a status set by hand: brm_app.api.survey.cancel_survey)
	const SURVEY_CANCELLERS = brm_app.desk.ROLES.full_access;

	function add_cancel_survey_button(frm) {
		const writable = frm.perm[0] && frm.perm[0].write;
		const allowed =
			frm.doc.status === "Scheduled"
				? writable
				: ["Sent", "Reminded"].includes(frm.doc.status) &&
				  SURVEY_CANCELLERS.some((role) => frappe.user.has_role(role));
		if (frm.is_new() || !allowed) return;
		frm.add_custom_button(__("Cancel Survey"), () => {
			frappe.prompt(
				{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
				(values) =>
					frappe.call({
						method: "brm_app.api.survey.cancel_survey",
						type: "POST",
						args: { name: frm.doc.name, reason: values.reason },
						freeze: true,
						callback: () => frm.reload_doc(),
					}),
				__("Cancel Survey"),
				__("Cancel Survey")
			);
		});
	}

	["Issue", "HD Ticket"].forEach((doctype) => {
		frappe.ui.form.on(doctype, {
			refresh(frm) {
				add_improvement_button(frm);
			},
		});
	});

	frappe.ui.form.on("Satisfaction Survey", {
		refresh(frm) {
			if (frm.doc.status === "Responded" && frm.doc.needs_follow_up) {
				add_improvement_button(frm);
			}
			add_cancel_survey_button(frm);
			if (["Sent", "Reminded"].includes(frm.doc.status) && frm.perm[0] && frm.perm[0].write) {
				frm.add_custom_button(__("Resend Invitation"), () => {
					frappe.confirm(
						__("Send the survey invitation to {0} again, with the same link?", [
							frappe.utils.escape_html(frm.doc.email || ""),
						]),
						() =>
							frappe.call({
								method: "brm_app.api.survey.resend_invitation",
								type: "POST",
								args: { name: frm.doc.name },
								callback: () => {
									frappe.show_alert({
										message: __("Invitation queued"),
										indicator: "green",
									});
									frm.reload_doc();
								},
							})
					);
				});
			}
		},
	});
})();
