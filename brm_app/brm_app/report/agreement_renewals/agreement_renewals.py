# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Agreement Renewals (DESIGN.md S2): submitted Active / Expiring customer agreements ending within the next
N days (filter, default 90), with the notice deadline (end date - notice period days), soonest deadline
first. The Service filter keeps agreements that cover that IT Service. Read-only; limited to the
portfolios the reader may see.
"""

from collections import Counter

from frappe import _
from frappe.utils import cint, formatdate, getdate

from brm_app.reports import queries
from brm_app.reports.common import column, filters_dict

DEFAULT_DAYS = 90
MAX_DAYS = 3660
SOON_DAYS = 30


def execute(filters=None):
	filters = filters_dict(filters)
	days = cint(filters.get("days_ahead")) if filters.get("days_ahead") not in (None, "") else DEFAULT_DAYS
	days = min(max(days, 0), MAX_DAYS)
	data = queries.renewal_rows(filters, days)
	return get_columns(), data, None, chart(data), summary(data)


def get_columns() -> list[dict]:
	return [
		column("Agreement", "agreement", "Link", "Customer Agreement", width=150),
		column("Title", "agreement_title", width=200),
		column("Customer", "customer", width=160),
		column("Relationship Manager", "relationship_manager", "Link", "User", width=160),
		column("Status", "status", width=90),
		column("Kind", "agreement_kind", width=80),
		column("Renewal", "renewal", width=80),
		column("Start Date", "start_date", "Date", width=100),
		column("End Date", "end_date", "Date", width=100),
		column("Notice Period (Days)", "notice_period_days", "Int", width=110),
		column("Notice Deadline", "notice_deadline", "Date", width=110),
		column("Days to Notice Deadline", "days_to_notice_deadline", "Int", width=120),
		column("Days to End", "days_to_end", "Int", width=90),
		column("Value", "agreement_value", "Currency", "currency", width=130),
		column("Currency", "currency", width=80),
		column("Renewal Reminder Sent On", "renewal_reminder_sent_on", "Datetime", width=150),
	]


def chart(data: list[dict]) -> dict:
	"""Agreements ending per month."""
	per_month = Counter(getdate(row["end_date"]).strftime("%Y-%m") for row in data)
	months = sorted(per_month)
	return {
		"data": {
			"labels": months,
			"datasets": [{"name": _("Agreements Ending"), "values": [per_month[m] for m in months]}],
		},
		"type": "bar",
	}


def summary(data: list[dict]) -> list[dict]:
	passed = sum(1 for row in data if row["days_to_notice_deadline"] < 0)
	soon = sum(1 for row in data if 0 <= row["days_to_notice_deadline"] <= SOON_DAYS)
	next_deadline = min(
		(row["notice_deadline"] for row in data if row["days_to_notice_deadline"] >= 0), default=None
	)
	return [
		{"label": _("Agreements Ending"), "value": len(data), "datatype": "Int", "indicator": "Blue"},
		{"label": _("Notice Deadline Passed"), "value": passed, "datatype": "Int", "indicator": "Red"},
		{
			"label": _("Notice Deadline within {0} Days").format(SOON_DAYS),
			"value": soon,
			"datatype": "Int",
			"indicator": "Orange",
		},
		{
			"label": _("Next Notice Deadline"),
			"value": formatdate(next_deadline) if next_deadline else "-",
			"datatype": "Data",
			"indicator": "Blue",
		},
	]
