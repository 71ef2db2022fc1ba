"""Helpdesk and project hooks (issue 5; docs/design.md "Helpdesk hooks", S3 g, K7): the HD Ticket path of the
survey hook, complaint tickets counted against the portfolio, the improvement-opportunity action, Project
Delivered surveys, dashboard connections, and nothing depending on the Helpdesk app being installed."""

import pathlib

import frappe
import pytest
from frappe.desk.notifications import get_open_count

import brm_app
from brm_app.exceptions import ImprovementOpportunityError
from brm_app.integrations import actions, helpdesk_installed
from brm_app.integrations.actions import create_improvement_opportunity
from brm_app.integrations.complaints import open_complaint_counts
from brm_app.jobs import surveys as jobs
from tests.support.factories import (
	discard_error_logs_afterwards,
	make_contact,
	make_customer,
	make_hd_customer,
	make_hd_ticket,
	make_issue,
	make_issue_type,
	make_opportunity,
	make_portfolio,
	make_project,
	make_survey,
	mute_mail,
	set_brm_settings,
	uid,
)
from tests.support.users import as_user, make_user

SURVEY = "Satisfaction Survey"
OPPORTUNITY = "Service Opportunity"
COMPLAINT = "Complaint"


@pytest.fixture(autouse=True)
def muted_mail():
	mute_mail()  # Helpdesk's assignment notifications are queued, not sent (and committed) mid-test


@pytest.fixture(autouse=True)
def no_error_logs_left():
	discard_error_logs_afterwards()


@pytest.fixture(autouse=True)
def baseline_settings():
	set_brm_settings(survey_sampling_percent=100, survey_delay_hours=24, contact_throttle_days=30)


def set_complaint_types(*issue_types):
	for issue_type in issue_types:
		make_issue_type(issue_type)
		if helpdesk_installed() and not frappe.db.exists("HD Ticket Type", issue_type):
			frappe.get_doc({"doctype": "HD Ticket Type", "name": issue_type}).insert(ignore_permissions=True)
	settings = frappe.get_single("BRM Settings")
	settings.set("complaint_issue_types", [{"issue_type": t} for t in issue_types])
	settings.save(ignore_permissions=True)
	set_brm_settings()  # drops the cached settings now and after the rollback


def world():
	portfolio = make_portfolio()
	contact = make_contact(portfolio.customer)
	return portfolio, contact


def surveys_of(doctype, name):
	return frappe.get_all(
		SURVEY,
		filters={"reference_doctype": doctype, "reference_name": str(name)},
		fields=["name", "trigger", "customer", "email", "contact", "status"],
	)


def info_comments(doctype, name):
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": doctype, "reference_name": str(name), "comment_type": "Info"},
		pluck="content",
	)


def found(counts, doctype):
	"""The dashboard count of `doctype` from frappe's get_open_count answer."""
	for entry in counts["count"]["external_links_found"]:
		if entry["doctype"] == doctype:
			return entry["count"]
	raise AssertionError(f"{doctype} is not among the connections")


# --- the Helpdesk app ------------------------------------------------------------------------------------


def test_helpdesk_is_installed_in_the_test_bench():
	# the HD Ticket tests below run for real only because the bench has Helpdesk (scripts/dev)
	assert helpdesk_installed()


def test_resolving_an_hd_ticket_schedules_a_survey_for_the_customer_of_the_same_name():
	portfolio, contact = world()
	hd_customer = make_hd_customer(portfolio.customer)
	ticket = make_hd_ticket(hd_customer, contact)
	assert surveys_of("HD Ticket", ticket.name) == []

	ticket.status = "Resolved"
	ticket.save(ignore_permissions=True)

	(survey,) = surveys_of("HD Ticket", ticket.name)
	assert survey.trigger == "Ticket Closed"
	assert survey.customer == portfolio.customer
	assert survey.email == contact.email_id

	ticket.reload()
	ticket.status = "Closed"
	ticket.save(ignore_permissions=True)
	assert len(surveys_of("HD Ticket", ticket.name)) == 1


def test_an_hd_customer_without_erpnext_customer_is_skipped_with_a_reason():
	_portfolio, contact = world()
	hd_customer = make_hd_customer(uid("Helpdesk Only "))
	ticket = make_hd_ticket(hd_customer, contact)
	ticket.status = "Closed"
	ticket.save(ignore_permissions=True)

	assert surveys_of("HD Ticket", ticket.name) == []
	(comment,) = info_comments("HD Ticket", ticket.name)
	assert "has no ERPNext Customer of the same name" in comment


def test_no_module_of_brm_app_imports_the_helpdesk_app():
	root = pathlib.Path(brm_app.__file__).parent
	offenders = [
		str(path.relative_to(root))
		for path in root.rglob("*.py")
		if any(
			line.strip().startswith(("import helpdesk", "from helpdesk"))
			for line in path.read_text(encoding="utf-8").splitlines()
		)
	]
	assert offenders == []


def test_without_helpdesk_no_hd_ticket_table_is_queried(monkeypatch):
	set_complaint_types(COMPLAINT)
	portfolio, contact = world()
	make_issue(portfolio.customer, contact, issue_type=COMPLAINT)
	monkeypatch.setattr(frappe, "get_installed_apps", lambda *a, **k: ["frappe", "erpnext", "brm_app"])
	real_sql = frappe.db.sql
	statements = []

	def spy(query, *args, **kwargs):
		statements.append(str(query))
		return real_sql(query, *args, **kwargs)

	monkeypatch.setattr(frappe.db, "sql", spy)
	assert not helpdesk_installed()
	assert open_complaint_counts([portfolio.customer]) == {portfolio.customer: 1}
	from brm_app.jobs.health import recompute_health_scores

	recompute_health_scores([portfolio.name])
	assert statements and not any("HD Ticket" in statement for statement in statements)


# --- complaints ----------------------------------------------------------------------------------------


def test_open_complaint_tickets_count_against_the_portfolio():
	set_complaint_types(COMPLAINT)
	portfolio, contact = world()
	make_issue(portfolio.customer, contact, issue_type=make_issue_type("Incident"))
	complaint = make_issue(portfolio.customer, contact, issue_type=COMPLAINT)
	assert frappe.db.get_value("Customer Portfolio", portfolio.name, "open_complaints") == 1

	hd_type_ticket = make_hd_ticket(make_hd_customer(portfolio.customer), contact, ticket_type=COMPLAINT)
	assert frappe.db.get_value("Customer Portfolio", portfolio.name, "open_complaints") == 2

	complaint.status = "Closed"
	complaint.save(ignore_permissions=True)
	assert frappe.db.get_value("Customer Portfolio", portfolio.name, "open_complaints") == 1
	hd_type_ticket.status = "Resolved"
	hd_type_ticket.save(ignore_permissions=True)
	assert frappe.db.get_value("Customer Portfolio", portfolio.name, "open_complaints") == 0


def test_retyping_a_ticket_as_a_complaint_counts_it():
	set_complaint_types(COMPLAINT)
	portfolio, contact = world()
	issue = make_issue(portfolio.customer, contact, issue_type=make_issue_type("Incident"))
	# not a complaint: the hook counts nothing yet (the health job stores 0 once it sees the ticket)
	assert frappe.db.get_value("Customer Portfolio", portfolio.name, "open_complaints") is None
	issue.issue_type = COMPLAINT
	issue.save(ignore_permissions=True)
	assert frappe.db.get_value("Customer Portfolio", portfolio.name, "open_complaints") == 1


def test_only_the_configured_issue_types_are_complaints():
	set_complaint_types("Grievance")
	portfolio, contact = world()
	make_issue(portfolio.customer, contact, issue_type=make_issue_type(COMPLAINT))
	assert open_complaint_counts([portfolio.customer]) == {}
	make_issue(portfolio.customer, contact, issue_type="Grievance")
	assert open_complaint_counts([portfolio.customer]) == {portfolio.customer: 1}


# --- improvement opportunities ------------------------------------------------------------------------


def test_a_complaint_issue_becomes_a_continual_improvement_opportunity_linked_both_ways():
	set_complaint_types(COMPLAINT)
	portfolio, contact = world()
	issue = make_issue(portfolio.customer, contact, issue_type=COMPLAINT, subject="Invoices are always late")

	name = create_improvement_opportunity("Issue", issue.name)

	opportunity = frappe.get_doc(OPPORTUNITY, name)
	assert opportunity.opportunity_type == "Continual Improvement"
	assert opportunity.source == "Complaint or Feedback"
	assert opportunity.source_issue == issue.name
	assert opportunity.customer == portfolio.customer
	assert opportunity.priority == "High"
	assert "Invoices are always late" in opportunity.opportunity_title
	# and back: the Issue's connections and timeline show it
	assert found(get_open_count("Issue", issue.name), OPPORTUNITY) == 1
	assert any(name in c for c in info_comments("Issue", issue.name))
	# asking again returns the same opportunity
	assert create_improvement_opportunity("Issue", issue.name) == name
	assert frappe.db.count(OPPORTUNITY, {"source_issue": issue.name}) == 1


def test_an_hd_ticket_becomes_an_improvement_opportunity():
	portfolio, contact = world()
	ticket = make_hd_ticket(make_hd_customer(portfolio.customer), contact)
	name = create_improvement_opportunity("HD Ticket", ticket.name)
	opportunity = frappe.get_doc(OPPORTUNITY, name)
	assert opportunity.source_hd_ticket == str(ticket.name)
	assert opportunity.customer == portfolio.customer
	assert found(get_open_count("HD Ticket", ticket.name), OPPORTUNITY) == 1


def low_score_survey(customer, **kw):
	survey = make_survey(customer)
	for row, value in zip(
		survey.answers, [1, 2, 4, "No", "<img src=x onerror=alert(1)> {{ 7*7 }}"], strict=True
	):
		row.answer = value
	survey.status = "Responded"
	return survey.save(ignore_permissions=True)


def test_a_low_score_survey_becomes_an_improvement_opportunity_with_its_comments_escaped():
	portfolio, _contact = world()
	survey = low_score_survey(portfolio.customer)
	assert survey.needs_follow_up

	name = create_improvement_opportunity(SURVEY, survey.name)

	opportunity = frappe.get_doc(OPPORTUNITY, name)
	assert opportunity.source == "Survey"
	assert opportunity.source_survey == survey.name
	# stored harmlessly (frappe's sanitiser dropped the handler), shown escaped
	assert "&lt;img" in opportunity.business_impact
	assert "<img" not in opportunity.business_impact and "onerror" not in opportunity.business_impact
	# the answer's line keeps the template text unrendered (the rest of the text holds random names, in
	# which "49" may occur)
	answer_line = opportunity.business_impact.split("&lt;img", 1)[1].split("</li>", 1)[0]
	assert "{{ 7*7 }}" in answer_line and "49" not in answer_line
	assert found(get_open_count(SURVEY, survey.name), OPPORTUNITY) == 1


def test_a_survey_without_a_low_score_cannot_become_an_opportunity():
	portfolio, _contact = world()
	survey = make_survey(portfolio.customer)
	for row, value in zip(survey.answers, [5, 5, 10, "Yes", ""], strict=True):
		row.answer = value
	survey.status = "Responded"
	survey.save(ignore_permissions=True)
	with pytest.raises(ImprovementOpportunityError):
		create_improvement_opportunity(SURVEY, survey.name)


def test_only_tickets_and_surveys_can_become_opportunities():
	portfolio, _contact = world()
	with pytest.raises(ImprovementOpportunityError):
		create_improvement_opportunity("Customer", portfolio.customer)


def test_a_ticket_without_a_portfolio_customer_cannot_become_an_opportunity():
	_portfolio, contact = world()
	issue = make_issue(None, contact)
	with pytest.raises(ImprovementOpportunityError):
		create_improvement_opportunity("Issue", issue.name)


def test_the_action_needs_read_access_to_the_ticket():
	portfolio, contact = world()
	issue = make_issue(portfolio.customer, contact)
	outsider = make_user(f"{uid('outsider-')}@example.com", ("Blogger",))
	with as_user(outsider), pytest.raises(frappe.PermissionError):
		create_improvement_opportunity("Issue", issue.name)
	assert frappe.db.count(OPPORTUNITY, {"source_issue": issue.name}) == 0


def test_the_action_needs_permission_to_create_opportunities():
	portfolio, contact = world()
	issue = make_issue(portfolio.customer, contact)
	agent = make_user(f"{uid('agent-')}@example.com", ("Support Team",))
	with as_user(agent), pytest.raises(frappe.PermissionError):
		create_improvement_opportunity("Issue", issue.name)


def test_the_action_is_post_only():
	assert frappe.allowed_http_methods_for_whitelisted_func[create_improvement_opportunity] == ["POST"]
	assert actions.create_improvement_opportunity in frappe.whitelisted


# --- projects ------------------------------------------------------------------------------------------


def project_world(roles_and_flags):
	"""A portfolio with stakeholders [(role, receives_surveys)], a project and its opportunity."""
	portfolio = make_portfolio()
	contacts = []
	for role, receives in roles_and_flags:
		contact = make_contact(portfolio.customer)
		portfolio.append(
			"stakeholders", {"contact": contact.name, "stakeholder_role": role, "receives_surveys": receives}
		)
		contacts.append(contact)
	portfolio.save(ignore_permissions=True)
	project = make_project(company=frappe.defaults.get_global_default("company"))
	opportunity = make_opportunity(portfolio.customer)
	frappe.db.set_value(OPPORTUNITY, opportunity.name, "project", project.name)
	return portfolio, contacts, project


def complete(project):
	project.status = "Completed"
	project.save(ignore_permissions=True)


def test_a_completed_project_surveys_the_deciding_stakeholders():
	_portfolio, contacts, project = project_world(
		[("Decision Maker", 1), ("Sponsor", 1), ("Budget Holder", 0), ("Service User", 1)]
	)
	complete(project)

	surveys = surveys_of("Project", project.name)
	assert {s.contact for s in surveys} == {contacts[0].name, contacts[1].name}
	assert {s.trigger for s in surveys} == {"Project Delivered"}
	assert {
		frappe.db.get_value(
			"Satisfaction Survey Template", frappe.db.get_value(SURVEY, s.name, "template"), "trigger"
		)
		for s in surveys
	} == {"Project Delivered"}

	# reopening and completing again adds nobody
	project.reload()
	project.status = "Open"
	project.save(ignore_permissions=True)
	project.reload()
	complete(project)
	assert len(surveys_of("Project", project.name)) == 2


def test_without_deciders_every_stakeholder_who_receives_surveys_is_asked():
	_portfolio, contacts, project = project_world([("Key User", 1), ("Service User", 0)])
	complete(project)
	assert [s.contact for s in surveys_of("Project", project.name)] == [contacts[0].name]


def test_a_project_without_an_opportunity_is_skipped_with_a_reason():
	project = make_project(company=frappe.defaults.get_global_default("company"))
	complete(project)
	assert surveys_of("Project", project.name) == []
	assert "no Service Opportunity" in info_comments("Project", project.name)[0]


def test_a_project_completed_without_a_save_is_caught_by_the_hourly_sweep():
	_portfolio, contacts, project = project_world([("Decision Maker", 1)])
	# what ERPNext's task roll-up does: db_update, no hooks
	project.status = "Completed"
	project.db_update()
	assert surveys_of("Project", project.name) == []

	jobs.schedule_delivered_projects()
	assert [s.contact for s in surveys_of("Project", project.name)] == [contacts[0].name]
	jobs.schedule_delivered_projects()
	assert len(surveys_of("Project", project.name)) == 1


# --- dashboards ----------------------------------------------------------------------------------------


def test_the_customer_form_shows_its_brm_records():
	portfolio, _contact = world()
	survey = make_survey(portfolio.customer)
	counts = get_open_count("Customer", portfolio.customer)
	assert found(counts, "Customer Portfolio") == 1
	assert found(counts, SURVEY) == 1
	assert found(counts, OPPORTUNITY) == 0
	assert survey.name


def test_the_issue_and_project_forms_show_their_surveys():
	portfolio, contact = world()
	issue = make_issue(portfolio.customer, contact)
	issue.status = "Closed"
	issue.save(ignore_permissions=True)
	assert found(get_open_count("Issue", issue.name), SURVEY) == 1

	_portfolio, _contacts, project = project_world([("Decision Maker", 1)])
	complete(project)
	counts = get_open_count("Project", project.name)
	assert found(counts, SURVEY) == 1
	assert found(counts, OPPORTUNITY) == 1
	# another doctype's survey with the same reference name is not counted
	assert "Issue" in frappe.get_meta("Issue").get_dashboard_data()["dynamic_links"]["reference_name"]


def test_a_customer_without_brm_records_shows_zero():
	customer = make_customer()
	frappe.db.delete("Customer Portfolio", {"customer": customer.name})
	counts = get_open_count("Customer", customer.name)
	assert found(counts, SURVEY) == 0
