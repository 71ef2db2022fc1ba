"""Composite indexes for the BRM reports, KPI queries and the health job at scale (issue #6).

Chosen from the EXPLAIN plans of `scripts/benchmark.py` at 10,000 portfolios / 200,000 Issues / 100,000
surveys (docs/benchmarks.md): each one turns a full scan, or a row lookup per matching row, into a range
scan of an index that holds every column the query reads. frappe's schema sync leaves multi-column
indexes alone, so they are added here, idempotently: from after_install / after_migrate
(brm_app.setup.install.ensure_setup) and by the patch brm_app.patches.v0_2.add_report_indexes for
sites that had brm_app before.
"""

import frappe

# doctype -> {index name: columns}
REPORT_INDEXES = {
	"Issue": {
		# K5 SLA compliance and the health job, per customer (a relationship manager's customers)
		"brm_issue_customer_opening": ["customer", "opening_date", "agreement_status"],
		# K5 over all customers in a period (process manager), and the peer Issue Summary's period
		"brm_issue_opening": ["opening_date", "agreement_status", "customer"],
		# K7 complaints in a period; open complaints per customer
		"brm_issue_type_opening": ["issue_type", "opening_date", "customer"],
		"brm_issue_type_status": ["issue_type", "status", "customer"],
	},
	"Satisfaction Survey": {
		# K6 / Customer Satisfaction: responses in a period (NPS), surveys sent in a period
		"brm_survey_responded": ["status", "responded_on", "portfolio", "nps_category"],
		"brm_survey_sent": ["sent_on", "portfolio", "status"],
		# K6 / health CSAT: the stored rating counts of the responses in a period, read from the index alone
		"brm_survey_csat": ["status", "responded_on", "portfolio", "rating_count", "satisfied_count"],
	},
	"Satisfaction Survey Answer": {
		# K6 / health CSAT: the rating answers of a survey without reading the answer rows
		"brm_answer_rating": ["parent", "parenttype", "question_type", "score"],
	},
	"Portfolio Team Member": {
		# row-level access: the portfolios whose relationship team lists a user
		"brm_team_member_user": ["user", "parenttype", "parent"],
	},
}


def ensure_report_indexes() -> None:
	for doctype, indexes in REPORT_INDEXES.items():
		for index_name, columns in indexes.items():
			frappe.db.add_index(doctype, columns, index_name=index_name)
