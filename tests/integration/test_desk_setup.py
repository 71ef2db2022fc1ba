"""Desk set-up of issue 8: list views (indicators, "My customers", "Pending my approval"), module
onboarding, print formats (rendered with frappe.get_print, every value escaped) and the shared form script.

The list settings are JavaScript: they are run in Node with a minimal stand-in for frappe's desk globals
(the role check, the session user and what brm_app adds to frappe.boot), so the indicator and the default filter a relationship manager
gets are asserted as the desk would compute them."""

import json
import shutil
import subprocess
from pathlib import Path

import frappe
import pytest
from frappe.utils import add_days, nowdate

from brm_app.api import approvals, boot
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
	"Service Review": "service_review",
}

NODE_HARNESS = r"""
const vm = require("vm"), fs = require("fs");
const [roles, files, docs, boot] = JSON.parse(process.argv[1]);
const ctx = { console };
ctx.__ = (text, args) => (args || []).reduce((s, a, i) => s.replace("{" + i + "}", a), text);
ctx.frappe = {
	provide(ns) { let o = ctx; for (const p of ns.split(".")) { o[p] = o[p] || {}; o = o[p]; } },
	listview_settings: {},
	boot,
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


def desk_boot() -> dict:
	"""What brm_app adds to frappe.boot at login (hooks.boot_session), as the desk scripts read it."""
	bootinfo = frappe._dict()
	boot.boot_session(bootinfo)
	assert bootinfo.brm_roles
	return bootinfo


def node_binary() -> str:
	"""Node.js runs the desk scripts here; the development setup needs it anyway (scripts/dev builds the
	desk assets with it), so its absence is a failure of the environment, not a reason to skip."""
	node = shutil.which("node")
	if not node:
		pytest.fail(
			"Node.js is not installed: the desk scripts (JavaScript) cannot be run; install Node.js 18+"
		)
	return node


def run_list_settings(roles: list[str], docs: dict[str, list[dict]]) -> dict:
	node = node_binary()
	files = [str(APP / "public" / "js" / "brm_desk.js")] + [
		str(DOCTYPES / folder / f"{folder}_list.js") for folder in LIST_FILES.values()
	]
	result = subprocess.run(
		[node, "-e", NODE_HARNESS, json.dumps([roles, files, docs, desk_boot()])],
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
		assert approvals.pending_approval_filters("Business Case") == [
			["workflow_state", "in", ["Pending Approval"]],
			["prepared_by", "!=", pm],
		]
		# four eyes: the agreements they prepared are not theirs to activate
		assert approvals.pending_approval_filters("Customer Agreement") == [
			["workflow_state", "in", ["Pending Sign-off"]],
			["prepared_by", "!=", pm],
		]
	with as_user(po):
		assert approvals.pending_approval_filters("Business Case")[0] == [
			"workflow_state",
			"in",
			["Pending Final Approval"],
		]
	with as_user(RM):
		assert approvals.pending_approval_filters("Business Case") == []
		assert approvals.pending_approval_filters("Customer Agreement") == []
		with pytest.raises(frappe.ValidationError):
			approvals.pending_approval_filters("ToDo")
	assert frappe.allowed_http_methods_for_whitelisted_func[approvals.pending_approval_filters] == ["POST"]


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
		assert 'method: "brm_app.api.approvals.apply_action"' not in script  # no copy of the call


FORM_HARNESS = r"""
const vm = require("vm"), fs = require("fs");
const [roles, files, doctype, doc, can_create, write, boot] = JSON.parse(process.argv[1]);
const handlers = {}, buttons = [];
const ctx = { console, cint: (v) => parseInt(v) || 0 };
ctx.__ = (text, args) => (args || []).reduce((s, a, i) => s.replace("{" + i + "}", a), text);
ctx.frappe = {
	provide(ns) { let o = ctx; for (const p of ns.split(".")) { o[p] = o[p] || {}; o = o[p]; } },
	boot,
	session: { user: "someone@example.com" },
	user: { has_role: (role) => roles.includes(role) },
	model: { can_create: () => can_create },
	db: { get_value: () => ({ then() {} }) },
	xcall: () => ({ then() {} }),
	call: () => ({ then() {} }),
	ui: { form: { on(dt, events) { handlers[dt] = Object.assign(handlers[dt] || {}, events); } } },
	utils: { escape_html: (s) => s },
};
vm.createContext(ctx);
for (const file of files) vm.runInContext(fs.readFileSync(file, "utf8"), ctx, { filename: file });
const frm = {
	doctype, doc, docname: doc.name, perm: [{ write }], is_new: () => false,
	add_custom_button(label, fn, group) { buttons.push(group ? group + " > " + label : label); },
	trigger(name) { handlers[doctype][name] && handlers[doctype][name](frm); },
	set_intro() {}, set_query() {}, set_df_property() {}, toggle_enable() {},
	dashboard: { clear_headline() {}, set_headline() {}, add_section: () => ({ find: () => [] }), show() {} },
	fields_dict: { answers: { grid: { update_docfield_property() {} } } },
};
handlers[doctype].refresh(frm);
console.log(JSON.stringify(buttons));
"""


def form_buttons(
	doctype: str, doc: dict, roles: list[str], can_create: bool = True, write: bool = True
) -> list:
	"""The custom buttons the form script of `doctype` adds on refresh, for a user with `roles`."""
	node = node_binary()
	folder = doctype.lower().replace(" ", "_")
	own_script = DOCTYPES / folder / f"{folder}.js"  # ERPNext's Issue has its form script elsewhere
	files = [APP / "public" / "js" / "brm_desk.js", *([own_script] if own_script.exists() else [])]
	if doctype in frappe.get_hooks("doctype_js"):
		files += [APP / path for path in frappe.get_hooks("doctype_js")[doctype]]
	files = [str(path) for path in files]
	result = subprocess.run(
		[node, "-e", FORM_HARNESS, json.dumps([roles, files, doctype, doc, can_create, write, desk_boot()])],
		capture_output=True,
		text=True,
		timeout=60,
		check=True,
	)
	return json.loads(result.stdout)


def test_terminate_is_offered_only_to_process_managers_and_owners(site):
	active = {"name": "CAG-1", "docstatus": 1, "status": "Active"}
	manager_buttons = form_buttons("Customer Agreement", active, ["BRM Process Manager"])
	assert "Actions > Terminate" in manager_buttons and "Actions > Renew" in manager_buttons
	assert "Actions > Terminate" in form_buttons("Customer Agreement", active, ["BRM Process Owner"])
	rm_buttons = form_buttons("Customer Agreement", active, ["Business Relationship Manager"])
	assert "Actions > Terminate" not in rm_buttons and "Actions > Renew" in rm_buttons


def test_the_buttons_carry_the_labels_users_look_for(site):
	rm = ["Business Relationship Manager"]
	portfolio = {"name": "P", "customer": "P", "customer_name": "P"}
	assert form_buttons("Customer Portfolio", portfolio, rm) == [
		"Send Survey Now",
		"New Opportunity",
		"New Agreement",
		"New Service Review",
	]
	# read-only access: no survey sending, no new records
	assert form_buttons("Customer Portfolio", portfolio, rm, can_create=False, write=False) == []
	opportunity = {"name": "SOP-1", "status": "Assessing", "business_case": None}
	assert form_buttons("Service Opportunity", opportunity, rm) == ["Create Business Case"]
	assert form_buttons("Service Opportunity", {**opportunity, "status": "Withdrawn"}, rm) == []
	assert form_buttons("Issue", {"name": "ISS-1"}, rm) == ["Create Improvement Opportunity"]
