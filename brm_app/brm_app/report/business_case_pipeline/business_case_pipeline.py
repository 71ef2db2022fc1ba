# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Business Case Pipeline (docs/design.md S3 b, K2): business cases created in the period (default: the last
12 months; cancelled ones left out) per workflow state and currency, with their cost, benefit, NPV, ROI
and approval cycle time. The Service filter keeps cases whose opportunity impacts that IT Service.
Amounts are never added across currencies. Read-only; limited to the portfolios the reader may see.
"""

from collections import defaultdict

from frappe import _
from frappe.utils import flt

from brm_app.brm_app.report.shared import queries
from brm_app.brm_app.report.shared.common import column, filters_dict, period, translated
from brm_app.brm_app.report.shared.scope import ReportScope

STATES = ("Draft", "Under Review", "Pending Approval", "Pending Final Approval", "Approved", "Rejected")
IN_APPROVAL = ("Under Review", "Pending Approval", "Pending Final Approval")


def execute(filters=None):
	filters = filters_dict(filters)
	from_date, to_date = period(filters, "last_12_months")
	rows = queries.pipeline_rows(ReportScope(filters), from_date, to_date)
	order = {state: i for i, state in enumerate(STATES)}
	data = [
		{
			"state": row.state,
			"currency": row.currency,
			"cases": int(row.cases),
			"total_cost": flt(row.total_cost, 2),
			"total_benefit": flt(row.total_benefit, 2),
			"net_benefit": flt(row.net_benefit, 2),
			"npv": flt(row.npv, 2),
			"positive_npv": int(row.positive_npv),
			"mean_roi": flt(row.mean_roi, 1) if row.mean_roi is not None else None,
			"mean_cycle_time": flt(row.mean_cycle_time, 1) if row.mean_cycle_time is not None else None,
		}
		for row in rows
	]
	data.sort(key=lambda r: (order.get(r["state"], len(STATES)), r["state"], r["currency"] or ""))
	for r in data:
		# the workflow state in the reader's language (its untranslated name stays in `state`)
		r["state_label"] = translated(r["state"], context="Workflow")
	return get_columns(), data, None, chart(data), summary(data)


def get_columns() -> list[dict]:
	return [
		column("State", "state_label", width=160, context="Workflow"),
		column("Currency", "currency", width=80),
		column("Cases", "cases", "Int", width=80),
		column("Total Cost", "total_cost", "Currency", "currency", width=140),
		column("Total Benefit", "total_benefit", "Currency", "currency", width=140),
		column("Net Benefit", "net_benefit", "Currency", "currency", width=140),
		column("NPV", "npv", "Currency", "currency", width=140),
		column("Cases with Positive NPV", "positive_npv", "Int", width=120),
		column("Mean ROI %", "mean_roi", "Percent", width=100),
		column("Mean Approval Cycle (Days)", "mean_cycle_time", "Float", width=130),
		column("State", "state", width=120, hidden=True),
	]


def chart(data: list[dict]) -> dict:
	"""Cases per state (all currencies): a count, whole numbers."""
	per_state = defaultdict(int)
	for row in data:
		per_state[row["state"]] += row["cases"]
	labels = list(per_state)
	return {
		"data": {
			"labels": [translated(s, context="Workflow") for s in labels],
			"datasets": [{"name": _("Cases"), "values": [per_state[s] for s in labels]}],
		},
		"type": "bar",
		"fieldtype": "Int",
	}


def summary(data: list[dict]) -> list[dict]:
	cases = sum(r["cases"] for r in data)
	in_approval = sum(r["cases"] for r in data if r["state"] in IN_APPROVAL)
	approved = sum(r["cases"] for r in data if r["state"] == "Approved")
	result = [
		{"label": _("Business Cases"), "value": cases, "datatype": "Int", "indicator": "Blue"},
		{"label": _("In Approval"), "value": in_approval, "datatype": "Int", "indicator": "Orange"},
		{"label": _("Approved"), "value": approved, "datatype": "Int", "indicator": "Green"},
	]
	npv = defaultdict(float)
	for r in data:
		if r["state"] == "Approved":
			npv[r["currency"]] += r["npv"]
	for currency, value in sorted(npv.items(), key=lambda item: item[0] or ""):
		result.append(
			{
				"label": _("Approved NPV ({0})").format(currency or "-"),
				"value": value,
				"datatype": "Currency",
				"currency": currency,
				"indicator": "Green",
			}
		)
	return result
