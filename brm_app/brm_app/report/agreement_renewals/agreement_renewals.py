# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Agreement Renewals (docs/design.md S2): submitted Active / Expiring customer agreements ending within the next
N days (filter, default 90), with the notice deadline (end date - notice period days), soonest deadline
first. The Service filter keeps agreements that cover that IT Service. The rows stop at the Show filter
(default 100, soonest deadlines); the summary and the chart count every agreement of the window. Read-only;
limited to the portfolios the reader may see.
"""

import frappe
from frappe import _
from frappe.utils import cint, formatdate, getdate

from brm_app.brm_app.report.shared import queries
from brm_app.brm_app.report.shared.common import (
	NO_DATA,
	column,
	filters_dict,
	month_label,
	translated,
	user_full_names,
)
from brm_app.brm_app.report.shared.scope import ReportScope
from brm_app.services import renewal as renewal_rules

DEFAULT_DAYS = 90
MAX_DAYS = 3660
SOON_DAYS = 30
DEFAULT_LIMIT = 100
MAX_LIMIT = 10000


def execute(filters=None):
	filters = filters_dict(filters)
	scope = ReportScope(filters)
	days = cint(filters.get("days_ahead")) if filters.get("days_ahead") not in (None, "") else DEFAULT_DAYS
	days = min(max(days, 0), MAX_DAYS)
	limit = min(max(cint(filters.get("limit")) or DEFAULT_LIMIT, 1), MAX_LIMIT)
	data = display_rows(queries.renewal_rows(scope, days, limit))
	months = queries.renewal_months(scope, days, SOON_DAYS)
	total = sum(month.agreements for month in months)
	message = None
	if total > len(data):
		message = _(
			"Showing the {0} soonest notice deadlines of {1} agreements; raise Show to see more."
		).format(len(data), total)
	return get_columns(), data, message, chart(months), summary(months)


def display_rows(rows: list[dict]) -> list[dict]:
	"""The rows in the reader's words: the manager's full name; status, kind and renewal translated (the
	untranslated values stay in `status_key`, `kind_key`, `renewal_key`); what happens at the end by the
	renewal type (docs/renewals-and-change-impact.md) in `outcome` / `outcome_on` (`outcome_key`)."""
	names = user_full_names(row.relationship_manager for row in rows)
	successors = renewed_by([row.agreement for row in rows])
	for row in rows:
		key, on = renewal_rules.outcome(
			row.renewal,
			getdate(row.end_date),
			row.renewal_term_months,
			getdate(row.terminated_on) if row.terminated_on else None,
			successors.get(row.agreement),
		)
		row["outcome_key"], row["outcome_on"] = key, on
		row["outcome"] = OUTCOME_LABELS[key]()
		row["renewed_by"] = successors.get(row.agreement)
		if key == renewal_rules.EXTENDS:
			row["extended_end_date"] = renewal_rules.extended_end(
				getdate(row.end_date), row.renewal_term_months
			)
	for row in rows:
		row["relationship_manager_name"] = names.get(row.relationship_manager) or row.relationship_manager
		for field, key, context in (
			("status", "status_key", None),
			("agreement_kind", "kind_key", "Customer Agreement kind"),
			("renewal", "renewal_key", "Customer Agreement renewal"),
		):
			row[key] = row[field]
			row[field] = translated(row[field], context=context)
	return rows


OUTCOME_LABELS = {
	renewal_rules.EXTENDS: lambda: _("Extends on"),
	renewal_rules.EXPIRES: lambda: _("Expires on"),
	renewal_rules.NEEDS_DECISION: lambda: _("Needs decision by"),
	renewal_rules.RENEWED: lambda: _("Renewed from"),
	renewal_rules.ENDS: lambda: _("Terminated on"),
}


def renewed_by(names: list[str]) -> dict[str, str]:
	"""The successor agreement (not cancelled) of each of `names` that has one."""
	if not names:
		return {}
	rows = frappe.get_all(
		"Customer Agreement",
		filters={"previous_agreement": ("in", names), "docstatus": ("<", 2)},
		fields=["previous_agreement", "name"],
		order_by="name asc",
	)
	return {row.previous_agreement: row.name for row in reversed(rows)}


def get_columns() -> list[dict]:
	return [
		column("Customer", "customer_name", width=220),
		column("Title", "agreement_title", width=200),
		column("Notice Deadline", "notice_deadline", "Date", width=110),
		column("Days to Notice Deadline", "days_to_notice_deadline", "Int", width=120),
		column("End Date", "end_date", "Date", width=100),
		column("Days to End", "days_to_end", "Int", width=90),
		column("Agreement", "agreement", "Link", "Customer Agreement", width=150),
		column("Relationship Manager", "relationship_manager_name", width=170),
		column("Relationship Manager (User)", "relationship_manager", "Link", "User", width=160, hidden=True),
		column("Status", "status", width=90),
		column("Kind", "agreement_kind", width=80),
		column("Renewal", "renewal", width=90),
		column("What Happens", "outcome", width=140),
		column("On", "outcome_on", "Date", width=100),
		column("Extended Until", "extended_end_date", "Date", width=110),
		column("Renewed By", "renewed_by", "Link", "Customer Agreement", width=140),
		column("Start Date", "start_date", "Date", width=100),
		column("Notice Period (Days)", "notice_period_days", "Int", width=110),
		column("Value", "agreement_value", "Currency", "currency", width=130),
		column("Currency", "currency", width=80),
		column("Renewal Reminder Sent On", "renewal_reminder_sent_on", "Datetime", width=150),
	]


def chart(months: list[dict]) -> dict:
	"""Agreements ending per month ("Okt 2026"), a count: whole numbers."""
	return {
		"data": {
			"labels": [month_label(month.month) for month in months],
			"datasets": [
				{"name": _("Agreements Ending"), "values": [int(month.agreements) for month in months]}
			],
		},
		"type": "bar",
		"fieldtype": "Int",
	}


def summary(months: list[dict]) -> list[dict]:
	next_deadline = min((m.next_deadline for m in months if m.next_deadline), default=None)
	return [
		{
			"label": _("Agreements Ending"),
			"value": sum(int(m.agreements) for m in months),
			"datatype": "Int",
			"indicator": "Blue",
		},
		{
			"label": _("Notice Deadline Passed"),
			"value": sum(int(m.passed) for m in months),
			"datatype": "Int",
			"indicator": "Red",
		},
		{
			"label": _("Notice Deadline within {0} Days").format(SOON_DAYS),
			"value": sum(int(m.soon) for m in months),
			"datatype": "Int",
			"indicator": "Orange",
		},
		{
			"label": _("Next Notice Deadline"),
			"value": formatdate(next_deadline) if next_deadline else NO_DATA,
			"datatype": "Data",
			"indicator": "Blue",
		},
	]
