"""Journey 1, in a real headless Chromium on the live server: from a customer's portfolio to the project
that delivers an approved business case.

A relationship manager logs in, opens the Customer Portfolio of a customer they manage with two
stakeholders (one marked Signs Off Requirements), adds a Service Opportunity from the portfolio ("New
Opportunity"), makes its Business Case ("Create Business Case") with two requirements, the customer's
signatory, costs and benefits per year, discount rate and horizon, requests funding and moves the case
through "Submit for Review" and "Send for Customer Sign-off" (the workflow's Actions menu); the form offers
no way to sign a requirement off. The customer's signatory accepts every requirement (the sign-off service,
as their e-mailed link would: tests.support.workflow.customer_signs) and the case is in Pending Approval. A
BRM Process Manager logs in, approves the case from the Actions menu and clicks "Create Project": the
Project shows one task per requirement. Every step is checked on the page and in the database; screenshots go to
artifacts/e2e/business_case/.

Workflow Action e-mails attach a print of the case, as a PDF (Print Settings "Send Print as PDF", on by
default; scripts/dev installs wkhtmltopdf). The live server queues those e-mails as background jobs and no
worker runs in the tests: the test runs the approver's job itself and checks the e-mail that comes out, its
PDF's text, and that no e-mail job failed (Error Log).
"""

import email
import time

import frappe
import pytest

from tests.e2e.conftest import PASSWORD, forget_user_traces, make_login_user, site_jobs
from tests.support.browser import wait_for_condition
from tests.support.factories import make_contact, make_customer, make_email_account, mute_mail, uid
from tests.support.pdf import pdf_text
from tests.support.workflow import customer_signs, open_sign_offs

CASE = "Business Case"
REQUIREMENTS = (
	("Single sign-on for the warehouse scanners", "Security", "Must"),
	("Scanner fleet available 06:00-22:00 on working days", "Availability", "Should"),
)
# (description, Capex/Opex, year, amount): the total (60,000,000) stays below BRM Settings' two-level
# approval threshold, so one approval (the BRM Process Manager's) is final
COSTS = (
	("Scanner licences and set-up", "Capex", "0", "45000000"),
	("Support contract", "Opex", "1", "15000000"),
)
BENEFITS = (
	("Fewer picking errors", "Cost Saving", "1", "30000000"),
	("Fewer picking errors", "Cost Saving", "2", "35000000"),
	("Faster dispatch", "Productivity", "3", "20000000"),
)
TOTAL_COST = 60_000_000


@pytest.fixture(scope="module")
def world(site, committed):
	"""A relationship manager who is the customer's account manager, the customer's two contacts, and a
	BRM Process Manager who may create projects; all committed for the live server."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	# the approver's Workflow Action e-mail attaches the case's print as a PDF (wkhtmltopdf)
	assert frappe.db.get_single_value("Print Settings", "send_print_as_pdf") == 1
	threshold = frappe.db.get_single_value("BRM Settings", "two_level_approval_threshold")
	assert not threshold or threshold > TOTAL_COST, "the journey expects one approval level"

	# Sales User / Projects User: the ERPNext roles such users have in practice (the relationship manager
	# picks customers and contacts; the approver's Create Project makes a Project and Tasks)
	rm = make_login_user(committed, "e2e-rm-", ("Business Relationship Manager", "Sales User"), "Rina")
	approver = make_login_user(committed, "e2e-approver-", ("BRM Process Manager", "Projects User"), "Arif")
	# a customer without a portfolio yet (BRM Settings would make an empty one on insert): the relationship
	# manager opens it in the journey
	auto_portfolio = frappe.db.get_single_value("BRM Settings", "auto_create_portfolio")
	frappe.db.set_single_value("BRM Settings", "auto_create_portfolio", 0)
	frappe.clear_document_cache("BRM Settings", "BRM Settings")
	customer = make_customer(uid("PT Nusantara Logistik "), account_manager=rm)
	frappe.db.set_single_value("BRM Settings", "auto_create_portfolio", auto_portfolio)
	frappe.clear_document_cache("BRM Settings", "BRM Settings")
	assert not frappe.db.exists("Customer Portfolio", customer.name)
	committed.add("Customer", customer.name)
	contacts = [
		make_contact(customer.name, first_name="Dewi", last_name="Santoso"),
		make_contact(customer.name, first_name="Budi", last_name="Hartono"),
	]
	for contact in contacts:
		committed.add("Contact", contact.name)
	# the signatory's request is e-mailed (queued; no worker sends it): the site needs an outgoing account
	committed.add("Email Account", make_email_account().name)
	committed.commit()
	yield frappe._dict(
		rm=rm,
		approver=approver,
		customer=customer.name,
		contacts=[c.name for c in contacts],
	)

	frappe.db.rollback()
	forget_records_of(committed, customer.name)
	forget_user_traces([rm, approver])
	frappe.db.commit()  # nosemgrep: Committed.cleanup() then deletes the records


def forget_records_of(committed, customer: str) -> None:
	"""Register what the journey made in the browser for deletion: the project and its tasks, the
	(submitted) case and its workflow actions, the opportunity and the portfolio."""
	for project in frappe.get_all("Project", {"customer": customer}, pluck="name"):
		for task in frappe.get_all("Task", {"project": project}, pluck="name"):
			committed.add("Task", task)
		committed.add_related("Project", project)
		committed.add("Project", project)
	for case in frappe.get_all(CASE, {"customer": customer}, pluck="name"):
		for action in frappe.get_all("Workflow Action", {"reference_name": case}, pluck="name"):
			committed.add("Workflow Action", action)
		# the customer's sign-off records: their controller refuses a deletion, so they go directly
		for sign_off in frappe.get_all("Customer Sign-off", {"business_case": case}, pluck="name"):
			committed.add_related("Customer Sign-off", sign_off)
			frappe.db.delete("Customer Sign-off Decision", {"parent": sign_off})
			frappe.db.delete("Customer Sign-off", sign_off)
		committed.add_related(CASE, case)
		# a submitted record cannot be deleted: mark it cancelled first (only for the clean-up)
		frappe.db.set_value(CASE, case, "docstatus", 2, update_modified=False)
		committed.add(CASE, case)
	for opportunity in frappe.get_all("Service Opportunity", {"customer": customer}, pluck="name"):
		committed.add_related("Service Opportunity", opportunity)
		committed.add("Service Opportunity", opportunity)
	if frappe.db.exists("Customer Portfolio", customer):
		committed.add_related("Customer Portfolio", customer)
		committed.add("Customer Portfolio", customer)


def tick_in_row_form(desk, table: str, idx: int, fieldname: str) -> None:
	"""Open row `idx` of a grid in its form (the row's edit button), tick the check box, close it."""
	desk.js(
		"cur_frm.fields_dict[arguments[0]].grid.grid_rows[arguments[1] - 1].toggle_view(true)", table, idx
	)
	box = desk.until(
		lambda d: d.execute_script(
			"""
			const form = cur_frm.fields_dict[arguments[0]].grid.grid_rows[arguments[1] - 1].grid_form;
			const input = form && form.fields_dict[arguments[2]] && form.fields_dict[arguments[2]].$input;
			return input && $(input).is(':visible') ? input.get(0) : null;
			""",
			table,
			idx,
			fieldname,
		),
		message=f"{table} row {idx}: no check box {fieldname}",
	)
	time.sleep(0.5)  # let the slide end: the box must be where the click lands
	desk.click(box)
	desk.until(
		lambda d: (
			d.execute_script(
				"return cur_frm.doc[arguments[0]][arguments[1] - 1][arguments[2]]", table, idx, fieldname
			)
			== 1
		),
		message=f"{table} row {idx}: {fieldname} not ticked",
	)
	desk.js(
		"cur_frm.fields_dict[arguments[0]].grid.grid_rows[arguments[1] - 1].toggle_view(false)", table, idx
	)
	desk.idle()


def stored(doctype: str, name: str):
	frappe.db.rollback()  # see what the server committed
	return frappe.get_doc(doctype, name)


def test_relationship_manager_to_approved_case_to_project(site, server, open_browser, world):
	desk = open_browser("business_case")

	# 1. the relationship manager logs in
	desk.login(world.rm, PASSWORD)
	desk.shot("desk_after_login")

	# 2. a portfolio for their customer, with two stakeholders
	desk.open_form("Customer Portfolio")
	desk.fill("customer", world.customer)
	desk.fill("strategic_importance", "Strategic")
	desk.tab("tab_stakeholders")
	for contact, role in zip(world.contacts, ("Decision Maker", "Sponsor"), strict=True):
		row = desk.add_row("stakeholders")
		desk.fill_row(
			"stakeholders",
			row,
			{"contact": contact, "stakeholder_role": role, "influence": "High", "interest": "High"},
		)
	# the decision maker signs off the requirements for the customer (a column the grid has no room for:
	# ticked in the row's own form)
	tick_in_row_form(desk, "stakeholders", 1, "signs_off_requirements")
	desk.shot("portfolio_stakeholders")
	desk.save()
	desk.wait_form("Customer Portfolio", world.customer)
	desk.shot("portfolio_saved")
	portfolio = stored("Customer Portfolio", world.customer)
	assert portfolio.relationship_manager == world.rm  # the customer's account manager
	assert [(s.contact, s.stakeholder_role, s.signs_off_requirements) for s in portfolio.stakeholders] == [
		(world.contacts[0], "Decision Maker", 1),
		(world.contacts[1], "Sponsor", 0),
	]

	# 3. New Opportunity from the portfolio
	desk.click_button("New Opportunity")
	desk.wait_form("Service Opportunity")
	assert desk.doc()["customer"] == world.customer
	desk.fill("opportunity_title", "Handheld scanners for the Surabaya warehouse")
	desk.fill("opportunity_type", "New Service")
	desk.fill("priority", "High")
	desk.save()
	opportunity = desk.doc()["name"]
	desk.shot("opportunity_saved")
	stored_opportunity = stored("Service Opportunity", opportunity)
	assert (stored_opportunity.portfolio, stored_opportunity.relationship_manager) == (
		world.customer,
		world.rm,
	)

	# 4. Create Business Case from the opportunity
	desk.click_button("Create Business Case")
	desk.wait_form(CASE)
	doc = desk.doc()
	assert (doc["service_opportunity"], doc["customer"]) == (opportunity, world.customer)
	assert doc["title"] == "Handheld scanners for the Surabaya warehouse"
	desk.fill("funding_status", "Requested")
	desk.tab("tab_requirements")
	for requirement, kind, priority in REQUIREMENTS:
		row = desk.add_row("requirements")
		desk.fill_row(
			"requirements",
			row,
			{"requirement": requirement, "requirement_type": kind, "moscow_priority": priority},
		)
	# the customer's signatory: the stakeholder marked Signs Off Requirements
	row = desk.add_row("signatories")
	desk.fill_row("signatories", row, {"contact": world.contacts[0]})
	desk.shot("case_requirements")
	desk.tab("tab_finance")
	desk.fill("discount_rate", "8")
	desk.fill("horizon_years", "3")
	for description, kind, year, amount in COSTS:
		row = desk.add_row("costs")
		desk.fill_row(
			"costs", row, {"description": description, "cost_type": kind, "year": year, "amount": amount}
		)
	for description, kind, year, amount in BENEFITS:
		row = desk.add_row("benefits")
		desk.fill_row(
			"benefits",
			row,
			{"description": description, "benefit_type": kind, "year": year, "amount": amount},
		)
	desk.save()
	case_name = desk.doc()["name"]
	desk.wait_form(CASE, case_name)
	desk.shot("case_saved_with_finance")
	case = stored(CASE, case_name)
	assert case.workflow_state == "Draft" and case.prepared_by == world.rm
	assert (case.total_cost, case.total_benefit) == (TOTAL_COST, 85_000_000)
	assert case.npv > 0 and case.portfolio == world.customer
	assert [row.requirement for row in case.requirements] == [r[0] for r in REQUIREMENTS]
	headline = desk.form_message()
	assert "NPV" in headline and "Payback" in headline
	desk.tab("tab_finance")
	assert desk.js("return cur_frm.doc.costs.length + cur_frm.doc.benefits.length") == 5
	desk.shot("case_finance")

	# 5. nobody at the provider signs a requirement off: the form has no such button
	assert not desk.has_button("Sign Off Requirement")
	assert [row.contact for row in case.signatories] == [world.contacts[0]]
	signatory = case.signatories[0].full_name
	assert signatory == "Dewi Santoso"
	assert [row.signed_off_by for row in case.requirements] == [None, None]

	# 6. Submit for Review, then Send for Customer Sign-off (Actions menu)
	assert "Submit for Review" in desk.workflow_actions()
	desk.workflow_action("Submit for Review")
	desk.until(lambda d: d.execute_script("return cur_frm.doc.workflow_state") == "Under Review")
	desk.idle()
	assert stored(CASE, case_name).workflow_state == "Under Review"
	desk.workflow_action("Send for Customer Sign-off")
	desk.until(lambda d: d.execute_script("return cur_frm.doc.workflow_state") == "Customer Sign-off")
	desk.idle()
	intro = desk.form_message()
	assert "Waiting for the customer's sign-off: 0 of 1 signatories accepted" in intro
	indicators = desk.js(
		"return cur_frm.dashboard.stats_area_row.find('.indicator').map((i, e) => $(e).text().trim()).get()"
	)
	assert f"{signatory}: Requested" in indicators
	desk.shot("case_customer_sign_off")
	case = stored(CASE, case_name)
	(sign_off,) = open_sign_offs(case)
	assert frappe.db.get_value("Customer Sign-off", sign_off, ["signatory_contact", "channel"]) == (
		world.contacts[0],
		"E-mail Link",
	)

	# 7. the customer's signatory accepts every requirement (what their link's page does)
	mute_mail(account=False)  # the module's outgoing account queues; nothing is sent
	# the approvers' e-mail (made on this step) prints the case as a PDF with the live server's stylesheet
	frappe.local.conf.host_name = server.url
	customer_signs(case)
	frappe.db.commit()  # nosemgrep: the live server reads the customer's committed decision
	desk.js("cur_frm.reload_doc()")
	desk.until(lambda d: d.execute_script("return cur_frm.doc.workflow_state") == "Pending Approval")
	desk.idle()
	desk.tab("tab_requirements")
	desk.shot("case_pending_approval")
	intro = desk.form_message()
	assert "Awaiting approval" in intro
	case = stored(CASE, case_name)
	assert (case.workflow_state, case.approval_levels) == ("Pending Approval", 1)
	assert case.submitted_for_approval_on and case.customer_signed_off_on
	assert [row.signed_off_by for row in case.requirements] == [signatory, signatory]
	assert [row.sign_off_evidence for row in case.requirements] == [sign_off, sign_off]

	# the approver's queue: an open Workflow Action for the process managers, and its e-mail
	assert frappe.db.exists(
		"Workflow Action",
		{"reference_name": case_name, "status": "Open", "workflow_state": "Pending Approval"},
	)
	assert_approver_mail(site, server, case_name, world.approver)

	# 8. the BRM Process Manager logs in and approves from the Actions menu
	desk.login(world.approver, PASSWORD)
	desk.open_form(CASE, case_name)
	assert "Approve" in desk.workflow_actions()
	desk.shot("approver_opens_case")
	desk.workflow_action("Approve")
	desk.until(lambda d: d.execute_script("return cur_frm.doc.workflow_state") == "Approved")
	desk.wait_form(CASE, case_name)
	desk.until(lambda d: desk.has_button("Create Project"), message="no Create Project button")
	desk.shot("case_approved")
	case = stored(CASE, case_name)
	assert (case.workflow_state, case.docstatus, case.decision) == ("Approved", 1, "Approved")
	assert case.approver == world.approver
	assert [(log.action, log.state_from, log.state_to) for log in case.approval_log] == [
		("Submit for Review", "Draft", "Under Review"),
		("Send for Customer Sign-off", "Under Review", "Customer Sign-off"),
		("Customer Accepted", "Customer Sign-off", "Pending Approval"),
		("Approve", "Pending Approval", "Approved"),
	]
	assert [log.user for log in case.approval_log if log.action != "Customer Accepted"] == [
		world.rm,
		world.rm,
		world.approver,
	]

	# 9. Create Project: the project page lists one task per requirement
	desk.click_button("Create Project")
	desk.until(
		lambda d: d.execute_script("return window.cur_frm && cur_frm.doctype") == "Project",
		message="Create Project did not open the project",
	)
	project = desk.doc()["name"]
	desk.wait_form("Project", project)
	# the project's connections count its tasks
	task_count = (
		"$(cur_frm.page.wrapper).find('.document-link[data-doctype=\"Task\"] .count')"
		".filter(':visible').first().text().trim()"
	)
	desk.until(lambda d: d.execute_script(f"return {task_count}") == "2", message="the project's task count")
	desk.js("$(cur_frm.page.wrapper).find('.form-links').get(0).scrollIntoView({block: 'center'})")
	desk.shot("project_created")
	frappe.db.rollback()
	tasks = frappe.get_all("Task", {"project": project}, ["name", "subject"], order_by="creation asc")
	assert [t.subject for t in tasks] == [r[0] for r in REQUIREMENTS]
	assert frappe.db.get_value("Project", project, "brm_business_case") == case_name
	assert frappe.db.get_value("Service Opportunity", opportunity, "project") == project
	case = stored(CASE, case_name)
	assert [row.task for row in case.requirements] == [t.name for t in tasks]
	# the project page's dashboard links to its tasks; the task list shows the two
	desk.get(f"/app/task?project={project}")
	desk.until(
		lambda d: d.execute_script(
			"return window.cur_list && cur_list.doctype === 'Task' && cur_list.data"
			" && cur_list.data.length === 2"
		),
		message="the task list of the project",
	)
	desk.idle()
	listed = desk.js("return cur_list.data.map((row) => row.subject)")
	assert sorted(listed) == sorted(r[0] for r in REQUIREMENTS)
	desk.shot("project_tasks")


def assert_approver_mail(site: str, server, case_name: str, approver: str) -> None:
	"""The Workflow Action e-mail to the process managers: the live server queued it as a background job;
	run that job here as a worker would (no worker runs in the tests) and read the queued e-mail. Its PDF
	loads the print's stylesheet from the site's URL (its host name outside a request): the live server."""
	frappe.db.rollback()
	frappe.local.conf.host_name = server.url
	failed_mail = {"method": ["like", "%workflow%action%"]}
	errors_before = set(frappe.get_all("Error Log", failed_mail, pluck="name"))
	mute_mail()  # an outgoing account in this transaction; nothing is sent
	ran = False
	for job in site_jobs(site):
		name = job.kwargs.get("job_name") or ""
		if name.endswith("send_workflow_action_email"):
			arguments = job.kwargs["kwargs"]
			if arguments["doc"].name != case_name:
				continue
			method = job.kwargs["method"]
			method = frappe.get_attr(method) if isinstance(method, str) else method
			method(**arguments)
			ran = True
	assert ran or frappe.db.exists("Email Queue", {"reference_name": case_name}), "no workflow e-mail job"
	mails = wait_for_condition(
		lambda: frappe.get_all(
			"Email Queue",
			{"reference_doctype": CASE, "reference_name": case_name},
			["name", "message"],
		),
		what="the approver's e-mail",
	)
	recipients = frappe.get_all(
		"Email Queue Recipient", {"parent": ("in", [m.name for m in mails])}, pluck="recipient"
	)
	assert approver in recipients
	message = email.message_from_string(mails[-1].message)
	attachments = [part for part in message.walk() if part.get_filename()]
	# the print of the case as a PDF (wkhtmltopdf), and no failed e-mail job in the Error Log
	assert [part.get_filename() for part in attachments] == [f"{case_name}.pdf"]
	text = pdf_text(attachments[0].get_payload(decode=True))
	assert "Business Case Sign-off" in text and case_name in text
	assert set(frappe.get_all("Error Log", failed_mail, pluck="name")) == errors_before
	frappe.db.rollback()
