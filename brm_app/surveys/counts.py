"""CSAT and NPS counts of survey responses: the one aggregation behind every CSAT / NPS figure of the app
(the BRM KPI Scorecard and Customer Satisfaction reports, the workspace cards, the portfolio overview's
monthly trend and the hourly health job, brm_app.jobs.health). docs/kpis.md defines the figures;
brm_app.services.kpi computes them from these counts: CSAT is share(satisfied, ratings), NPS is
nps(promoters, detractors, nps_answers).

The rating counts are the ones each survey's controller stores (rating_count, satisfied_count), not the
answer rows, so a period's responses are one pass over brm_app.setup.indexes' covering index of responses
(status, responded_on, portfolio, nps_category, rating_count, satisfied_count).
"""

from datetime import date, datetime

import frappe

RESPONSE_COUNTS = ("promoters", "passives", "detractors", "nps_answers", "satisfied", "ratings")


def response_counts(
	group_key: str,
	since: date | datetime,
	until: date | datetime | None = None,
	condition: str = "",
	params: dict | None = None,
	join: str = "",
	keys: int = 1,
) -> dict:
	"""Per group, the responses received from `since` (and before `until`): the NPS categories (promoters,
	passives, detractors; nps_answers, responses with a category) and the rating answers (satisfied: rated
	4 or 5; ratings: all). A group with neither an NPS answer nor a rating is left out.

	`group_key` is an SQL expression over the survey (aliased `s`) or `join`; `condition` narrows the
	responses (SQL over the same, its values in `params`). Both are built by the caller from constants:
	values travel as parameters only. With `keys` > 1, `group_key` is that many comma-separated expressions
	and each result key is their tuple."""
	values = {**(params or {}), "responses_since": since, "responses_until": until}
	until_sql = " and s.`responded_on` < %(responses_until)s" if until is not None else ""
	condition_sql = f" and {condition}" if condition else ""
	rows = frappe.db.sql(
		f"""
		select {group_key}, coalesce(sum(s.`nps_category` = 'Promoter'), 0),
			coalesce(sum(s.`nps_category` = 'Passive'), 0), coalesce(sum(s.`nps_category` = 'Detractor'), 0),
			coalesce(sum(ifnull(s.`nps_category`, '') != ''), 0), coalesce(sum(s.`satisfied_count`), 0),
			coalesce(sum(s.`rating_count`), 0)
		from `tabSatisfaction Survey` s {join}
		where s.`status` = 'Responded' and s.`responded_on` >= %(responses_since)s{until_sql}{condition_sql}
		group by {", ".join(str(i) for i in range(1, keys + 1))}
		having sum(ifnull(s.`nps_category`, '') != '') > 0 or sum(s.`rating_count`) > 0
		""",
		values,
	)
	return {
		(row[0] if keys == 1 else tuple(row[:keys])): dict(
			zip(RESPONSE_COUNTS, (int(count or 0) for count in row[keys:]), strict=True)
		)
		for row in rows
	}
