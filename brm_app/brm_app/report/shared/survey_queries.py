"""The survey counts of the BRM reports (K6 and the detractors of K7 in the BRM KPI Scorecard, Customer
Satisfaction, the workspace's CSAT and NPS cards): surveys sent and responded by send date; the CSAT and NPS
counts of the responses through brm_app.surveys.counts, the one aggregation of them. Limited to the run's
ReportScope (brm_app.brm_app.report.shared.scope).
"""

from datetime import date

import frappe

from brm_app.brm_app.report.shared.common import and_, as_int, period_params
from brm_app.brm_app.report.shared.scope import ReportScope
from brm_app.surveys.counts import RESPONSE_COUNTS, response_counts


def survey_counts(scope: ReportScope, from_date: date, to_date: date) -> dict:
	"""K6: rating answers (satisfied / all), NPS categories of responses, surveys sent / responded."""
	return survey_counts_by(scope, from_date, to_date, None).get(None) or empty_survey_counts()


def empty_survey_counts() -> dict:
	return dict.fromkeys(("sent", "responded", *RESPONSE_COUNTS, "detractors_linked"), 0)


# Satisfaction with the relationship (the relationship survey: Send Survey Now and the cadence job) and
# with delivery (ticket and project surveys), reported apart (docs/rhythm-surveys.md). A Manual survey is
# in neither, only in the totals.
RELATIONSHIP, DELIVERY = "relationship", "delivery"
KINDS = {
	RELATIONSHIP: ("Periodic Relationship Review",),
	DELIVERY: ("Ticket Closed", "Project Delivered"),
}


# Customer Satisfaction's groupings: (sent-based key, response-based key, extra join). Constants only.
GROUPINGS = {
	None: ("null", "null", ""),
	"Month": (
		"date_format(s.`sent_on`, '%%Y-%%m')",
		"date_format(s.`responded_on`, '%%Y-%%m')",
		"",
	),
	# the scorecard: 1 = the period from %(split)s on, 0 = the previous period (one pass for both)
	"Period": ("(s.`sent_on` >= %(split)s)", "(s.`responded_on` >= %(split)s)", ""),
	"Customer": ("s.`customer`", "s.`customer`", ""),
	"Relationship Manager": ("s.`relationship_manager`", "s.`relationship_manager`", ""),
	# a response counts for every service the customer's portfolio consumes
	"Service": (
		"ps.`it_service`",
		"ps.`it_service`",
		"join `tabPortfolio Service` ps on ps.`parent` = s.`portfolio`"
		" and ps.`parenttype` = 'Customer Portfolio'",
	),
}


def survey_counts_by(
	scope: ReportScope,
	from_date: date,
	to_date: date,
	group_by: str | None,
	split: date | None = None,
	linked: bool = False,
) -> dict:
	"""Survey counts per group key (None: one total): sent / responded by send date, ratings and NPS
	categories by response date; with `linked`, also the detractors that are the source of a Service
	Opportunity (K7). Group "Period" needs `split`: keys 1 (from `split` on) and 0 (before). The split by kind
	(relationship / delivery) and by channel: survey_counts_with_kinds."""
	sent_key, response_key, join = GROUPINGS[group_by]
	cond, params = scope.condition("s.`portfolio`")
	params.update(period_params(from_date, to_date), split=split)
	result: dict = {}

	def bucket(key):
		return result.setdefault(key, empty_survey_counts())

	for key, sent, responded in frappe.db.sql(
		f"""
		select {sent_key}, count(*), coalesce(sum(s.`status` = 'Responded'), 0)
		from `tabSatisfaction Survey` s {join}
		where s.`sent_on` >= %(from_date)s and s.`sent_on` < %(until)s {and_(cond)}
		group by 1
		""",
		params,
	):
		bucket(key).update(sent=as_int(sent), responded=as_int(responded))

	# NPS categories and CSAT of the responses received in the period
	responses = response_counts(
		response_key, from_date, params["until"], condition=cond, params=params, join=join
	)
	for key, counts in responses.items():
		bucket(key).update(counts)

	if not linked:
		return result
	# detractors that are the source of a Service Opportunity (index on its source_survey)
	for key, detractors_linked in frappe.db.sql(
		f"""
		select {response_key}, count(*)
		from `tabSatisfaction Survey` s {join}
		where s.`status` = 'Responded' and s.`responded_on` >= %(from_date)s and s.`responded_on` < %(until)s
			and s.`nps_category` = 'Detractor' {and_(cond)}
			and exists (select 1 from `tabService Opportunity` so where so.`source_survey` = s.`name`)
		group by 1
		""",
		params,
	):
		bucket(key).update(detractors_linked=as_int(detractors_linked))
	return result


# the kind of a survey from its trigger, in SQL (None: a Manual survey, only in the totals)
KIND_CASE = (
	"(case when s.`trigger` in %(relationship_triggers)s then 'relationship'"
	" when s.`trigger` in %(delivery_triggers)s then 'delivery' end)"
)


def survey_counts_with_kinds(
	scope: ReportScope,
	from_date: date,
	to_date: date,
	group_by: str | None,
	split: date | None = None,
	linked: bool = False,
) -> tuple[dict, dict, dict]:
	"""survey_counts_by for all surveys and for each kind, and the responses per channel, in one pass over the
	surveys sent and one over the responses (grouped by key and kind, the sent ones also by answering
	channel) instead of one pass per kind: (totals, {kind: counts by key}, channels by key)."""
	sent_key, response_key, join = GROUPINGS[group_by]
	cond, params = scope.condition("s.`portfolio`")
	params.update(
		period_params(from_date, to_date),
		split=split,
		relationship_triggers=KINDS[RELATIONSHIP],
		delivery_triggers=KINDS[DELIVERY],
	)
	totals: dict = {}
	by_kind: dict = {kind: {} for kind in KINDS}
	channels: dict = {}

	def buckets(key, kind):
		total = totals.setdefault(key, empty_survey_counts())
		return (total, by_kind[kind].setdefault(key, empty_survey_counts())) if kind else (total,)

	for key, kind, channel, sent, responded in frappe.db.sql(
		f"""
		select {sent_key}, {KIND_CASE},
			(case when s.`status` = 'Responded' then nullif(s.`response_channel`, '') end),
			count(*), coalesce(sum(s.`status` = 'Responded'), 0)
		from `tabSatisfaction Survey` s {join}
		where s.`sent_on` >= %(from_date)s and s.`sent_on` < %(until)s {and_(cond)}
		group by 1, 2, 3
		""",
		params,
	):
		for counts in buckets(key, kind):
			counts["sent"] += as_int(sent)
			counts["responded"] += as_int(responded)
		if channel:
			key_channels = channels.setdefault(key, {})
			key_channels[channel] = key_channels.get(channel, 0) + as_int(responded)

	responses = response_counts(
		f"{response_key}, {KIND_CASE}",
		from_date,
		params["until"],
		condition=cond,
		params=params,
		join=join,
		keys=2,
	)
	for (key, kind), counts in responses.items():
		for bucket in buckets(key, kind):
			for field, value in counts.items():
				bucket[field] += value

	if linked:
		for key, detractors_linked in frappe.db.sql(
			f"""
			select {response_key}, count(*)
			from `tabSatisfaction Survey` s {join}
			where s.`status` = 'Responded' and s.`responded_on` >= %(from_date)s
				and s.`responded_on` < %(until)s and s.`nps_category` = 'Detractor' {and_(cond)}
				and exists (select 1 from `tabService Opportunity` so where so.`source_survey` = s.`name`)
			group by 1
			""",
			params,
		):
			totals.setdefault(key, empty_survey_counts())["detractors_linked"] = as_int(detractors_linked)
	return totals, by_kind, channels
