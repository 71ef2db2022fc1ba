# Copyright (c) 2026, brm_app developers and contributors
# For license information, please see license.txt

"""Customer Satisfaction (docs/design.md S3 f, K6): CSAT, NPS and response rate by month, customer, service or
relationship manager, with a chart. Default period: the last 3 months (from the first day of the month two months ago).

Response rate counts the surveys *sent* in the period (Responded / sent); CSAT and NPS count the responses
*received* in the period. "By Service": a response counts for every IT Service its customer's portfolio
consumes (surveys are per customer, not per service), so service rows do not add up to the total.
Read-only; limited to the portfolios the reader may see.
"""

import frappe
from frappe import _

from brm_app.brm_app.report.shared import survey_queries
from brm_app.brm_app.report.shared.common import (
	column,
	filters_dict,
	month_label,
	period,
	summary_value,
	user_full_names,
)
from brm_app.brm_app.report.shared.scope import ReportScope
from brm_app.services import kpi
from brm_app.surveys import drafts

GROUP_BY = ("Month", "Customer", "Service", "Relationship Manager")
KEY_COLUMN = {
	"Month": ("Month", "Data", None),
	"Customer": ("Customer", "Data", None),
	"Service": ("Service", "Link", "IT Service"),
	"Relationship Manager": ("Relationship Manager", "Link", "User"),
}
CHART_GROUPS = 20


def execute(filters=None):
	filters = filters_dict(filters)
	scope = ReportScope(filters)
	from_date, to_date = period(filters, "last_3_months")
	group_by = filters.get("group_by") or "Month"
	if group_by not in GROUP_BY:
		group_by = "Month"

	# all surveys, each kind and the answering channels in one pass over the sent and one over the responses
	groups, by_kind, channels = survey_queries.survey_counts_with_kinds(scope, from_date, to_date, group_by)
	if group_by == "Service":
		# a response counts for every service its customer consumes: the groups overlap
		totals, totals_by_kind, totals_channels = survey_queries.survey_counts_with_kinds(
			scope, from_date, to_date, None
		)
		total = totals.get(None) or survey_queries.empty_survey_counts()
		total_by_kind = {
			kind: counts.get(None) or survey_queries.empty_survey_counts()
			for kind, counts in totals_by_kind.items()
		}
		total_channels = totals_channels.get(None) or {}
	else:
		# every survey is in exactly one month / customer / manager: the total is the sum of the groups
		total = summed(groups.values())
		total_by_kind = {kind: summed(counts.values()) for kind, counts in by_kind.items()}
		total_channels = {}
		for counts in channels.values():
			for channel, value in counts.items():
				total_channels[channel] = total_channels.get(channel, 0) + value
	data = [
		row(key, counts) | kind_figures(key, by_kind) | channel_rates(counts, channels.get(key) or {})
		for key, counts in groups.items()
	]
	if group_by == "Month":
		data.sort(key=lambda r: r["group"] or "")
	else:
		data.sort(key=lambda r: (-r["responded"] - r["nps_answers"], r["group"] or ""))
	set_group_labels(data, group_by)
	total_row = (
		row(None, total)
		| {f"{kind}_{f}": v for kind in total_by_kind for f, v in figures_of(total_by_kind[kind]).items()}
		| channel_rates(total, total_channels)
	)
	return get_columns(group_by), data, None, chart(data, group_by), summary(total_row)


def summed(groups) -> dict:
	total = survey_queries.empty_survey_counts()
	for counts in groups:
		for field, value in counts.items():
			total[field] += value
	return total


def figures_of(counts: dict) -> dict:
	"""Response rate, CSAT and NPS of one kind of survey (docs/rhythm-surveys.md)."""
	return {
		"response_rate": kpi.share(counts["responded"], counts["sent"]),
		"csat": kpi.share(counts["satisfied"], counts["ratings"]),
		"nps": kpi.nps(counts["promoters"], counts["detractors"], counts["nps_answers"]),
	}


def kind_figures(key, by_kind: dict) -> dict:
	"""Relationship and delivery figures of the group `key` (relationship_csat, delivery_nps, …)."""
	result = {}
	for kind, groups in by_kind.items():
		counts = groups.get(key) or survey_queries.empty_survey_counts()
		result.update({f"{kind}_{field}": value for field, value in figures_of(counts).items()})
	return result


CHANNEL_FIELDS = {drafts.EMAIL_BUTTON: "rate_email_button", drafts.SURVEY_LINK: "rate_survey_link"}


def channel_rates(counts: dict, channels: dict) -> dict:
	"""Response rate per channel: the surveys sent in the period answered through it / sent."""
	return {
		field: kpi.share(channels.get(channel, 0), counts["sent"])
		for channel, field in CHANNEL_FIELDS.items()
	}


def set_group_labels(data: list[dict], group_by: str) -> None:
	"""What the reader reads for each group: "Okt 2026" for a month, the customer's and the manager's full
	name (the untranslated key stays in `group`)."""
	keys = [r["group"] for r in data if r["group"]]
	if group_by == "Month":
		names = {key: month_label(key) for key in keys}
	elif group_by == "Customer":
		names = dict(
			frappe.get_all(
				"Customer", filters={"name": ("in", keys)}, fields=["name", "customer_name"], as_list=True
			)
		)
	elif group_by == "Relationship Manager":
		names = user_full_names(keys)
	else:
		names = {}
	for r in data:
		r["group_label"] = names.get(r["group"]) or r["group"] or _("Not Set")


def row(key, counts: dict) -> dict:
	return {
		"group": key,
		"sent": counts["sent"],
		"responded": counts["responded"],
		"response_rate": kpi.share(counts["responded"], counts["sent"]),
		"ratings": counts["ratings"],
		"csat": kpi.share(counts["satisfied"], counts["ratings"]),
		"nps_answers": counts["nps_answers"],
		"promoters": counts["promoters"],
		"passives": counts["passives"],
		"detractors": counts["detractors"],
		"nps": kpi.nps(counts["promoters"], counts["detractors"], counts["nps_answers"]),
	}


def get_columns(group_by: str) -> list[dict]:
	label, fieldtype, options = KEY_COLUMN[group_by]
	return [
		column(label, "group_label", width=200),
		# the key itself (a month key, a customer id, an e-mail address): kept for exports, not shown
		column(label, "group", fieldtype, options, width=160, hidden=True),
		column("Surveys Sent", "sent", "Int"),
		column("Responded (of Sent)", "responded", "Int"),
		column("Response Rate %", "response_rate", "Percent"),
		column("Rating Answers", "ratings", "Int"),
		column("CSAT %", "csat", "Percent"),
		column("NPS Answers", "nps_answers", "Int"),
		column("Promoters", "promoters", "Int", width=100),
		column("Passives", "passives", "Int", width=100),
		column("Detractors", "detractors", "Int", width=100),
		column("NPS", "nps", "Float", width=90),
		# satisfaction with the relationship apart from satisfaction with delivery (docs/rhythm-surveys.md)
		column("Relationship Response Rate %", "relationship_response_rate", "Percent", width=120),
		column("Relationship CSAT %", "relationship_csat", "Percent", width=120),
		column("Relationship NPS", "relationship_nps", "Float", width=110),
		column("Delivery Response Rate %", "delivery_response_rate", "Percent", width=120),
		column("Delivery CSAT %", "delivery_csat", "Percent", width=110),
		column("Delivery NPS", "delivery_nps", "Float", width=100),
		column("Response Rate % (E-mail Button)", "rate_email_button", "Percent", width=130),
		column("Response Rate % (Survey Link)", "rate_survey_link", "Percent", width=130),
	]


def chart(data: list[dict], group_by: str) -> dict:
	"""CSAT % and response rate % (one axis: both are percentages; NPS, -100..100, stays in the table) per
	group, each label with its sample size: "Okt 2026 (n=2)", the rating answers behind the CSAT. A group
	with neither figure is left out, not drawn as 0."""
	rows = data if group_by == "Month" else data[:CHART_GROUPS]
	rows = [r for r in rows if r["csat"] is not None or r["response_rate"] is not None]
	return {
		"data": {
			"labels": [_("{0} (n={1})").format(r["group_label"], r["ratings"]) for r in rows],
			"datasets": [
				{"name": _("CSAT %"), "values": [r["csat"] for r in rows]},
				{"name": _("Response Rate %"), "values": [r["response_rate"] for r in rows]},
			],
		},
		"type": "line" if group_by == "Month" else "bar",
		"fieldtype": "Percent",
		"colors": ["#2490ef", "#a8b3bf"],
		"axisOptions": {"xIsSeries": 1} if group_by == "Month" else {},
	}


def summary(total: dict) -> list[dict]:
	rate, rate_type = summary_value(total["response_rate"], "Percent")
	csat, csat_type = summary_value(total["csat"], "Percent")
	nps, nps_type = summary_value(total["nps"], "Float")
	return [
		{"label": _("Surveys Sent"), "value": total["sent"], "datatype": "Int", "indicator": "Blue"},
		{"label": _("Response Rate %"), "value": rate, "datatype": rate_type, "indicator": "Blue"},
		{"label": _("CSAT %"), "value": csat, "datatype": csat_type, "indicator": "Green"},
		# the sample sizes behind the percentages: CSAT from few ratings is not a firm 100 %
		{"label": _("Rating Answers"), "value": total["ratings"], "datatype": "Int", "indicator": "Grey"},
		{"label": _("NPS"), "value": nps, "datatype": nps_type, "indicator": "Green"},
		{"label": _("NPS Answers"), "value": total["nps_answers"], "datatype": "Int", "indicator": "Grey"},
		{"label": _("Detractors"), "value": total["detractors"], "datatype": "Int", "indicator": "Red"},
		*(
			{"label": label, "value": value, "datatype": datatype, "indicator": "Blue"}
			for label, (value, datatype) in (
				(_("Relationship CSAT %"), summary_value(total["relationship_csat"], "Percent")),
				(_("Delivery CSAT %"), summary_value(total["delivery_csat"], "Percent")),
				(_("Relationship NPS"), summary_value(total["relationship_nps"], "Float")),
				(_("Delivery NPS"), summary_value(total["delivery_nps"], "Float")),
			)
		),
	]
