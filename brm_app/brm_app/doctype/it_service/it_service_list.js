// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.listview_settings["IT Service"] = {
	add_fields: ["lifecycle_status", "service_type"],
	get_indicator(doc) {
		const colours = { Pipeline: "blue", Catalogue: "green", Retired: "gray" };
		const status = doc.lifecycle_status;
		if (!status) return;
		return [__(status), colours[status] || "gray", `lifecycle_status,=,${status}`];
	},
};
