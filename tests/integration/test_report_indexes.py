"""The composite indexes the reports and the health job rely on at scale exist on an installed site, and the
planner uses them for the K5 SLA query (brm_app.setup.indexes; EXPLAIN in docs/benchmarks.md)."""

import frappe

from brm_app.setup.indexes import OBSOLETE_INDEXES, REPORT_INDEXES, ensure_report_indexes


def _index_columns(doctype: str, index_name: str) -> list[str]:
	rows = frappe.db.sql(f"show index from `tab{doctype}` where Key_name = %s", (index_name,), as_dict=True)
	return [row.Column_name for row in sorted(rows, key=lambda r: r.Seq_in_index)]


def test_every_report_index_exists_with_its_columns():
	for doctype, indexes in REPORT_INDEXES.items():
		for index_name, columns in indexes.items():
			assert _index_columns(doctype, index_name) == columns, (doctype, index_name)


def test_indexes_a_wider_one_replaced_are_gone():
	for doctype, index_names in OBSOLETE_INDEXES.items():
		for index_name in index_names:
			assert not _index_columns(doctype, index_name), (doctype, index_name)
		# and what replaced them serves the same queries
		assert doctype in REPORT_INDEXES


def test_ensuring_the_indexes_again_changes_nothing():
	before = {d: frappe.db.sql(f"show index from `tab{d}`") for d in REPORT_INDEXES}
	ensure_report_indexes()
	assert {d: frappe.db.sql(f"show index from `tab{d}`") for d in REPORT_INDEXES} == before


def test_the_sla_query_of_a_customer_reads_only_the_index():
	plan = frappe.db.sql(
		"""explain select sum(agreement_status = 'Fulfilled'), sum(agreement_status = 'Failed')
		from `tabIssue`
		where customer = %s and opening_date between %s and %s""",
		("Some Customer", "2026-01-01", "2026-03-31"),
		as_dict=True,
	)
	assert plan[0].key == "brm_issue_customer_opening"
	assert "Using index" in (plan[0].Extra or "")


def test_the_response_query_of_a_period_reads_only_the_index():
	"""K6: NPS categories and stored rating counts of a period's responses, per kind of survey (its
	trigger), in one index-only range scan."""
	plan = frappe.db.sql(
		"""explain select `trigger`, sum(nps_category = 'Promoter'), sum(satisfied_count), sum(rating_count)
		from `tabSatisfaction Survey` force index (brm_survey_response_kind)
		where status = 'Responded' and responded_on >= %s and responded_on < %s
		group by `trigger`""",
		("2026-01-01", "2026-04-01"),
		as_dict=True,
	)
	assert plan[0].key == "brm_survey_response_kind"
	assert "Using index" in (plan[0].Extra or "")


def test_the_sent_query_of_a_period_per_kind_and_channel_reads_only_the_index():
	"""Response rate per kind of survey and per answering channel: one index-only range scan."""
	plan = frappe.db.sql(
		"""explain select `trigger`, response_channel, count(*), sum(status = 'Responded')
		from `tabSatisfaction Survey` force index (brm_survey_sent_kind)
		where sent_on >= %s and sent_on < %s
		group by `trigger`, response_channel""",
		("2026-01-01", "2026-04-01"),
		as_dict=True,
	)
	assert plan[0].key == "brm_survey_sent_kind"
	assert "Using index" in (plan[0].Extra or "")
