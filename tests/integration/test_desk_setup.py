"""Desk set-up of issue 8: list views (indicators, "My customers", "Pending my approval"), module
onboarding, print formats (rendered with frappe.get_print, every value escaped) and the shared form script.

The list settings are JavaScript: they are run in Node with a minimal stand-in for frappe's desk globals
(the role check and the session user), so the indicator and the default filter a relationship manager
gets are asserted as the desk would compute them."""

import json
import shutil
import subprocess
from pathlib import Path

import frappe
import pytest
from frappe.utils import add_days, nowdate

from brm_app.api import desk
from tests.support.factories import (
	make_agreement,
	make_business_case,
	make_contact,
	make_it_service,
	make_portfolio,
)
from tests.support.users import as_user, make_user
from tests.support.workflow import make_approver

APP = Path(__file__).resolve().parents[2] / "brm_app"
DOCTYPES = APP / "brm_app" / "doctype"
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>{{ 7*7 }}'
RM = "brm-desk-setup-rm@example.com"
LIST_FILES = {
	"Customer Portfolio": "customer_portfolio",
	"Customer Agreement": "customer_agreement",
	"Service Opportunity": "service_opportunity",
	"Business Case": "business_case",
	"Satisfaction Survey": "satisfaction_survey",
}

NODE_HARNESS = r"""
const vm = require("vm"), fs = require("fs");
const [roles, files, docs] = JSON.parse(process.argv[1]);
const ctx = { console };
ctx.__ = (text, args) => (args || []).reduce((s, a, i) => s.replace("{" + i + "}", a), text);
ctx.frappe = {
	provide(ns) { let o = ctx; for (const p of ns.split(".")) { o[p] = o[p] || {}; o = o[p]; } },
	listview_settings: {},
	session: { user: "rm@example.com" },
	user: { has_role: (role) => roles.includes(role) },
	ui: { form: { on() {} } },
};
vm.createContext(ctx);
for (const file of files) vm.runInContext(fs.readFileSync(file, "utf8"), ctx, { filename: file });
const out = {};
for (const [doctype, settings] of Object.entries(ctx.frappe.listview_settings)) {
	out[doctype] = {
		filters: settings.filters,
		has_onload: typeof settings.onload === "function",
		indicators: (docs[doctype] || []).map((doc) => settings.get_indicator(doc)),
	};
}
console.log(JSON.stringify(out));
"""


def run_list_settings(roles: list[str], docs: dict[str, list[dict]]) -> dict:
	node = shutil.which("node")
	if not node:
		pytest.skip("Node.js is not installed: the list settings (JavaScript) cannot be run")
	files = [str(APP / "public" / "js" / "brm_desk.js")] + [
		str(DOCTYPES / folder / f"{folder}_list.js") for folder in LIST_FILES.values()
	]
	result = subprocess.run(
		[node, "-e", NODE_HARNESS, json.dumps([roles, files, docs])],
		capture_output=True,
		text=True,
		timeout=60,
		check=True,
	)
	return json.loads(result.stdout)


SAMPLE_DOCS = {
	"Business Case": [
		{"workflow_state": "Pending Approval", "docstatus": 0},
		{"workflow_state": "Approved", "docstatus": 1},
	],
	"Customer Agreement": [{"status": "Expiring", "docstatus": 1}],
	"Customer Portfolio": [{"health_rag": "Red"}, {"relationship_status": "At Risk"}],
	"Service Opportunity": [{"status": "In Delivery"}],
	"Satisfaction Survey": [{"status": "Responded", "nps_category": "Detractor"}, {"status": "Sent"}],
}


def test_list_indicators_follow_status_and_workflow_state(site):
	lists = run_list_settings(["Business Relationship Manager"], SAMPLE_DOCS)
	assert set(LIST_FILES) <= set(lists)
	assert lists["Business Case"]["indicators"] == [
		["Pending Approval", "orange", "workflow_state,=,Pending Approval"],
		["Approved", "green", "workflow_state,=,Approved"],
	]
	assert lists["Customer Agreement"]["indicators"] == [["Expiring", "yellow", "status,=,Expiring"]]
	assert lists["Customer Portfolio"]["indicators"] == [
		["Health: Red", "red", "health_rag,=,Red"],
		["At Risk", "orange", "relationship_status,=,At Risk"],
	]
	assert lists["Service Opportunity"]["indicators"] == [["In Delivery", "yellow", "status,=,In Delivery"]]
	assert lists["Satisfaction Survey"]["indicators"][0][:2] == ["Responded: Detractor", "red"]
	assert lists["Satisfaction Survey"]["indicators"][1][:2] == ["Sent", "blue"]


def test_a_relationship_manager_starts_on_my_customers(site):
	lists = run_list_settings(["Business Relationship Manager"], {})
	for doctype in LIST_FILES:
		assert lists[doctype]["filters"] == [["relationship_manager", "=", "rm@example.com"]], doctype
		assert lists[doctype]["has_onload"], (
			doctype
		)  # adds the "My customers" / "Pending my approval" buttons


def test_process_managers_start_on_the_whole_list(site):
	for roles in (["BRM Process Manager"], ["Business Relationship Manager", "BRM Process Owner"]):
		lists = run_list_settings(roles, {})
		assert all(lists[doctype]["filters"] == [] for doctype in LIST_FILES), roles


def test_pending_my_approval_lists_the_states_each_role_approves(site):
	pm = make_approver("BRM Process Manager")
	po = make_approver("BRM Process Owner")
	make_user(RM, ("Business Relationship Manager",))
	with as_user(pm):
		assert desk.pending_approval_filters("Business Case") == [
			["workflow_state", "in", ["Pending Approval"]],
			["prepared_by", "!=", pm],
		]
		assert desk.pending_approval_filters("Customer Agreement") == [
			["workflow_state", "in", ["Pending Sign-off"]]
		]
	with as_user(po):
		assert desk.pending_approval_filters("Business Case")[0] == [
			"workflow_state",
			"in",
			["Pending Final Approval"],
		]
	with as_user(RM):
		assert desk.pending_approval_filters("Business Case") == []
		assert desk.pending_approval_filters("Customer Agreement") == []
		with pytest.raises(frappe.ValidationError):
			desk.pending_approval_filters("ToDo")
	assert frappe.allowed_http_methods_for_whitelisted_func[desk.pending_approval_filters] == ["POST"]


def test_module_onboarding_is_installed_with_its_steps(site):
	onboarding = frappe.get_doc("Module Onboarding", "Business Relationship Management")
	assert onboarding.module == "BRM App"
	assert {row.role for row in onboarding.allow_roles} >= {"Business Relationship Manager"}
	steps = [frappe.get_doc("Onboarding Step", row.step) for row in onboarding.steps]
	assert [step.title for step in steps] == [
		"Set up BRM Settings and survey templates",
		"Create a customer portfolio",
		"Add the customer's stakeholders",
		"Record a service opportunity",
		"Build a business case",
		"Open the BRM KPI scorecard",
	]
	# a first-time user meets it on the BRM workspace
	content = json.loads(frappe.db.get_value("Workspace", "Business Relationship Management", "content"))
	assert {"onboarding_name": "Business Relationship Management", "col": 12} in [
		block["data"] for block in content if block["type"] == "onboarding"
	]
	for step in steps:
		if step.action == "Create Entry":
			assert frappe.db.exists("DocType", step.reference_document), step.name
		else:
			assert step.action == "Go to Page" and step.path, step.name


def test_customer_agreement_print_escapes_every_value(site):
	service = make_it_service(service_name="Desk Print Service " + frappe.generate_hash(length=6))
	portfolio = make_portfolio()
	contact = make_contact(portfolio.customer, first_name="Desk Signer", designation=HOSTILE)
	agreement = make_agreement(
		portfolio.customer,
		agreement_title=HOSTILE,
		agreement_kind="External",
		start_date=add_days(nowdate(), -10),
		end_date=add_days(nowdate(), 300),
		customer_signatory=contact.name,
		provider_signatory="Administrator",
		services=[{"it_service": service.name, "availability_target": 99, "service_hours": HOSTILE}],
	)
	html = frappe.get_print("Customer Agreement", agreement.name, print_format="Customer Agreement")
	assert "<script>alert(2)" not in html and "<img src=x" not in html
	assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
	assert "{{ 7*7 }}" in html and ">49<" not in html
	assert service.name in html and agreement.name in html
	assert "Covered Services" in html and "For the Customer" in html


def test_customer_agreement_print_speaks_indonesian(site):
	portfolio = make_portfolio()
	agreement = make_agreement(portfolio.customer)
	frappe.local.lang = "id"
	try:
		html = frappe.get_print(
			"Customer Agreement", agreement.name, print_format="Customer Agreement", as_pdf=False
		)
	finally:
		frappe.local.lang = "en"
	assert "Perjanjian Pelanggan" in html and "Layanan yang Dicakup" in html


def test_business_case_sign_off_print_escapes_every_value(site):
	case = make_business_case(
		title=HOSTILE,
		requirements=[{"requirement": HOSTILE, "requirement_type": "Availability"}],
	)
	html = frappe.get_print("Business Case", case.name, print_format="Business Case Sign-off")
	assert "<script>alert(2)" not in html and "<img src=x" not in html
	assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
	assert "Business Case Sign-off" in html


def test_form_scripts_share_the_workflow_action_helper(site):
	"""The reason prompt of workflow actions lives once, in brm_desk.js (loaded by app_include_js)."""
	assert "/assets/brm_app/js/brm_desk.js" in frappe.get_hooks("app_include_js")
	for folder in ("business_case", "customer_agreement"):
		script = (DOCTYPES / folder / f"{folder}.js").read_text()
		assert "brm_app.desk.workflow_action(frm" in script
		assert 'method: "brm_app.approvals.api.apply_action"' not in script  # no copy of the call


def test_terminate_is_offered_only_to_process_managers_and_owners(site):
	script = (DOCTYPES / "customer_agreement" / "customer_agreement.js").read_text()
	terminate_block = script[script.index("only a BRM Process Manager / Owner may terminate") :]
	terminate_block = terminate_block[: terminate_block.index('__("Terminate")')]
	assert 'has_any_role(["BRM Process Manager", "BRM Process Owner"])' in terminate_block
