// brm_app: workflow names in the reader's language wherever the desk shows them as values (loaded on every
// desk page, hooks.app_include_js).
//
// The records keep the workflows' names (English), which are the keys of brm_app/translations/<lang>.csv.
// frappe 15's desk translates them in some places only:
// - a Link to Workflow State (the Approval / Sign-off State of Business Case and Customer Agreement) is shown
//   through __() only to users who may read Workflow State (System Managers): link_formatters below;
// - the approval log (BRM Approval Log: Action, From State, To State) is Data, which frappe shows as stored:
//   a formatter on those fields (frappe.form.formatters._apply_custom_formatter) translates them.

frappe.provide("brm_app.translate");

frappe.form.link_formatters["Workflow State"] = (value) => (value ? __(value) : value);

brm_app.translate.LOG_DOCTYPE = "BRM Approval Log";
brm_app.translate.LOG_FIELDS = ["action", "state_from", "state_to"];

brm_app.translate.approval_log = function () {
	const fields = frappe.meta.docfield_map[brm_app.translate.LOG_DOCTYPE] || {};
	for (const fieldname of brm_app.translate.LOG_FIELDS) {
		if (fields[fieldname]) fields[fieldname].formatter = (value) => (value ? __(value) : value);
	}
};

for (const doctype of ["Business Case", "Customer Agreement"]) {
	frappe.ui.form.on(doctype, {
		setup: brm_app.translate.approval_log,
		refresh: brm_app.translate.approval_log,
	});
}
