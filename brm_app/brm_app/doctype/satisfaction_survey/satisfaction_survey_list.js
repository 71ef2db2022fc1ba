// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

// Indicator: the survey's status (with the NPS category once answered). "My customers" is the default
// filter of relationship managers (brm_app.desk).
frappe.listview_settings["Satisfaction Survey"] = brm_app.desk.list_settings({
	add_fields: ["status", "nps_category", "needs_follow_up", "csat_percent"],
	get_indicator(doc) {
		if (doc.status === "Responded") {
			const nps_colours = { Promoter: "green", Passive: "orange", Detractor: "red" };
			if (doc.nps_category) {
				return [
					__("Responded: {0}", [__(doc.nps_category)]),
					nps_colours[doc.nps_category] || "green",
					"nps_category,=," + doc.nps_category,
				];
			}
			return [__("Responded"), doc.needs_follow_up ? "orange" : "green", "status,=,Responded"];
		}
		const colours = {
			Scheduled: "gray",
			Sent: "blue",
			Reminded: "yellow",
			Expired: "darkgrey",
			Cancelled: "red",
		};
		return [__(doc.status), colours[doc.status] || "gray", "status,=," + doc.status];
	},
});
