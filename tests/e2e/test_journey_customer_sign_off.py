"""Journey 3, in a real headless Chromium on the live server: the customer signs off a business case and
accepts what was delivered, from the e-mailed links, on a phone, in Indonesian (docs/sign-off.md).

A relationship manager opens a business case under review (two requirements, a named signatory: the
customer's decision maker) and takes "Send for Customer Sign-off" from the Actions menu. The decision maker
opens the e-mailed link on a phone-sized window in a browser set to English: the page speaks Indonesian
(the customer's language), they accept both requirements and get a receipt; the case is in Pending Approval
with the customer's names on its requirements. A BRM Process Manager approves it from the Actions menu and
makes the project ("Create Project"). The project is completed; the decision maker gets a second link, this
time to accept the delivery, and accepts it on the phone; the service opportunity is Delivered. Every step is
checked on the page and in the database; screenshots go to artifacts/e2e/customer_sign_off*/ (the ones in
docs/screenshots/ come from here).
"""

import re
import time

import frappe
import pytest
from selenium.webdriver.common.by import By

from tests.e2e.conftest import PASSWORD, forget_user_traces, make_login_user
from tests.e2e.test_journey_business_case import forget_records_of
from tests.support.browser import PHONE
from tests.support.factories import (
	make_business_case,
	make_contact,
	make_customer,
	make_email_account,
	make_opportunity,
	make_portfolio,
	mute_mail,
	uid,
)
from tests.support.sign_off_links import link_of
from tests.support.users import as_user
from tests.support.workflow import act, make_ready

CASE = "Business Case"
SIGN_OFF = "Customer Sign-off"
REQUIREMENTS = (
	("Pemindai gudang masuk dengan SSO", "Security", "Must", "Login SSO berhasil di 10 pemindai"),
	("Pemindai tersedia 06:00-22:00 hari kerja", "Availability", "Should", "Ketersediaan 99% selama sebulan"),
)


@pytest.fixture(scope="module")
def world(site, committed):
	"""A relationship manager, a BRM Process Manager, an Indonesian customer whose decision maker signs off,
	and a business case under review naming them; all committed for the live server."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	mute_mail(account=False)  # e-mails are queued, never sent: the test reads the links from the queue
	committed.add("Email Account", make_email_account().name)
	rm = make_login_user(committed, "e2e-so-rm-", ("Business Relationship Manager", "Sales User"), "Rina")
	pm = make_login_user(committed, "e2e-so-pm-", ("BRM Process Manager", "Projects User"), "Arif")
	customer = make_customer(uid("PT Sentosa Gudang "), account_manager=rm)
	committed.add("Customer", customer.name)
	frappe.db.set_value("Customer", customer.name, "language", "id")
	make_portfolio(customer.name, relationship_manager=rm)
	contact = make_contact(customer.name, first_name="Dewi", last_name="Santoso")
	committed.add("Contact", contact.name)
	portfolio = frappe.get_doc("Customer Portfolio", customer.name)
	portfolio.append(
		"stakeholders",
		{"contact": contact.name, "stakeholder_role": "Decision Maker", "signs_off_requirements": 1},
	)
	portfolio.save(ignore_permissions=True)
	with as_user(rm):
		opportunity = make_opportunity(customer.name, opportunity_title=uid("Pemindai gudang "))
		case = make_business_case(
			customer.name,
			title="Pemindai gudang dengan SSO",
			service_opportunity=opportunity.name,
			requirements=[
				{"requirement": r, "requirement_type": t, "moscow_priority": p, "acceptance_criteria": c}
				for r, t, p, c in REQUIREMENTS
			],
			signatories=[{"contact": contact.name}],
		)
		make_ready(case)
	act(case, "Submit for Review", rm)
	committed.commit()
	yield frappe._dict(
		rm=rm,
		pm=pm,
		customer=customer.name,
		contact=contact.name,
		case=case.name,
		opportunity=opportunity.name,
	)
	frappe.db.rollback()
	frappe.set_user("Administrator")
	forget_records_of(committed, customer.name)
	forget_user_traces([rm, pm])
	frappe.db.commit()  # nosemgrep: the clean-up of what the journey committed


def stored(doctype: str, name: str):
	frappe.db.rollback()  # see what the live server committed
	return frappe.get_doc(doctype, name)


def sign_offs(case: str, purpose: str) -> list:
	frappe.db.rollback()
	return frappe.get_all(
		SIGN_OFF,
		{"business_case": case, "purpose": purpose},
		["name", "status", "language"],
		order_by="creation",
	)


def sign_on_the_phone(phone, link: str, shot: str) -> None:
	"""The signatory opens their link on the phone, accepts every requirement and sends."""
	phone.get(re.sub(r"^https?://[^/]+", "", link))
	form = phone.visible("#brm-sign-off-form")
	assert phone.js("return document.querySelector('.brm-signoff').lang") == "id"
	text = form.text
	assert "Setujui" in text and "Tolak" in text and "Kirim" in text  # Accept / Reject / Send
	assert all(r[0] in phone.js("return document.body.innerText") for r in REQUIREMENTS)
	assert phone.js("return document.documentElement.scrollWidth") <= PHONE[0]
	phone.shot(f"{shot}_open")
	for fieldset in phone.driver.find_elements(By.CSS_SELECTOR, "fieldset.brm-req"):
		phone.click(fieldset.find_element(By.CSS_SELECTOR, "input[value=Accepted] + span"))
	phone.click(phone.visible("#brm-sign-off-form button[type=submit]"))
	receipt = phone.visible("#brm-sign-off-receipt")
	assert "Anda menyetujui setiap persyaratan." in receipt.text
	phone.shot(f"{shot}_receipt")


def test_the_customer_signs_off_approves_runs_and_accepts(site, server, open_browser, world):
	started = time.monotonic()
	desk = open_browser("customer_sign_off_desk")
	phone = open_browser("customer_sign_off_phone", size=PHONE, lang="en", desk=False)

	# 1. the relationship manager sends the case for the customer's sign-off (Actions menu)
	desk.login(world.rm, PASSWORD)
	desk.open_form(CASE, world.case)
	assert "Send for Customer Sign-off" in desk.workflow_actions()
	desk.workflow_action("Send for Customer Sign-off")
	desk.until(lambda d: d.execute_script("return cur_frm.doc.workflow_state") == "Customer Sign-off")
	desk.idle()
	desk.shot("case_sent_for_customer_sign_off")
	(request,) = sign_offs(world.case, "Requirements")
	assert (request.status, request.language) == ("Requested", "id")

	# 2. the decision maker signs on a phone, in Indonesian, from the e-mailed link
	sign_on_the_phone(phone, link_of(request.name), "requirements")
	case = stored(CASE, world.case)
	assert case.workflow_state == "Pending Approval"
	assert [row.signed_off_by for row in case.requirements] == ["Dewi Santoso", "Dewi Santoso"]
	assert [row.sign_off_evidence for row in case.requirements] == [request.name, request.name]
	assert case.customer_signed_off_on and case.customer_sign_off_days >= 0
	record = stored(SIGN_OFF, request.name)
	assert (record.status, record.channel, record.decided_by) == ("Accepted", "E-mail Link", None)
	assert [d.decision for d in record.decisions] == ["Accepted", "Accepted"]

	# 3. the BRM Process Manager approves from the Actions menu and makes the project
	desk.login(world.pm, PASSWORD)
	desk.open_form(CASE, world.case)
	desk.workflow_action("Approve")
	desk.until(lambda d: d.execute_script("return cur_frm.doc.workflow_state") == "Approved")
	desk.wait_form(CASE, world.case)
	desk.until(lambda d: desk.has_button("Create Project"), message="no Create Project button")
	desk.shot("case_approved")
	desk.click_button("Create Project")
	desk.until(
		lambda d: d.execute_script("return window.cur_frm && cur_frm.doctype") == "Project",
		message="Create Project did not open the project",
	)
	project = desk.doc()["name"]
	desk.wait_form("Project", project)
	assert stored("Service Opportunity", world.opportunity).status == "Approved"

	# 4. the project runs to its end: its tasks (one per requirement) are completed
	frappe.db.rollback()
	with as_user(world.pm):
		for task in frappe.get_all("Task", {"project": project}, pluck="name"):
			doc = frappe.get_doc("Task", task)
			doc.status = "Completed"
			doc.save()
	frappe.db.commit()  # nosemgrep: the live server reads the completed project
	desk.reload_form("Project", project)
	desk.until(lambda d: d.execute_script("return cur_frm.doc.status") == "Completed")
	desk.shot("project_completed")
	assert stored("Service Opportunity", world.opportunity).status == "Awaiting Acceptance"
	(acceptance,) = sign_offs(world.case, "Acceptance")
	assert acceptance.status == "Requested"

	# 5. the decision maker accepts the delivery on the phone
	sign_on_the_phone(phone, link_of(acceptance.name), "acceptance")
	assert stored(SIGN_OFF, acceptance.name).status == "Accepted"

	# 6. the opportunity is Delivered
	desk.login(world.rm, PASSWORD)
	desk.open_form("Service Opportunity", world.opportunity)
	desk.until(lambda d: d.execute_script("return cur_frm.doc.status") == "Delivered")
	desk.shot("opportunity_delivered")
	case = stored(CASE, world.case)
	assert [row.accepted_by for row in case.requirements] == ["Dewi Santoso", "Dewi Santoso"]
	assert all(row.accepted_on for row in case.requirements)
	print(f"\ncustomer sign-off journey: {time.monotonic() - started:.1f} s")
