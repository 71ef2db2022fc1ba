app_name = "brm_app"
app_title = "BRM App"
app_publisher = "brm_app developers"
app_description = "ITIL Business Relationship Management for ERPNext"
app_email = "brm@example.com"
app_license = "mit"

required_apps = ["frappe/erpnext"]

# Keep the "begin: auto-generated types" blocks of the controllers up to date (brm_app.setup.types).
export_python_type_annotations = True
# Every whitelisted function annotated, parameters and return: frappe.whitelist converts and checks a
# call's arguments against the annotations (frappe 15 reads this hook from 16 on;
# tests/integration/test_types.py enforces it meanwhile).
require_type_annotated_api_methods = True

# Installation
# ------------
# before_install refreshes frappe's cached app -> modules map (a site in use has one without brm_app)
before_install = "brm_app.setup.install.before_install"
after_install = "brm_app.setup.install.after_install"
after_migrate = "brm_app.setup.install.after_migrate"
before_uninstall = "brm_app.setup.install.before_uninstall"
after_uninstall = "brm_app.setup.install.after_uninstall"

# Document events (other apps' doctypes only)
# ---------------
# the Business Case Sign-off print format reads the customer's sign-off records and digests of the case
jinja = {
	"methods": [
		"brm_app.brm_app.print_format.business_case_sign_off.business_case_sign_off.brm_sign_off_sheet",
		# the Service Review Pack's figures and SVG charts (brm_app.reviews.pack)
		"brm_app.reviews.pack.brm_service_review_pack",
	]
}

doc_events = {
	"Customer": {
		"after_insert": "brm_app.integrations.customer.after_insert",
		"on_trash": "brm_app.integrations.customer.on_trash",
	},
	# surveys when tickets close, complaints counted (brm_app.integrations); HD Ticket only with Helpdesk
	"Issue": {"on_update": "brm_app.integrations.tickets.on_issue_update"},
	"HD Ticket": {"on_update": "brm_app.integrations.tickets.on_hd_ticket_update"},
	# surveys for delivered projects; the opportunity follows its project (brm_app.integrations.projects)
	"Project": {"on_update": "brm_app.integrations.projects.on_project_update"},
	# only full-access users may share BRM records (a share would bypass row-level access)
	"DocShare": {"validate": "brm_app.access.rules.validate_docshare"},
	# ERPNext updates a project's progress from its tasks without the project's hooks
	"Task": {"on_update": "brm_app.integrations.projects.on_task_update"},
	# Files of BRM records follow the record's access: no re-pointing at a URL one may not read
	"File": {"validate": "brm_app.access.files.validate"},
	# comments, likes and follows of a BRM record only by who may read it (brm_app.access.record_paths)
	"Comment": {"validate": "brm_app.access.record_paths.check_linked_record"},
	"Document Follow": {"validate": "brm_app.access.record_paths.check_linked_record"},
	# a Service Review's action item follows its ToDo: Closed -> Done, Open -> Open (brm_app.reviews.actions)
	"ToDo": {"on_update": "brm_app.reviews.actions.on_todo_update"},
}

# Row-level access (brm_app.access.rules): a relationship manager sees only their customers' records
permission_query_conditions = {
	"Customer Portfolio": "brm_app.access.rules.portfolio_query_conditions",
	"Customer Agreement": "brm_app.access.rules.agreement_query_conditions",
	"Service Opportunity": "brm_app.access.rules.opportunity_query_conditions",
	"Business Case": "brm_app.access.rules.business_case_query_conditions",
	"Satisfaction Survey": "brm_app.access.rules.survey_query_conditions",
	"Service Review": "brm_app.access.rules.service_review_query_conditions",
	"Customer Sign-off": "brm_app.access.rules.sign_off_query_conditions",
	"Customer Health Snapshot": "brm_app.access.rules.health_snapshot_query_conditions",
	# alerts of the user's portfolios (docs/alerts.md)
	"BRM Alert": "brm_app.access.rules.alert_query_conditions",
	# an approver's delegations: the delegator's and the delegate's (brm_app.signoff.delegation)
	"BRM Approval Delegation": "brm_app.signoff.delegation.query_conditions",
	# their child tables, listed on their own through get_list / /api/resource
	**{
		child: "brm_app.access.rules.child_query_conditions"
		for child in (
			"Portfolio Stakeholder",
			"Portfolio Team Member",
			"Portfolio Business Outcome",
			"Portfolio Service",
			"Agreement Service",
			"BRM Approval Log",
			"Opportunity Impacted Service",
			"Business Case Requirement",
			"Business Case Cost",
			"Business Case Benefit",
			"Business Case Signatory",
			"Customer Sign-off Decision",
			"Satisfaction Survey Answer",
			"Service Review Attendee",
			"Service Review Action",
		)
	},
	# Files attached to BRM records: only those of records the user may read (brm_app.access.files)
	"File": "brm_app.access.files.query_conditions",
}
has_permission = {
	"Customer Portfolio": "brm_app.access.rules.has_permission",
	"Customer Agreement": "brm_app.access.rules.has_permission",
	"Service Opportunity": "brm_app.access.rules.has_permission",
	"Business Case": "brm_app.access.rules.has_permission",
	"Satisfaction Survey": "brm_app.access.rules.has_permission",
	"Service Review": "brm_app.access.rules.has_permission",
	"Customer Sign-off": "brm_app.access.rules.sign_off_has_permission",
	"Customer Health Snapshot": "brm_app.access.rules.has_permission",
	"BRM Alert": "brm_app.access.rules.has_permission",
	"BRM Approval Delegation": "brm_app.signoff.delegation.has_permission",
	"File": "brm_app.access.files.has_permission",
}

# The customer's sign-off link (brm_app.signoff.notify.SIGN_OFF_ROUTE): a www file name cannot hold a hyphen
website_route_rules = [{"from_route": "/sign-off", "to_route": "sign_off"}]

# The public survey page and endpoint: no traceback for anonymous callers, no `cmd` taking over the call
before_request = ["brm_app.api.survey.harden_public_requests"]

# Approval e-mail links: frappe applies the action over GET without a login; BRM workflows say where to act
override_whitelisted_methods = {
	"frappe.workflow.doctype.workflow_action.workflow_action.confirm_action": (
		"brm_app.api.approvals.confirm_workflow_action"
	),
	# the onboarding steps' descriptions in the reader's language (brm_app.api.workspace)
	"frappe.desk.desktop.get_desktop_page": "brm_app.api.workspace.get_desktop_page",
	# frappe 15.44 endpoints that skip row-level access: permission-checked versions (brm_app.access.endpoints)
	**{
		method: f"brm_app.access.endpoints.{replacement}"
		for method, replacement in (
			("frappe.client.get_count", "get_count"),
			("frappe.client.validate_link", "validate_link"),
			("frappe.desk.search.search_link", "search_link"),
			("frappe.desk.search.search_widget", "search_widget"),
			("frappe.desk.notifications.get_open_count", "get_open_count"),
			("frappe.desk.form.linked_with.get_submitted_linked_docs", "get_submitted_linked_docs"),
			("frappe.desk.query_report.run", "run"),
			("frappe.desk.query_report.export_query", "export_query"),
			("frappe.desk.doctype.dashboard_chart.dashboard_chart.get", "get_dashboard_chart"),
			("frappe.desk.listview.get_group_by_count", "get_group_by_count"),
		)
	},
	# frappe 15 methods that reach a record by name unchecked, found by the endpoint sweep
	# (tests/security/test_frappe_endpoint_sweep.py): brm_app.access.record_paths
	**{
		method: f"brm_app.access.record_paths.{replacement}"
		for method, replacement in (
			("frappe.desk.search.get_link_title", "get_link_title"),
			("frappe.desk.doctype.tag.tag.add_tag", "add_tag"),
			("frappe.desk.doctype.tag.tag.add_tags", "add_tags"),
			("frappe.desk.doctype.tag.tag.remove_tag", "remove_tag"),
			("frappe.desk.doctype.tag.tag.get_tagged_docs", "get_tagged_docs"),
			("frappe.desk.form.document_follow.get_follow_users", "get_follow_users"),
			("frappe.desk.form.linked_with.get", "linked_with_get"),
			("frappe.email.relink", "relink"),
			("frappe.client.is_document_amended", "is_document_amended"),
			("frappe.model.document.unlock_document", "unlock_document"),
			(
				"frappe.core.doctype.submission_queue.submission_queue.get_latest_submissions",
				"get_latest_submissions",
			),
			("frappe.social.doctype.energy_point_log.energy_point_log.get_reviews", "get_reviews"),
			(
				"frappe.workflow.doctype.workflow.workflow.get_workflow_state_count",
				"get_workflow_state_count",
			),
			("frappe.handler.download_file", "download_file"),
		)
	},
}

# Desk helpers of the BRM forms and lists (workflow actions with a reason, "My customers",
# "Pending my approval"): brm_app.desk in public/js/brm_desk.js; workflow names in the reader's language
# (approval log, Approval State): public/js/brm_translate.js; what the BRM reports' scripts share (filters,
# default periods, formatter): brm_app.reports in public/js/brm_reports.js
# the role groups of brm_app.services.roles for the desk scripts (frappe.boot.brm_roles)
boot_session = "brm_app.api.boot.boot_session"
app_include_js = [
	"/assets/brm_app/js/brm_desk.js",
	"/assets/brm_app/js/brm_reports.js",
	"/assets/brm_app/js/brm_translate.js",
]

# "Create Improvement Opportunity" on tickets and low-score surveys; "Resend Invitation" on surveys
doctype_js = {
	"Issue": "public/js/brm_actions.js",
	"HD Ticket": "public/js/brm_actions.js",
	"Satisfaction Survey": "public/js/brm_actions.js",
}

# BRM records in the connections of Customer, Issue, HD Ticket, Project and Satisfaction Survey
override_doctype_dashboards = {
	"Customer": "brm_app.integrations.dashboards.customer",
	"Issue": "brm_app.integrations.dashboards.issue",
	"HD Ticket": "brm_app.integrations.dashboards.hd_ticket",
	"Project": "brm_app.integrations.dashboards.project",
	"Satisfaction Survey": "brm_app.integrations.dashboards.satisfaction_survey",
}

# Scheduled jobs (idempotent, errors logged per record)
scheduler_events = {
	"cron": {
		"*/15 * * * *": ["brm_app.jobs.surveys.send_due_surveys"],
	},
	"hourly": [
		"brm_app.jobs.surveys.send_reminders",
		"brm_app.jobs.surveys.expire_surveys",
		"brm_app.jobs.surveys.schedule_delivered_projects",
		"brm_app.jobs.health.recompute_health_scores",
		"brm_app.jobs.sign_off.send_reminders",
		"brm_app.jobs.sign_off.expire_sign_offs",
	],
	"daily": [
		# relationship surveys by cadence (docs/rhythm-surveys.md)
		"brm_app.jobs.surveys.schedule_due_relationship_surveys",
		"brm_app.jobs.agreements.update_agreement_statuses",
		"brm_app.jobs.agreements.send_renewal_reminders",
		# approvals and desk sign-offs waiting too long: a reminder, then a notice to the process owner
		"brm_app.jobs.escalation.escalate_waiting_approvals",
		# alerts that become ToDos for the relationship manager, closed when their cause clears
		"brm_app.jobs.alerts.run_alerts",
	],
	# a snapshot of every portfolio's health per week (docs/health-over-time.md)
	"weekly": ["brm_app.jobs.health.snapshot_weekly_health"],
}

# Bulk approval / submit / cancel: POST-only (frappe's CSRF check), and their background jobs carry the
# request's mark, without which the approval guard refuses a transition in a job (brm_app.approvals.bulk)
override_whitelisted_methods.update(
	{
		"frappe.model.workflow.bulk_workflow_approval": "brm_app.approvals.bulk.bulk_workflow_approval",
		"frappe.desk.doctype.bulk_update.bulk_update.submit_cancel_or_update_docs": (
			"brm_app.approvals.bulk.submit_cancel_or_update_docs"
		),
	}
)
before_job = ["brm_app.approvals.bulk.before_job"]
after_job = ["brm_app.approvals.bulk.after_job"]
