// Copyright (c) 2026, brm_app developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Customer Portfolio", {
	setup(frm) {
		// Stakeholders and the contacts who agree outcomes are contacts of this customer (the server checks too).
		const customer_contacts = () => ({
			query: "frappe.contacts.doctype.contact.contact.contact_query",
			filters: { link_doctype: "Customer", link_name: frm.doc.customer },
		});
		frm.set_query("contact", "stakeholders", customer_contacts);
		frm.set_query("agreed_by", "business_outcomes", customer_contacts);
		frm.set_query("it_service", "services", () => ({
			filters: { lifecycle_status: ["!=", "Retired"] },
		}));
	},

	refresh(frm) {
		if (frm.is_new()) return;
		frm.trigger("add_actions");
		frm.trigger("show_overview");
		frm.trigger("show_health_trend");
	},

	show_health_trend(frm) {
		// the Health tab: weekly snapshots and band changes, and what each part brings to the score
		// (docs/health-over-time.md); a read over GET, checked against the portfolio on the server
		frappe
			.call({
				method: "brm_app.api.portfolio.get_health_trend",
				type: "GET",
				args: { portfolio: frm.doc.name },
			})
			.then((r) => {
				if (!r.message || frm.doc.name !== frm.docname) return;
				render_health_trend(frm, r.message);
			});
	},

	add_actions(frm) {
		if (frm.perm[0] && frm.perm[0].write && frappe.model.can_create("Satisfaction Survey")) {
			frm.add_custom_button(__("Send Survey Now"), () => send_survey_now(frm));
		}
		if (frappe.model.can_create("Service Opportunity")) {
			frm.add_custom_button(__("New Opportunity"), () =>
				frappe.new_doc("Service Opportunity", { customer: frm.doc.customer })
			);
		}
		if (frappe.model.can_create("Customer Agreement")) {
			frm.add_custom_button(__("New Agreement"), () =>
				frappe.new_doc("Customer Agreement", { customer: frm.doc.customer })
			);
		}
		if (frappe.model.can_create("Service Review")) {
			frm.add_custom_button(__("New Service Review"), () =>
				frappe.new_doc("Service Review", { customer: frm.doc.customer })
			);
		}
	},

	show_overview(frm) {
		// one read-only call: health parts, CSAT / NPS trend, complaints, expiring agreements, stakeholders
		frappe
			.xcall("brm_app.api.portfolio.get_portfolio_overview", { portfolio: frm.doc.name })
			.then((data) => {
				if (!data || frm.doc.name !== frm.docname) return;
				render_overview(frm, data);
			});
	},
});

function send_survey_now(frm) {
	frappe.confirm(
		__("E-mail the relationship survey now to the stakeholders of {0} who receive surveys?", [
			frappe.utils.escape_html(frm.doc.customer_name || frm.doc.name),
		]),
		() =>
			frappe
				.call({
					method: "brm_app.api.portfolio.send_survey_now",
					type: "POST",
					args: { portfolio: frm.doc.name },
					freeze: true,
					freeze_message: __("Sending surveys..."),
				})
				.then((r) => {
					const result = r.message || { sent: [], skipped: [] };
					const lines = [__("Surveys sent: {0}", [result.sent.length])];
					result.skipped.forEach((row) => lines.push(frappe.utils.escape_html(row.reason)));
					frappe.msgprint({
						title: __("Send Survey Now"),
						message: lines.join("<br>"),
						indicator: result.sent.length ? "green" : "orange",
					});
					frm.reload_doc();
				})
	);
}

const BRM_RAG_COLOURS = { Green: "green", Amber: "orange", Red: "red" };

function esc(value) {
	return frappe.utils.escape_html(value == null ? "" : String(value));
}

function render_overview(frm, data) {
	const $section = get_overview_section(frm);
	$section.html(`
		<div class="row brm-overview">
			<div class="col-md-4 brm-overview-health">${health_html(data.health, data.open_complaints)}</div>
			<div class="col-md-8"><div class="brm-overview-trend"></div></div>
		</div>
		<div class="row brm-overview" style="margin-top: var(--margin-md)">
			<div class="col-md-5 brm-overview-agreements">${agreements_html(data.expiring_agreements)}</div>
			<div class="col-md-7 brm-overview-stakeholders">${stakeholders_html(data.stakeholders)}</div>
		</div>`);
	render_trend($section.find(".brm-overview-trend").get(0), data.trend);
}

function get_overview_section(frm) {
	// a section of the form's dashboard, made once per form and refilled on every refresh
	if (!frm.brm_overview || !document.body.contains(frm.brm_overview.get(0))) {
		frm.brm_overview = frm.dashboard.add_section("", __("At a Glance"));
	}
	frm.dashboard.show();
	return frm.brm_overview.find(".section-body").length
		? frm.brm_overview.find(".section-body")
		: frm.brm_overview;
}

function health_html(health, open_complaints) {
	const score =
		health.score == null
			? `<span class="text-muted">${__("Not computed yet")}</span>`
			: `<span class="indicator-pill ${BRM_RAG_COLOURS[health.rag] || "gray"}">${esc(
					format_number(health.score, null, 1)
			  )} &middot; ${esc(__(health.rag || ""))}</span>`;
	const rows = health.parts
		.map(
			(part) => `<tr>
				<td>${esc(part.label)}</td>
				<td class="text-right">${
					part.value == null
						? "&ndash;"
						: esc(format_number(part.value, null, part.part === "complaints" ? 0 : 1))
				}</td>
				<td class="text-right text-muted">${
					part.score == null ? "&ndash;" : esc(format_number(part.score, null, 1))
				}</td>
				<td class="text-right text-muted">${esc(part.weight)}%</td>
			</tr>`
		)
		.join("");
	return `
		<h5>${__("Health Score")} ${score}</h5>
		<table class="table table-sm brm-health-parts" style="font-size: var(--text-sm)">
			<thead><tr><th>${__("Part")}</th><th class="text-right">${__("Measure")}</th>
				<th class="text-right">${__("Score")}</th><th class="text-right">${__("Weight")}</th></tr></thead>
			<tbody>${rows}</tbody>
		</table>
		<div class="brm-open-complaints">${__("Open complaints now: {0}", [`<b>${esc(open_complaints)}</b>`])}</div>`;
}

function render_trend(wrapper, trend) {
	if (!wrapper) return;
	const has_data = trend.csat.some((v) => v != null) || trend.nps.some((v) => v != null);
	if (!has_data) {
		$(wrapper).html(
			`<h5>${__("CSAT / NPS Trend")}</h5><p class="text-muted">${__(
				"No survey responses in the last 12 months."
			)}</p>`
		);
		return;
	}
	// CSAT (a percentage) and NPS (-100..100) are different units: one chart each. Each draws only the
	// months that have that figure: a month without NPS answers is a gap, not an NPS of 0. Every label
	// carries its sample size ("Okt 2026 (n=2)").
	$(wrapper).html(
		`<h5>${__("CSAT / NPS Trend")}</h5>
		<div class="brm-trend-csat"></div><div class="brm-trend-nps"></div>
		<div class="text-muted small">${__(
			"Months with survey responses in the last 12 months; n = answers behind the figure."
		)}</div>`
	);
	trend_chart($(wrapper).find(".brm-trend-csat").get(0), trend, "csat", "ratings", __("CSAT (%)"));
	trend_chart($(wrapper).find(".brm-trend-nps").get(0), trend, "nps", "nps_answers", __("NPS"));
}

function trend_chart(element, trend, key, count_key, title) {
	const points = trend.months
		.map((_month, i) => ({
			label: __("{0} (n={1})", [trend.labels[i], format_number(trend[count_key][i], null, 0)]),
			value: trend[key][i],
		}))
		.filter((point) => point.value != null);
	if (!points.length) {
		$(element).html(
			`<div class="text-muted small">${title}: ${__("no answers in the last 12 months")}</div>`
		);
		return;
	}
	new frappe.Chart(element, {
		title: title,
		type: points.length > 1 ? "line" : "bar",
		height: 160,
		colors: [key === "csat" ? "#2490ef" : "#ff8c00"],
		data: {
			labels: points.map((point) => point.label),
			datasets: [{ name: title, values: points.map((point) => point.value) }],
		},
		lineOptions: { dotSize: 4 },
		axisOptions: { xIsSeries: 1 },
		tooltipOptions: { formatTooltipY: (value) => format_number(value, null, 1) },
	});
}

function agreements_html(agreements) {
	const body = agreements.length
		? `<ul class="list-unstyled">${agreements
				.map(
					(row) => `<li>
						<a href="/app/customer-agreement/${encodeURIComponent(row.name)}">${esc(row.name)}</a>
						${esc(row.agreement_title || "")}
						<span class="text-muted">&middot; ${__("ends {0} ({1} days)", [
							esc(frappe.datetime.str_to_user(row.end_date)),
							esc(row.days_left),
						])}</span>
					</li>`
				)
				.join("")}</ul>`
		: `<p class="text-muted">${__("No agreement is in its notice period.")}</p>`;
	return `<h5>${__("Agreements Expiring")}</h5>${body}`;
}

function stakeholders_html(grid) {
	const cell = (key, title) => {
		const people = grid[key] || [];
		const names = people.length
			? people
					.map(
						(p) =>
							`<div>${esc(p.full_name)} <span class="text-muted">${esc(
								__(p.role || "")
							)}</span></div>`
					)
					.join("")
			: `<div class="text-muted">&ndash;</div>`;
		return `<td style="width: 50%; vertical-align: top" data-quadrant="${key}">
			<div class="text-muted small">${title}</div>${names}</td>`;
	};
	return `
		<h5>${__("Stakeholders: Influence / Interest")}</h5>
		<table class="table table-bordered table-sm brm-stakeholder-grid" style="font-size: var(--text-sm)">
			<tr>${cell("keep_satisfied", __("High influence, low interest: keep satisfied"))}
				${cell("manage_closely", __("High influence, high interest: manage closely"))}</tr>
			<tr>${cell("monitor", __("Low influence, low interest: monitor"))}
				${cell("keep_informed", __("Low influence, high interest: keep informed"))}</tr>
		</table>`;
}

function render_health_trend(frm, data) {
	const field = frm.get_field("health_trend");
	if (!field) return;
	const $wrapper = $(field.wrapper).empty();
	const change =
		data.change == null
			? ""
			: `<span class="${data.change < 0 ? "text-danger" : "text-success"}">${esc(
					__("{0} points since {1}", [
						(data.change > 0 ? "+" : "") + format_number(data.change, null, 1),
						data.since,
					])
			  )}</span>`;
	$wrapper.html(`
		<div class="row">
			<div class="col-md-8">
				<h5>${__("Health Score Over Time")} ${change}</h5>
				<div class="brm-health-trend-chart"></div>
			</div>
			<div class="col-md-4 brm-health-explanation">${explanation_html(data)}</div>
		</div>`);
	const points = data.points.filter((point) => point.score != null);
	const chart = $wrapper.find(".brm-health-trend-chart").get(0);
	if (!points.length) {
		$(chart).html(
			`<p class="text-muted">${__("No health snapshots yet: one is taken every week.")}</p>`
		);
		return;
	}
	// frappe.Chart measures its wrapper: draw it once the Health tab is shown (it is hidden on load)
	const draw = () => {
		if (chart.dataset.drawn || !$(chart).is(":visible")) return;
		chart.dataset.drawn = 1;
		health_trend_chart(chart, points);
	};
	draw();
	$(frm.wrapper)
		.off("shown.bs.tab.brm_health")
		.on("shown.bs.tab.brm_health", draw);
}

function health_trend_chart(chart, points) {
	new frappe.Chart(chart, {
		type: points.length > 1 ? "line" : "bar",
		height: 200,
		colors: ["#2490ef"],
		data: {
			// a band change is marked in its label ("12-10-2026 (Band Change)")
			labels: points.map((point) =>
				point.reason === "Weekly"
					? point.label
					: __("{0} ({1})", [point.label, point.reason_label])
			),
			datasets: [{ name: __("Health Score"), values: points.map((point) => point.score) }],
			yMarkers: [
				{ label: __("Green"), value: 75 },
				{ label: __("Amber"), value: 50 },
			],
		},
		lineOptions: { dotSize: 4 },
		axisOptions: { xIsSeries: 1 },
		tooltipOptions: { formatTooltipY: (value) => format_number(value, null, 1) },
	});
}

function explanation_html(data) {
	if (data.score == null) {
		return `<p class="text-muted">${__("Not computed yet")}</p>`;
	}
	const rows = data.explanation
		.map(
			(part) => `<tr>
				<td>${esc(part.label)}</td>
				<td class="text-right text-muted">${
					part.value == null ? "&ndash;" : esc(format_number(part.value, null, 1))
				}</td>
				<td class="text-right text-muted">${
					part.weight == null ? "&ndash;" : esc(format_number(part.weight, null, 1)) + "%"
				}</td>
				<td class="text-right">${
					part.contribution == null ? "&ndash;" : esc(format_number(part.contribution, null, 1))
				}</td>
			</tr>`
		)
		.join("");
	return `
		<h5>${__("Why this score")}</h5>
		<table class="table table-sm" style="font-size: var(--text-sm)">
			<thead><tr><th>${__("Part")}</th><th class="text-right">${__("Score")}</th>
				<th class="text-right">${__("Weight")}</th><th class="text-right">${__("Points")}</th></tr></thead>
			<tbody>${rows}</tbody>
			<tfoot><tr><th colspan="3">${__("Health Score")}</th>
				<th class="text-right">${esc(format_number(data.score, null, 1))}</th></tr></tfoot>
		</table>
		<div class="text-muted small">${__(
			"Points = weight x score / 100; the weights of the parts without data are shared among the others."
		)}</div>`;
}
