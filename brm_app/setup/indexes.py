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
	"Customer Portfolio": {
		# Customer Health: portfolios by status and RAG, at-risk and lowest score first (index only)
		"brm_portfolio_health": ["relationship_status", "health_rag", "health_score"],
		# the daily relationship survey job: the portfolios due, a range scan (docs/rhythm-surveys.md)
		"brm_portfolio_survey_due": ["next_relationship_survey_due", "relationship_status"],
	},
	"Satisfaction Survey": {
		# K6 / Customer Satisfaction / health: the responses of a period, their NPS category and stored rating
		# counts, read from the index alone (one pass for NPS and CSAT); with the trigger, also per kind
		# (relationship / delivery survey, docs/rhythm-surveys.md) in the same pass
		"brm_survey_response_kind": [
			"status",
			"responded_on",
			"portfolio",
			"nps_category",
			"rating_count",
			"satisfied_count",
			"trigger",
		],
		# response rate: surveys sent in a period, per kind and answering channel, from the index alone
		"brm_survey_sent_kind": ["sent_on", "portfolio", "status", "trigger", "response_channel"],
	},
	"Service Opportunity": {
		# K7: is this complaint ticket / detractor survey the source of an improvement opportunity?
		"brm_opportunity_source_issue": ["source_issue", "status"],
		"brm_opportunity_source_hd_ticket": ["source_hd_ticket", "status"],
		"brm_opportunity_source_survey": ["source_survey", "status"],
	},
	"Customer Agreement": {
		# Agreement Renewals: agreements ending in a window, their notice deadline, value and portfolio
		"brm_agreement_renewal": [
			"docstatus",
			"status",
			"end_date",
			"notice_period_days",
			"agreement_value",
			"portfolio",
		],
		# renewed by a successor? (Agreement Renewals' outcome, the renewal jobs)
		"brm_agreement_previous": ["previous_agreement", "docstatus"],
	},
	"Business Case": {
		# Business Case Pipeline: the cases created in a period with every figure it sums, index only
		"brm_case_pipeline": [
			"docstatus",
			"creation",
			"workflow_state",
			"currency",
			"total_cost",
			"total_benefit",
			"net_benefit",
			"npv",
			"roi_percent",
			"cycle_time_days",
			"portfolio",
		],
	},
	"Satisfaction Survey Answer": {
		# K6 / health CSAT: the rating answers of a survey without reading the answer rows
		"brm_answer_rating": ["parent", "parenttype", "question_type", "score"],
	},
	"Portfolio Business Outcome": {
		# K1 / K5: per portfolio, whether an outcome is Agreed / Achieved, grouped in index order (no sort)
		"brm_outcome_parent_status": ["parenttype", "parent", "status"],
	},
	"Portfolio Team Member": {
		# row-level access: the portfolios whose relationship team lists a user
		"brm_team_member_user": ["user", "parenttype", "parent"],
	},
	"Customer Health Snapshot": {
		# Customer Health's "then" columns and the movers: the weekly rows of one date, index only
		"brm_health_snapshot_date": [
			"reason",
			"snapshot_date",
			"portfolio",
			"health_score",
			"health_rag",
		],
	},
}

# one row per key (docs/health-over-time.md): a portfolio's weekly snapshot of a week, its band-change
# snapshot of a day; also the index of a portfolio's trend (portfolio first)
UNIQUE_INDEXES = {
	"Customer Health Snapshot": {
		"brm_health_snapshot_key": ["portfolio", "snapshot_date", "reason"],
	},
}


# Look-ups the ticket hook makes on every close (one survey per ticket, the per-contact survey throttle)
LOOKUP_INDEXES = {
	"Satisfaction Survey": {
		"brm_survey_reference": ["reference_doctype", "reference_name(140)"],
		"brm_survey_email_creation": ["email", "creation"],
	},
}

# indexes an earlier version added and a wider one above replaced: doctype -> index names
OBSOLETE_INDEXES = {
	"Satisfaction Survey": (
		"brm_survey_responded",
		"brm_survey_csat",
		# widened by the kind of survey and the answering channel (brm_survey_*_kind)
		"brm_survey_response",
		"brm_survey_sent",
	),
}


def ensure_report_indexes() -> None:
	"""Every composite index of brm_app (the reports' and the look-ups'), and no obsolete one."""
	for doctype, indexes in (*REPORT_INDEXES.items(), *LOOKUP_INDEXES.items()):
		for index_name, columns in indexes.items():
			# quoted: a column may be a reserved word (`trigger`); a prefix length ("name(140)") stays as is
			quoted = [column if "(" in column else f"`{column}`" for column in columns]
			frappe.db.add_index(doctype, quoted, index_name=index_name)
	for doctype, indexes in UNIQUE_INDEXES.items():
		for index_name, columns in indexes.items():
			# not frappe.db.add_unique: it looks the constraint up in every database of the server
			if not frappe.db.has_index(f"tab{doctype}", index_name):
				keys = ", ".join(f"`{column}`" for column in columns)
				frappe.db.sql_ddl(f"alter table `tab{doctype}` add unique index `{index_name}` ({keys})")
	for doctype, index_names in OBSOLETE_INDEXES.items():
		for index_name in index_names:
			if frappe.db.has_index(f"tab{doctype}", index_name):
				frappe.db.sql_ddl(f"alter table `tab{doctype}` drop index `{index_name}`")
