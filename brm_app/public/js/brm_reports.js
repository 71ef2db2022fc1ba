// brm_app: what the BRM script reports' scripts share (loaded on every desk page, hooks.app_include_js, as
// ERPNext shares financial_statements.js): their filters, default periods and formatter.
//
// - brm_app.reports.period_filters(period, labels): From / To Date, defaulting to one of PERIODS (the
//   server, brm_app.brm_app.report.shared.common.DEFAULT_PERIODS, falls back to the same when blank).
// - brm_app.reports.scope_filters(): Relationship Manager, Customer and Service (every BRM report).
// - brm_app.reports.show_filter(): how many rows the long reports show.
// - brm_app.reports.formatter(options): figures in the site's number format, "—" for no data, the RAG
//   column as a coloured pill.
// - brm_app.reports.compact_filters(report, keep), whole_number_axis(report): for onload.

frappe.provide("brm_app.reports");

// --- default periods: [from, to] as "YYYY-MM-DD" ------------------------------------------------------
brm_app.reports.PERIODS = {
	this_quarter: () => [
		moment().startOf("quarter").format("YYYY-MM-DD"),
		moment().endOf("quarter").format("YYYY-MM-DD"),
	],
	// up to today, from the first day of the month 11 months ago
	last_12_months: () => [
		moment().subtract(11, "months").startOf("month").format("YYYY-MM-DD"),
		frappe.datetime.get_today(),
	],
	// up to today, from the first day of the month 2 months ago
	last_3_months: () => [
		moment().subtract(2, "months").startOf("month").format("YYYY-MM-DD"),
		frappe.datetime.get_today(),
	],
};

brm_app.reports.period_filters = function (period, labels) {
	const [from, to] = brm_app.reports.PERIODS[period]();
	labels = labels || {};
	return [
		{
			fieldname: "from_date",
			label: labels.from || __("From Date"),
			fieldtype: "Date",
			default: from,
			reqd: 1,
		},
		{ fieldname: "to_date", label: labels.to || __("To Date"), fieldtype: "Date", default: to, reqd: 1 },
	];
};

// --- filters -------------------------------------------------------------------------------------------
brm_app.reports.scope_filters = function () {
	return [
		{
			fieldname: "relationship_manager",
			label: __("Relationship Manager"),
			fieldtype: "Link",
			options: "User",
		},
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
		{ fieldname: "service", label: __("Service"), fieldtype: "Link", options: "IT Service" },
	];
};

// the "Show" filter of the long reports (how many rows), with labelled choices ("First 100 rows") instead
// of a bare number
brm_app.reports.show_filter = function () {
	return {
		fieldname: "limit",
		label: __("Show"),
		fieldtype: "Select",
		options: [100, 500, 1000, 10000].map((rows) => ({
			value: String(rows),
			label: __("First {0} rows", [format_number(rows, null, 0)]),
		})),
		default: "100",
	};
};

// --- formatter -----------------------------------------------------------------------------------------
// Percentages through brm_app.desk.format_figure (frappe's own prints "33.333%" whatever the number
// format), empty figures as "—" (brm_app.desk.NO_DATA); a column whose rows hold figures of different
// kinds (the scorecard's, marked brm_figure) takes each row's value_fieldtype / value_precision.
brm_app.reports.RAG_PILLS = { Green: "green", Amber: "orange", Red: "red" };
brm_app.reports.NUMERIC = ["Int", "Float", "Percent", "Currency"];

brm_app.reports.format = function (value, row, column, data, default_formatter) {
	let df = column;
	if (data && data.value_fieldtype && column.brm_figure) {
		df = Object.assign({}, column, {
			fieldtype: data.value_fieldtype,
			precision: data.value_precision,
		});
	}
	if (data && brm_app.reports.NUMERIC.includes(df.fieldtype) && df.fieldtype !== "Currency") {
		const text = brm_app.desk.format_figure(value, df.fieldtype, df.precision);
		const muted = value === null || value === undefined || value === "";
		return `<div style="text-align: right"${muted ? ' class="text-muted"' : ""}>${text}</div>`;
	}
	return default_formatter(value, row, df, data);
};

brm_app.reports.pill = function (html, colour) {
	return colour ? `<span class="indicator-pill ${colour}">${html}</span>` : html;
};

// The report's formatter. options.rag: the column showing the row's RAG (its untranslated value in
// data.rag_key), drawn as a pill; options.unscored: the pill's colour for a row without a RAG (none: no
// pill). options.link(value, data): HTML for a cell that opens a record, or undefined. options.pills:
// {fieldname: (data) => colour} for other coloured cells.
brm_app.reports.formatter = function (options) {
	options = options || {};
	return function (value, row, column, data, default_formatter) {
		const link = options.link && data ? options.link(value, column, data) : undefined;
		if (link !== undefined) return link;
		value = brm_app.reports.format(value, row, column, data, default_formatter);
		if (!data) return value;
		if (options.rag && column.fieldname === options.rag) {
			return brm_app.reports.pill(value, brm_app.reports.RAG_PILLS[data.rag_key] || options.unscored);
		}
		const colour = options.pills && options.pills[column.fieldname];
		return colour ? brm_app.reports.pill(value, colour(data)) : value;
	};
};

// --- onload --------------------------------------------------------------------------------------------
// On a phone, the report's filters other than `keep` (and those holding a value other than their default)
// fold behind a "More Filters" button, so the figures are on the first screen.
brm_app.reports.compact_filters = function (report, keep) {
	if (!report || !report.filters || window.innerWidth >= 768) return;
	$(report.page.page_form).find(".brm-more-filters").remove(); // onload runs again on a new route
	const folded = report.filters.filter((f) => {
		const value = f.get_value();
		const is_default = !value || String(value) === String(f.df.default || "");
		return !keep.includes(f.df.fieldname) && is_default;
	});
	if (!folded.length) return;
	folded.forEach((f) => f.$wrapper.addClass("hide"));
	const $button = $(
		`<button class="btn btn-xs btn-default brm-more-filters">${__("More Filters")} (${
			folded.length
		})</button>`
	);
	$button.on("click", () => {
		folded.forEach((f) => f.$wrapper.removeClass("hide"));
		$button.remove();
	});
	$(report.page.page_form).append($button);
};

// The report's chart counts things: its axis runs at least from 0 to 4, so frappe-charts never steps it in
// halves (it does when the largest count is 1 or 2). frappe's query report replaces the chart's
// axisOptions, so the range is added as the chart is drawn.
brm_app.reports.WHOLE_NUMBER_RANGE = { min: 0, max: 4 };
brm_app.reports.whole_number_axis = function (report) {
	if (!report || !report.render_chart || report.brm_whole_number_axis) return;
	const render_chart = report.render_chart.bind(report);
	report.render_chart = (options) => {
		options.axisOptions = Object.assign({}, options.axisOptions, {
			yAxisRange: brm_app.reports.WHOLE_NUMBER_RANGE,
		});
		return render_chart(options);
	};
	report.brm_whole_number_axis = true;
};
