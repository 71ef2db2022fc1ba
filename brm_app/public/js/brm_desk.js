// brm_app: desk helpers shared by the BRM forms and lists (loaded on every desk page, hooks.app_include_js).
//
// - brm_app.desk.workflow_action(frm, options): the `before_workflow_action` of the Business Case and
//   Customer Agreement forms. Every workflow button goes through brm_app.api.approvals.apply_action (POST),
//   which asks for the reason where one is needed and, when someone else acted at the same moment, says so.
// - brm_app.desk.is_relationship_manager_only(), my_customers_filters(doctype), add_list_buttons(listview):
//   the "My customers" default filter and the "Pending my approval" view of the BRM lists.

frappe.provide("brm_app.desk");

// the role groups of brm_app.services.roles, sent at login (brm_app.api.boot)
brm_app.desk.ROLES = frappe.boot.brm_roles || {
	relationship_manager: null,
	managers: [],
	full_access: [],
	approval_settings: [],
};
brm_app.desk.FULL_ACCESS_ROLES = brm_app.desk.ROLES.full_access;
brm_app.desk.RELATIONSHIP_MANAGER = brm_app.desk.ROLES.relationship_manager;
brm_app.desk.APPROVAL_DOCTYPES = ["Business Case", "Customer Agreement"];

brm_app.desk.workflow_action = function (frm, options) {
	const opts = Object.assign({ comment_actions: [], check: null }, options || {});
	const action = frm.selected_workflow_action;
	frappe.dom.unfreeze(); // frappe froze the page before this event
	// frappe's own apply_workflow call must not run: the action is applied here (or refused)
	const never = new Promise(() => {});
	if (opts.check && opts.check(frm, action) === false) return never;

	const run = (comment) =>
		frappe
			.call({
				method: "brm_app.api.approvals.apply_action",
				type: "POST",
				args: {
					doctype: frm.doctype,
					docname: frm.doc.name,
					action: action,
					comment: comment || null,
					expected_state: frm.doc.workflow_state,
				},
				freeze: true,
			})
			.then(() => frm.reload_doc());

	if (opts.comment_actions.includes(action)) {
		frappe.prompt(
			[{ fieldname: "comment", fieldtype: "Small Text", label: __("Reason"), reqd: 1 }],
			(values) => run(values.comment),
			__(action),
			__(action)
		);
	} else {
		run(null);
	}
	return never;
};

brm_app.desk.has_any_role = function (roles) {
	return roles.some((role) => frappe.user.has_role(role));
};

brm_app.desk.is_relationship_manager_only = function () {
	// a relationship manager without full access sees only their own customers' records
	return (
		frappe.session.user !== "Administrator" &&
		frappe.user.has_role(brm_app.desk.RELATIONSHIP_MANAGER) &&
		!brm_app.desk.has_any_role(brm_app.desk.FULL_ACCESS_ROLES)
	);
};

brm_app.desk.my_customers_filters = function () {
	// default list filter ("My customers") for relationship managers; others start with the whole list
	return brm_app.desk.is_relationship_manager_only()
		? [["relationship_manager", "=", frappe.session.user]]
		: [];
};

brm_app.desk.add_list_buttons = function (listview) {
	const doctype = listview.doctype;
	if (frappe.user.has_role(brm_app.desk.RELATIONSHIP_MANAGER)) {
		listview.page.add_inner_button(__("My customers"), () =>
			listview.filter_area
				.clear(false)
				.then(() =>
					listview.filter_area.add([[doctype, "relationship_manager", "=", frappe.session.user]])
				)
		);
	}
	if (!brm_app.desk.APPROVAL_DOCTYPES.includes(doctype)) return;
	frappe.xcall("brm_app.api.approvals.pending_approval_filters", { doctype: doctype }).then((filters) => {
		if (!filters || !filters.length) return;
		listview.page.add_inner_button(__("Pending my approval"), () =>
			listview.filter_area
				.clear(false)
				.then(() => listview.filter_area.add(filters.map((f) => [doctype, f[0], f[1], f[2]])))
		);
	});
};

brm_app.desk.list_settings = function (settings) {
	// listview_settings with the BRM defaults: the "My customers" filter (a relationship manager's first
	// view of the list; afterwards the list keeps the filters they choose) and the list buttons
	const own_onload = settings.onload;
	return Object.assign(settings, {
		filters: brm_app.desk.my_customers_filters(),
		onload(listview) {
			brm_app.desk.add_list_buttons(listview);
			if (own_onload) own_onload(listview);
		},
	});
};

brm_app.desk.field_indicator = function (fieldname, colours, fallback) {
	// A list's get_indicator showing one field's value (fallback when empty; no indicator without either)
	// in its colour, the indicator filtering the list on that value
	return (doc) => {
		const value = doc[fieldname] || fallback;
		if (!value) return;
		return [__(value), colours[value] || "gray", `${fieldname},=,${value}`];
	};
};

brm_app.desk.PORTFOLIO_BACKFILL_ROLES = brm_app.desk.ROLES.full_access;

brm_app.desk.add_missing_portfolios_button = function (page) {
	// "Create portfolios for existing customers": customers made before brm_app was installed have none.
	// The server queues a background job; its progress bar comes over realtime (frappe.publish_progress)
	// and the list refreshes itself when it is done (list_update).
	if (!frappe.user.has_role(brm_app.desk.PORTFOLIO_BACKFILL_ROLES)) return;
	page.add_menu_item(__("Create portfolios for existing customers"), () =>
		frappe
			.xcall("brm_app.integrations.portfolio_backfill.queue_missing_portfolios", {}, "POST")
			.then((result) => {
				if (!result.missing) {
					frappe.msgprint(__("Every customer already has a portfolio."));
					return;
				}
				frappe.show_alert({
					message: __("Creating portfolios for {0} customers in the background.", [
						result.missing,
					]),
					indicator: "blue",
				});
			})
	);
};

// --- figures -----------------------------------------------------------------------------------------
// brm_app.desk.format_figure(value, fieldtype, precision): a figure in the site's number format (frappe's
// own Percent formatter prints "33.333%" whatever the format). No data (null) reads "—", never 0. The
// reports' formatter and filters: brm_app.reports (brm_reports.js).

brm_app.desk.NO_DATA = "\u2014";

brm_app.desk.format_figure = function (value, fieldtype, precision) {
	if (value === null || value === undefined || value === "") return brm_app.desk.NO_DATA;
	if (fieldtype === "Int") return format_number(value, null, 0);
	const digits = precision === undefined || precision === null ? 1 : precision;
	const number = format_number(value, null, digits);
	return fieldtype === "Percent" ? `${number}%` : number;
};

// frappe 15 prints a Percent field as flt(value, precision) + "%", whatever the number format: on a site
// in #.###,## a CSAT read "33.333%" beside a rating mean of "3,33". Percentages go through format_number
// like every other figure (same precision rule as frappe's: the field's, else the site's float precision).
brm_app.desk.use_number_format_for_percent = function (formatters) {
	if (!formatters || !formatters.Percent || brm_app.desk.frappe_percent_formatter) return;
	brm_app.desk.frappe_percent_formatter = formatters.Percent;
	formatters.Percent = function (value, docfield, options) {
		if (value === null || value === undefined || value === "") {
			return brm_app.desk.frappe_percent_formatter(null, docfield, options);
		}
		const precision =
			(docfield && docfield.precision) ||
			cint(frappe.boot.sysdefaults && frappe.boot.sysdefaults.float_precision) ||
			2;
		return formatters._right(format_number(value, null, cint(precision)) + "%", options);
	};
};
brm_app.desk.use_number_format_for_percent(frappe.form && frappe.form.formatters);

// Customers affected by a service change (docs/renewals-and-change-impact.md): the HTML of the answer of
// brm_app.api.change_impact.customers_affected / opportunity_impact (customers of other portfolios only counted)
brm_app.desk.change_impact_html = function (data) {
	const esc = (value) => frappe.utils.escape_html(value == null ? "" : String(value));
	const customers = (data && data.customers) || [];
	const parts = [];
	if (!customers.length && !(data && data.other_customers)) {
		return `<p class="text-muted">${__(
			"No customer uses or has an agreement on this service."
		)}</p>`;
	}
	customers.forEach((c) => {
		parts.push(`<h5 style="margin-top: 12px;">${esc(c.customer_name || c.customer)}</h5>`);
		if (c.portfolio) {
			parts.push(
				`<p>${__("Portfolio")}: <a href="/app/customer-portfolio/${encodeURIComponent(
					c.portfolio
				)}">${esc(c.portfolio)}</a></p>`
			);
		}
		if (c.services.length) {
			parts.push(
				`<p>${__("Uses")}: ${c.services
					.map(
						(s) =>
							`${esc(s.it_service)} (${esc(__(s.business_criticality || ""))}${
								s.user_count ? ", " + __("{0} users", [esc(s.user_count)]) : ""
							})`
					)
					.join("; ")}</p>`
			);
		}
		if (c.agreements.length) {
			const rows = c.agreements
				.map(
					(a) => `<tr><td><a href="/app/customer-agreement/${encodeURIComponent(
						a.agreement
					)}">${esc(a.agreement)}</a> ${esc(a.agreement_title)}</td><td>${esc(
						__(a.status)
					)}</td><td>${esc(a.it_service)}</td><td>${esc(
						a.service_level_agreement
					)}</td><td>${
						a.availability_target == null ? "" : esc(a.availability_target) + "%"
					}</td>
					<td>${esc(frappe.datetime.str_to_user(a.end_date))}</td></tr>`
				)
				.join("");
			parts.push(
				`<table class="table table-bordered table-condensed"><thead><tr><th>${__(
					"Agreement"
				)}</th><th>${__("Status")}</th><th>${__("IT Service")}</th><th>${__(
					"Service Level Agreement"
				)}</th><th>${__("Availability Target")}</th><th>${__(
					"End Date"
				)}</th></tr></thead><tbody>${rows}</tbody></table>`
			);
		}
		if (c.stakeholders.length) {
			parts.push(
				`<p>${__("Stakeholders to inform")}: ${c.stakeholders
					.map(
						(s) =>
							`${esc(s.full_name || s.contact)}${
								s.stakeholder_role ? " (" + esc(__(s.stakeholder_role)) + ")" : ""
							}${s.email_id ? " &lt;" + esc(s.email_id) + "&gt;" : ""}`
					)
					.join(", ")}</p>`
			);
		}
	});
	if (data.other_customers) {
		parts.push(
			`<p class="text-muted">${__(
				"{0} other customers are affected (their relationship managers see them).",
				[data.other_customers]
			)}</p>`
		);
	}
	return parts.join("");
};
