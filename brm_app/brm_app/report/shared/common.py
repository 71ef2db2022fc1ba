"""Filters, periods and columns shared by the BRM script reports.

Every report reads only (frappe's query_report.run is ``@frappe.read_only``, so it may run on a read
replica): no writes, no commits. Every query is limited to the portfolios the *session* user may see: the
run's ReportScope (brm_app.brm_app.report.shared.scope), built once per run beside these filters.
"""

from datetime import date

import frappe
from frappe import _
from frappe.utils import add_days, fmt_money, formatdate, getdate, today

from brm_app.services.kpi import months_back, quarter_of

PORTFOLIO = "Customer Portfolio"


# frappe's query_report.run checks the reader's read permission on every doctype a Link column points at
# (get_filtered_data): a relationship manager cannot read Customer, Currency or Issue, so those columns are
# Data. Link columns only to doctypes every BRM role reads.
LINKABLE = frozenset(
	{"Customer Portfolio", "Customer Agreement", "Service Opportunity", "Business Case", "IT Service", "User"}
)


# The precision of each kind of figure when none is given: percentages and scores one decimal, counts none.
# Without it frappe falls back to the site's float precision (3 on a new site), so a target of 80 % read
# "80,000" and a count of 1 "1,000" in the format #.###,##.
DEFAULT_PRECISION = {"Percent": 1, "Float": 1, "Int": 0}


def column(
	label: str,
	fieldname: str,
	fieldtype: str = "Data",
	options: str | None = None,
	width: int = 120,
	precision: int | None = None,
	context: str | None = None,
	hidden: bool = False,
):
	"""One report column; every column has a fieldname (the one helper all BRM reports use).

	Numbers carry a precision by meaning (DEFAULT_PRECISION unless given); `context` picks the translation
	of an ambiguous label (the Pipeline's "State" is a workflow state, not a country)."""
	if not fieldname:
		raise ValueError("A report column needs a fieldname")
	if fieldtype == "Link" and options not in LINKABLE:
		raise ValueError("Link report columns only to doctypes every BRM role may read")
	col = {"label": _(label, context=context), "fieldname": fieldname, "fieldtype": fieldtype, "width": width}
	if options:
		col["options"] = options
	if precision is None:
		precision = DEFAULT_PRECISION.get(fieldtype)
	if precision is not None:
		col["precision"] = precision
	if hidden:
		# kept for exports and links, not shown: a second column with the same name reads as noise
		col["hidden"] = 1
	return col


def user_full_names(users) -> dict[str, str]:
	"""user id (e-mail) -> full name, one query for all: managers are shown by name, not by address."""
	users = sorted({user for user in users if user})
	if not users:
		return {}
	rows = frappe.get_all(
		"User", filters={"name": ("in", users)}, fields=["name", "first_name", "last_name"], as_list=True
	)
	# as frappe.utils.get_fullname puts it together
	return {name: " ".join(filter(None, (first, last))) or name for name, first, last in rows}


NO_DATA = "\u2014"


def translated(value: str | None, context: str | None = None) -> str | None:
	"""A value made at run time (a status, a RAG, a figure's name) in the reader's language, when the rows
	are built; `context` for a word with several meanings. None stays None."""
	return _(value, context=context) if value else None


def month_label(month_key: str | None) -> str | None:
	"""A "YYYY-MM" key as the reader reads a month: "Okt 2026" in Indonesian, "Oct 2026" in English (frappe's
	date formatting, in the session's language)."""
	if not month_key:
		return month_key
	return formatdate(f"{month_key}-01", "MMM yyyy")


def format_figure(
	value, fieldtype: str = "Float", precision: int | None = 1, number_format: str | None = None
):
	"""A figure as text in the site's number format (`number_format` to force one): the Python twin of
	brm_app.desk.format_figure. Percent "66,7%" / "66.7%" (frappe's own Percent format ignores the number
	format), Int "1.250", Float with `precision` decimals; no data is NO_DATA, never 0."""
	if value is None or value == "":
		return NO_DATA
	if fieldtype == "Int":
		return fmt_money(value, precision=0, format=number_format)
	text = fmt_money(value, precision=1 if precision is None else precision, format=number_format)
	return f"{text}%" if fieldtype == "Percent" else text


def summary_value(value, datatype: str) -> tuple:
	"""(value, datatype) of a report summary figure: NO_DATA as text when there is none (not 0)."""
	return (NO_DATA, "Data") if value is None else (value, datatype)


# A filter key no report reads (the run's scope once travelled in the filters under it): dropped from what
# a client sends, so it can never stand for anything (docs/security.md case 2).
SCOPE_CACHE = "__brm_scope"


def filters_dict(filters) -> frappe._dict:
	"""The report's filters as a new dict, SCOPE_CACHE dropped."""
	result = frappe._dict(frappe.parse_json(filters) if isinstance(filters, str) else (filters or {}))
	result.pop(SCOPE_CACHE, None)
	return result


# The reports' default periods, by the names their filters use in brm_reports.js (brm_app.reports.PERIODS):
# the server falls back to the same period when the dates are blank.
def this_quarter() -> tuple[date, date]:
	return quarter_of(getdate(today()))


def last_12_months() -> tuple[date, date]:
	now = getdate(today())
	return months_back(now, 12), now


def last_3_months() -> tuple[date, date]:
	now = getdate(today())
	return months_back(now, 3), now


DEFAULT_PERIODS = {
	"this_quarter": this_quarter,
	"last_12_months": last_12_months,
	"last_3_months": last_3_months,
}


def _date_filter(value, label: str) -> date | None:
	"""A date filter's value as a date; blank is None; anything but a date or a date string is refused."""
	if not value:
		return None
	if not isinstance(value, str | date):
		frappe.throw(_("{0} must be a date").format(label))
	return getdate(value)


def period(filters: frappe._dict, default: str) -> tuple[date, date]:
	"""The report's period from its From Date / To Date filters; blank, the DEFAULT_PERIODS one named
	`default` (always bounded)."""
	start, end = DEFAULT_PERIODS[default]()
	from_date = _date_filter(filters.get("from_date"), _("From Date")) or start
	to_date = _date_filter(filters.get("to_date"), _("To Date")) or end
	if to_date < from_date:
		frappe.throw(_("To Date cannot be before From Date"))
	return from_date, to_date


def day_after(day: date) -> date:
	"""Datetime columns are compared as `>= from_date and < day_after(to_date)`."""
	return getdate(add_days(day, 1))


def period_params(from_date: date, to_date: date) -> dict:
	"""The query parameters of a period: from_date, to_date and `until` (day_after(to_date))."""
	return {"from_date": from_date, "to_date": to_date, "until": day_after(to_date)}


def as_int(value) -> int:
	"""A count from SQL (None, Decimal) as an int."""
	return int(value or 0)


def where(*conditions: str) -> str:
	"""`where a and b` from the non-empty conditions ("" when none)."""
	kept = [c for c in conditions if c]
	return f" where {' and '.join(kept)}" if kept else ""


def and_(*conditions: str) -> str:
	"""` and a and b` from the non-empty conditions ("" when none)."""
	kept = [c for c in conditions if c]
	return "".join(f" and {c}" for c in kept)
