"""The Business Case approval buttons in a real headless Chromium (Debian's chromium + chromium-driver,
via selenium; nothing is downloaded), on a real frappe server on loopback: the form's workflow actions go
through brm_app.approvals.api.apply_action, Reject asks for the reason, Approve submits the case.
Screenshots go to artifacts/ (git-ignored).

The server only sees committed data: the module commits what it makes and deletes it at the end."""

import os
import shutil
from pathlib import Path

import frappe
import pytest
import requests
from frappe.utils.password import update_password
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.factories import make_business_case, make_email_account, make_portfolio, mute_mail, uid
from tests.support.live_server import Committed, LiveServer
from tests.support.users import as_user, make_user
from tests.support.workflow import set_threshold, to_pending_approval

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PASSWORD = "Brm-h6-" + "e2e-Passw0rd!"
CASE_CHILD_TABLES = (
	"Business Case Requirement",
	"Business Case Cost",
	"Business Case Benefit",
	"BRM Approval Log",
)


@pytest.fixture(scope="module")
def committed(site):
	tracker = Committed()
	cases = []
	yield tracker, cases
	frappe.db.rollback()
	for name in cases:  # submitted cases cannot go through delete_doc
		actions = frappe.get_all("Workflow Action", {"reference_name": name}, pluck="name")
		if actions:
			frappe.db.delete("Workflow Action Permitted Role", {"parent": ("in", actions)})
			frappe.db.delete("Workflow Action", {"name": ("in", actions)})
		for child in CASE_CHILD_TABLES:
			frappe.db.delete(child, {"parenttype": "Business Case", "parent": name})
		tracker.add_related("Business Case", name)
		frappe.db.delete("Version", {"ref_doctype": "Business Case", "docname": name})
		frappe.db.delete("Business Case", name)
	frappe.db.commit()  # nosemgrep: removes the cases this module committed (cleanup() starts with a rollback)
	tracker.cleanup()


@pytest.fixture(scope="module")
def server(site, committed):
	live = LiveServer(site).start()
	yield live
	live.stop()


@pytest.fixture(scope="module")
def browser():
	os.environ.setdefault("SE_OFFLINE", "true")
	options = webdriver.ChromeOptions()
	options.binary_location = CHROMIUM
	for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1400,1000"):
		options.add_argument(flag)
	driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
	driver.set_page_load_timeout(90)
	yield driver
	driver.quit()


@pytest.fixture(scope="module")
def world(site, committed):
	"""Two cases awaiting approval, prepared by a relationship manager; a process manager who can log in."""
	tracker, cases = committed
	frappe.db.rollback()
	frappe.set_user("Administrator")
	mute_mail(account=False)
	tracker.add("Email Account", make_email_account().name)
	set_threshold(10**12)
	preparer = tracker.add(
		"User", make_user(f"{uid('h6-e2e-rm-')}@example.com", ("Business Relationship Manager",))
	)
	manager = tracker.add("User", make_user(f"{uid('h6-e2e-pm-')}@example.com", ("BRM Process Manager",)))
	update_password(manager, PASSWORD)
	portfolio = make_portfolio(relationship_manager=preparer)
	tracker.add("Customer", portfolio.customer)
	tracker.add("Customer Portfolio", portfolio.name)
	names = []
	for title in ("Reject me", "Approve me"):
		with as_user(preparer):
			case = make_business_case(customer=portfolio.customer, title=title)
		cases.append(case.name)
		to_pending_approval(case, preparer)
		names.append(case.name)
	tracker.commit()
	yield frappe._dict(manager=manager, to_reject=names[0], to_approve=names[1])
	frappe.db.rollback()


def login(browser, server, user):
	session = requests.post(f"{server.url}/api/method/login", data={"usr": user, "pwd": PASSWORD}, timeout=30)
	assert session.status_code == 200, session.text
	browser.get(server.url + "/login")
	browser.delete_all_cookies()
	browser.add_cookie({"name": "sid", "value": session.cookies["sid"], "path": "/"})


def open_case(browser, server, name):
	browser.get(f"{server.url}/app/business-case/{name}")
	wait = WebDriverWait(browser, 60)
	wait.until(lambda d: d.execute_script("return window.cur_frm && cur_frm.doc && cur_frm.doc.name") == name)
	return wait


def click_action(browser, wait, action):
	wait.until(
		expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, ".actions-btn-group > button"))
	).click()
	item = wait.until(
		expected_conditions.element_to_be_clickable(
			(By.XPATH, f"//ul[contains(@class,'dropdown-menu')]//a[normalize-space(.)='{action}']")
		)
	)
	item.click()


def stored(name):
	frappe.db.rollback()  # see what the server committed
	return frappe.db.get_value(
		"Business Case", name, ["workflow_state", "docstatus", "decision_notes", "approver"], as_dict=True
	)


def test_reject_asks_for_the_reason_and_approve_submits(server, browser, world):
	ARTIFACTS.mkdir(exist_ok=True)
	login(browser, server, world.manager)

	wait = open_case(browser, server, world.to_reject)
	click_action(browser, wait, "Reject")
	reason = wait.until(
		expected_conditions.visibility_of_element_located(
			(By.CSS_SELECTOR, ".modal.show textarea[data-fieldname='comment']")
		)
	)
	reason.send_keys("Benefits are <b>not</b> proven")
	browser.save_screenshot(str(ARTIFACTS / "business_case_reject_reason.png"))
	browser.find_element(By.CSS_SELECTOR, ".modal.show .btn-primary").click()
	wait.until(lambda d: d.execute_script("return cur_frm.doc.workflow_state") == "Rejected")
	case = stored(world.to_reject)
	assert (case.workflow_state, case.docstatus) == ("Rejected", 1)
	assert case.decision_notes == "Benefits are <b>not</b> proven"

	wait = open_case(browser, server, world.to_approve)
	click_action(browser, wait, "Approve")
	wait.until(lambda d: d.execute_script("return cur_frm.doc.docstatus") == 1)
	browser.save_screenshot(str(ARTIFACTS / "business_case_approved.png"))
	case = stored(world.to_approve)
	assert (case.workflow_state, case.docstatus, case.approver) == ("Approved", 1, world.manager)
