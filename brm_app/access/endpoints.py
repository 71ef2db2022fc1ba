"""Permission-checked replacements of frappe 15.44 endpoints that skip row-level access.

docs/security.md says the app must be safe on its own account, whatever the framework version: each
function below replaces one whitelisted frappe method (hooks.override_whitelisted_methods), names the
frappe behaviour it works around, and otherwise hands over to frappe's own code.

| frappe 15.44 method                                    | what it does wrong                                   |
|--------------------------------------------------------|------------------------------------------------------|
| frappe.client.get_count                                | frappe.db.count: no permission check at all, and a   |
|                                                        | cache shared by every user                           |
| frappe.client.validate_link                            | says whether any name exists, readable or not        |
| frappe.desk.search.search_link / search_widget         | ignore_user_permissions=1 turns into                 |
|                                                        | get_list(ignore_permissions=True)                    |
| frappe.desk.notifications.get_open_count               | form "Connections" counted with get_all              |
| frappe.desk.form.linked_with.get_submitted_linked_docs | permission result ignored; names found with get_all  |
| frappe.desk.query_report.run / export_query            | `user` chooses whose prepared report is served;      |
|                                                        | `prepared_report_name` loads anyone's prepared report|
| frappe.desk.doctype.dashboard_chart.dashboard_chart.get| heatmaps counted with get_all; results cached per    |
|                                                        | chart for all users                                  |
| frappe.desk.listview.get_group_by_count                | "Assigned To" counts through frappe.qb, unchecked    |
"""

import inspect
import json
import math

import frappe
from frappe.utils import get_safe_filters

from brm_app.access.rules import RESTRICTED_DOCTYPES, restricted_user
from brm_app.api import json_object

# the five doctypes and their child tables (the doctypes with a row-level rule in hooks.py)
ROW_LEVEL_DOCTYPES = frozenset(RESTRICTED_DOCTYPES)


def _row_level(doctype) -> bool:
	return isinstance(doctype, str) and doctype in ROW_LEVEL_DOCTYPES


def _frappe_with(frappe_method: str, arguments: dict, changed: dict):
	"""Hand over to frappe's own `frappe_method` with the endpoint's `arguments` (its `locals()`: its
	parameters, as checked so far), `changed` replacing some of them."""
	return frappe.get_attr(frappe_method)(**{**arguments, **changed})


# frappe.client ------------------------------------------------------------------------------------------


@frappe.whitelist()
def get_count(
	doctype: str, filters: str | dict | list | None = None, debug: bool = False, cache: bool = False
) -> int:
	"""frappe.client.get_count counts with frappe.db.count: no read permission needed, no
	permission_query_conditions, and `cache=1` serves one user's count to everyone (fixed upstream after
	15.44 by counting through get_list). Count through get_list, like the list view's own count."""
	filters = get_safe_filters(filters)
	if isinstance(filters, str):
		filters = {"name": filters}
	rows = frappe.get_list(doctype, filters=filters, fields=["count(*) as total_count"], as_list=True)
	return rows[0][0] if rows else 0


@frappe.whitelist()
def validate_link(doctype: str, docname: str, fields: str | list | None = None) -> dict:
	"""frappe.client.validate_link returns the name of any existing record, so a relationship manager
	could probe another manager's portfolios / agreements by name: answer as if it did not exist."""
	from frappe.client import validate_link as frappe_validate_link

	if (
		_row_level(doctype)
		and isinstance(docname, str)
		and restricted_user()
		and frappe.db.exists(doctype, docname)
		and not frappe.has_permission(doctype, "read", doc=docname)
	):
		return frappe._dict()
	return frappe_validate_link(doctype, docname, fields)


# link search --------------------------------------------------------------------------------------------


@frappe.whitelist()
def search_link(
	doctype: str,
	txt: str,
	query: str | None = None,
	filters: str | dict | list | None = None,
	page_length: int = 10,
	searchfield: str | None = None,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
) -> list:
	"""frappe.desk.search: with ignore_user_permissions=1 (meant to skip User Permissions only) the search
	runs get_list(ignore_permissions=True), which also drops permission_query_conditions."""
	return _frappe_with("frappe.desk.search.search_link", locals(), _search_user_permissions(locals()))


@frappe.whitelist()
def search_widget(
	doctype: str,
	txt: str,
	query: str | None = None,
	searchfield: str | None = None,
	start: int = 0,
	page_length: int = 10,
	filters: str | dict | list | None = None,
	filter_fields: str | list | None = None,
	as_dict: bool = False,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
) -> list:
	"""As search_link (the same ignore_user_permissions hole)."""
	return _frappe_with("frappe.desk.search.search_widget", locals(), _search_user_permissions(locals()))


def _search_user_permissions(arguments: dict) -> dict:
	"""A link search on a BRM doctype never skips permissions: ignore_user_permissions is dropped."""
	if _row_level(arguments["doctype"]):
		return {"ignore_user_permissions": False}
	return {}


# form connections ---------------------------------------------------------------------------------------


def _visible_count(doctype: str, filters: dict) -> int:
	# frappe.desk.notifications.get_doc_count, through get_list
	return len(frappe.get_list(doctype, fields="name", filters=filters, limit=100, distinct=True))


@frappe.whitelist()
def get_open_count(doctype: str, name: str, items: str | list | None = None) -> dict:
	"""frappe.desk.notifications.get_open_count counts the records linked to a form (the Customer form's
	"Business Relationship" connections) with get_all: a relationship manager who may read a Customer would
	see how many agreements, cases and surveys another manager has there. Recount those with get_list."""
	from frappe.desk import notifications

	out = notifications.get_open_count(doctype, name, items)
	if not restricted_user():
		return out
	links = frappe.get_meta(doctype).get_dashboard_data()
	found = out.get("count") or {}
	for entry in found.get("external_links_found", []):
		linked = entry.get("doctype")
		if not _row_level(linked):
			continue
		fieldname = links.get("non_standard_fieldnames", {}).get(linked, links.get("fieldname"))
		filters = {fieldname: name}
		if dynamic := notifications.get_dynamic_link_filters(linked, links, fieldname):
			filters.update(dynamic)
		entry["count"] = _visible_count(linked, filters)
		entry["open_count"] = 0
		if open_filters := notifications.get_filters_for(linked):
			entry["open_count"] = _visible_count(linked, {**filters, **open_filters})
	for entry in found.get("internal_links_found", []):
		linked = entry.get("doctype")
		if not _row_level(linked):
			continue
		entry["names"] = [n for n in entry.get("names", []) if frappe.has_permission(linked, "read", doc=n)]
		entry["count"] = len(entry["names"])
	return out


@frappe.whitelist()
def get_submitted_linked_docs(doctype: str, name: str) -> dict:
	"""frappe.desk.form.linked_with.get_submitted_linked_docs ignores the result of its own permission
	check and walks the links with get_all: it would list another manager's submitted agreements and
	business cases linked to any Customer or IT Service. Check, and keep only readable documents."""
	from frappe.desk.form import linked_with

	frappe.has_permission(doctype, "read", doc=name, throw=True)
	out = linked_with.get_submitted_linked_docs(doctype, name)
	docs = [
		d
		for d in out.get("docs", [])
		if not _row_level(d["doctype"]) or frappe.has_permission(d["doctype"], "read", doc=d["name"])
	]
	return {"docs": docs, "count": len(docs)}


# script / query reports ---------------------------------------------------------------------------------


def _check_prepared_report(filters) -> None:
	"""`prepared_report_name` in a report's filters loads that Prepared Report with frappe.get_doc and
	no check; frappe's own Prepared Report rule lets anyone who can read the report's doctype read it."""
	if not filters:
		return
	if isinstance(filters, str):
		try:
			filters = frappe.parse_json(filters)
		except ValueError:
			return
	if not isinstance(filters, dict):
		return
	name = filters.get("prepared_report_name")
	if not name or frappe.session.user == "Administrator":
		return
	owner = frappe.db.get_value("Prepared Report", name, "owner") if isinstance(name, str) else None
	if owner != frappe.session.user:
		frappe.throw(
			frappe._("You can only open your own prepared reports."),
			frappe.PermissionError,
			title=frappe._("Not Permitted"),
		)


def _clean_report_filters(report_name, filters):
	"""The report's filters as a dict, or a clear validation error (frappe 15.44 answers a malformed
	`filters` with a 500: json.loads / dict() on whatever came). BRM script reports take only single
	values: lists, objects, NaN or infinities would reach their SQL parameters."""
	if filters in (None, "", "{}"):
		return None
	parsed = json_object(filters)
	if parsed is None:
		frappe.throw(
			frappe._("Report filters must be an object of filter names and values."), frappe.ValidationError
		)
	if frappe.get_cached_value("Report", report_name, "module") == "BRM App":
		for key, value in parsed.items():
			if isinstance(value, list | dict) or (isinstance(value, float) and not math.isfinite(value)):
				frappe.throw(
					frappe._("Invalid value for report filter {0}.").format(frappe.bold(str(key)[:140])),
					frappe.ValidationError,
				)
	return parsed


@frappe.whitelist()
@frappe.read_only()
def run(
	report_name: str,
	filters: str | dict | None = None,
	user: str | None = None,
	ignore_prepared_report: bool = False,
	custom_columns: str | list | None = None,
	is_tree: bool = False,
	parent_field: str | None = None,
	are_default_filters: bool = True,
) -> dict:
	"""frappe.desk.query_report.run trusts its `user` argument: it picks whose prepared report (completed
	with the same filters) is served and whose User Permissions filter the rows. Always the caller."""
	filters = _clean_report_filters(report_name, filters)
	_check_prepared_report(filters)
	return _frappe_with("frappe.desk.query_report.run", locals(), {"user": frappe.session.user})


@frappe.whitelist()
def export_query() -> None:
	"""frappe.desk.query_report.export_query: the same `prepared_report_name` hole as run."""
	from frappe.desk import query_report

	report_name = frappe.form_dict.get("report_name")
	filters = _clean_report_filters(report_name, frappe.form_dict.get("filters"))
	_check_prepared_report(filters)
	frappe.form_dict["filters"] = json.dumps(filters or {})
	return query_report.export_query()


# dashboard charts ---------------------------------------------------------------------------------------


def _heatmap(chart, filters, heatmap_year):
	"""frappe's get_heatmap_chart_config, with get_list instead of get_all."""
	import datetime

	from frappe.desk.doctype.dashboard_chart.dashboard_chart import get_aggregate_function
	from frappe.utils import cint, getdate, nowdate

	aggregate_function = get_aggregate_function(chart.chart_type)
	value_field = chart.value_based_on or "1"
	doctype = chart.document_type
	datefield = chart.based_on
	year = cint(heatmap_year) if heatmap_year else getdate(nowdate()).year
	filters.append([doctype, datefield, ">", datetime.date(year, 1, 1).strftime("%Y-%m-%d"), False])
	filters.append([doctype, datefield, "<", datetime.date(year + 1, 1, 1).strftime("%Y-%m-%d"), False])
	data = dict(
		frappe.get_list(
			doctype,
			fields=[f"unix_timestamp({datefield})", f"{aggregate_function}({value_field})"],
			filters=filters,
			group_by=f"date({datefield})",
			as_list=1,
			order_by=f"{datefield} asc",
			ignore_ifnull=True,
		)
	)
	return {"labels": [], "dataPoints": data}


@frappe.whitelist()
def get_dashboard_chart(
	chart_name: str | None = None,
	chart: str | dict | None = None,
	no_cache: int | str | None = None,
	filters: str | dict | list | None = None,
	from_date: str | None = None,
	to_date: str | None = None,
	timespan: str | None = None,
	time_interval: str | None = None,
	heatmap_year: int | str | None = None,
	refresh: int | str | None = None,
) -> dict | None:
	"""frappe.desk.doctype.dashboard_chart.dashboard_chart.get: heatmaps are counted with get_all (any
	doctype, no permission at all), and results are cached per chart name for every user, so a
	relationship manager would see the totals a process manager's visit cached. For charts on BRM data
	and all heatmaps: compute for the caller, without the shared cache."""
	from frappe.desk.doctype.dashboard_chart import dashboard_chart

	kwargs = dict(
		chart_name=chart_name,
		chart=chart,
		no_cache=no_cache,
		filters=filters,
		from_date=from_date,
		to_date=to_date,
		timespan=timespan,
		time_interval=time_interval,
		heatmap_year=heatmap_year,
		refresh=refresh,
	)
	doc = (
		frappe.get_doc("Dashboard Chart", chart_name)
		if chart_name
		else frappe._dict(frappe.parse_json(chart))
	)
	if doc.get("type") == "Heatmap" and doc.get("chart_type") != "Custom" and doc.get("document_type"):
		heatmap_filters = frappe.parse_json(filters) or frappe.parse_json(doc.get("filters_json")) or []
		heatmap_filters.append([doc.document_type, "docstatus", "<", 2, False])
		return _heatmap(doc, heatmap_filters, heatmap_year or doc.get("heatmap_year"))
	if _row_level(doc.get("document_type")):
		# the undecorated function (under frappe.whitelist's type check and cache_source): no shared cache.
		# The desk sends unset arguments as "" (to_date=""), which cache_source turns into None; so does
		# this call, or "Last Year" is counted back from an empty date (HTTP 417 "Please select a valid date
		# filter", the BRM dashboard's Survey Responses chart stuck on "Loading...").
		unset = ("filters", "from_date", "to_date", "timespan", "time_interval", "heatmap_year")
		kwargs.update({key: kwargs[key] or None for key in unset})
		result = inspect.unwrap(dashboard_chart.get)(**kwargs)
		if (time_interval or doc.get("time_interval")) == "Monthly" and doc.get("timeseries"):
			_translate_month_labels(result)
		elif doc.get("chart_type") == "Group By":
			_translate_group_labels(result)
		_translate_legend(result)
		return result
	return dashboard_chart.get(**kwargs)


def _translate_group_labels(result: dict | None) -> None:
	"""A Group By chart's labels are the stored values of the field it groups by (a Select option, a workflow
	state: English keys of the translation files); the desk draws them as they come."""
	if result and result.get("labels"):
		result["labels"] = [_translated(label) for label in result["labels"]]


def _translate_legend(result: dict | None) -> None:
	"""frappe names a chart's dataset after the chart (its English name), which the legend and tooltips show."""
	for dataset in (result or {}).get("datasets") or []:
		dataset["name"] = _translated(dataset.get("name"))


def _translated(value):
	from brm_app.brm_app.report.shared.common import translated

	return translated(value) if isinstance(value, str) else value


def _translate_month_labels(result: dict | None) -> None:
	"""frappe labels a monthly time series "Oct 2026" in English whatever the reader's language: the
	labels of BRM charts read as the reader reads a month ("Okt 2026")."""
	from datetime import datetime

	from brm_app.brm_app.report.shared.common import month_label

	if not result or not result.get("labels"):
		return
	try:
		keys = [datetime.strptime(label, "%b %Y").strftime("%Y-%m") for label in result["labels"]]
	except (TypeError, ValueError):
		return  # not frappe's month labels: left as they are
	result["labels"] = [month_label(key) for key in keys]


# list view sidebar --------------------------------------------------------------------------------------


@frappe.whitelist()
@frappe.read_only()
def get_group_by_count(doctype: str, current_filters: str, field: str) -> list[dict]:
	"""frappe.desk.listview.get_group_by_count: the "Assigned To" sidebar counts the ToDos of the records
	matching the filters through frappe.qb.get_query, with no permission check (and on any doctype's
	records of the same name). For BRM doctypes: count assignments of the records the caller may see."""
	from frappe.desk import listview

	if field != "assigned_to" or not _row_level(doctype) or not restricted_user():
		return listview.get_group_by_count(doctype, current_filters, field)
	names = frappe.get_list(doctype, filters=frappe.parse_json(current_filters), pluck="name", limit=0)
	if not names:
		return []
	todo = frappe.qb.DocType("ToDo")
	user = frappe.qb.DocType("User")
	count = frappe.query_builder.functions.Count("*").as_("count")
	return (
		frappe.qb.from_(todo)
		.from_(user)
		.select(todo.allocated_to.as_("name"), count)
		.where(
			(todo.status != "Cancelled")
			& (todo.allocated_to == user.name)
			& (user.user_type == "System User")
			& (todo.reference_type == doctype)
			& (todo.reference_name.isin(names))
		)
		.groupby(todo.allocated_to)
		.orderby(count, order=frappe.qb.desc)
		.limit(50)
		.run(as_dict=True)
	)
