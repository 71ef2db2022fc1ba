"""Shared pieces of the docs/security.md case tests (tests/security/) and the survey page HTTP tests.

- `live_server_fixtures()` gives a test module its `committed` tracker and its own real server on loopback;
- `HttpUser` is a logged-in browser: it logs in through /api/method/login, takes the CSRF token from the
  desk page as frappe's desk does, and sends it with every POST / PUT like the desk's ajax calls;
- the survey helpers (`new_link`, `answers_for`, `post`, `server_message`) send a real survey through the
  jobs and answer it over HTTP;
- `purge_business_case` removes a committed business case with everything frappe made around it (a
  submitted document cannot be deleted through frappe).

The server is another process and only sees committed data: tests that use it commit what they make and
register it with `Committed`, which deletes it again when the module is done.
"""

import html
import re
import secrets
import sys
import threading
from types import SimpleNamespace

import frappe
import pytest
import requests
from frappe.utils import add_to_date, now_datetime
from frappe.utils.password import update_password

from brm_app.jobs import surveys as jobs
from brm_app.links import throttle
from brm_app.services import roles
from tests.support.factories import make_contact, make_issue, mute_mail
from tests.support.live_server import Committed, LiveServer, server_fixture  # a fixture
from tests.support.survey_mail import survey_links
from tests.support.users import make_user

SURVEY = "Satisfaction Survey"
SUBMIT = "/api/method/brm_app.api.survey.submit"
JSON_HEADERS = {"Accept": "application/json"}
PASSWORD = "Brm-Sec-" + "x7Qp!2mZ"  # a test user's password (no real account)
SURVEY_SETTINGS = {"survey_sampling_percent": 100, "contact_throttle_days": 30, "low_score_threshold": 60}


# --- module fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def committed(site):
	tracker = SecurityCommitted()
	yield tracker
	tracker.cleanup()


@pytest.fixture
def rolled_back(db):
	"""As tests/integration: the test's own transaction is rolled back; prints are not PDFs (no wkhtmltopdf)."""
	frappe.db.set_single_value("Print Settings", "send_print_as_pdf", 0)
	yield
	if hasattr(frappe.local, "request") and frappe.local.request is None:
		del frappe.local.request


@pytest.fixture
def fresh_limits(site):
	"""Empty rate-limit counters before and after the test (frappe's per-address ones and the survey guard)."""

	def reset():
		throttle.reset()
		frappe.cache.delete_keys("rl:")

	reset()
	yield
	reset()


@pytest.fixture(scope="module")
def survey_settings(site, committed):
	"""The server reads committed settings: set the ones survey tests rely on, put the old ones back."""
	from tests.support.factories import set_brm_settings

	frappe.db.rollback()
	old = {field: frappe.db.get_single_value("BRM Settings", field) for field in SURVEY_SETTINGS}
	set_brm_settings(**SURVEY_SETTINGS)
	committed.commit()
	yield
	frappe.db.rollback()
	set_brm_settings(**old)
	committed.commit()


def survey_customer(committed, relationship_manager: str) -> str:
	"""A committed customer with a portfolio managed by `relationship_manager` and an outgoing e-mail
	account, so that surveys can be sent; returns the customer."""
	from tests.support.factories import make_email_account, make_portfolio

	frappe.db.rollback()
	frappe.set_user("Administrator")
	if not frappe.db.exists("User", relationship_manager):
		committed.add("User", make_user(relationship_manager, ("Business Relationship Manager",)))
	# no notification e-mail for the follow-up ToDos the server will make
	frappe.db.set_value("Notification Settings", relationship_manager, "enable_email_notifications", 0)
	committed.add("Email Account", make_email_account().name)
	portfolio = make_portfolio(relationship_manager=relationship_manager)
	committed.add("Customer", portfolio.customer)
	committed.add("Customer Portfolio", portfolio.name)
	committed.commit()
	return portfolio.customer


def survey_customer_fixture(relationship_manager: str):
	"""A module's `customer` fixture: `customer = survey_customer_fixture(RM)` gives the module one
	committed survey customer (see `survey_customer`) with the survey settings in place."""

	@pytest.fixture(scope="module")
	def customer(committed, survey_settings):
		return survey_customer(committed, relationship_manager)

	return customer


def muted_mail() -> None:
	mute_mail(account=False)  # the module's committed account is used


# --- logged-in users over HTTP ---------------------------------------------------------------------------


def http_user(committed, email: str, roles: tuple[str, ...]) -> str:
	"""A committed System User with `roles` and a known password (the caller commits)."""
	if not frappe.db.exists("User", email):
		committed.add("User", make_user(email, roles))
	else:
		make_user(email, roles)
	update_password(email, PASSWORD)
	frappe.db.set_value("Notification Settings", email, "enable_email_notifications", 0)
	return email


class HttpUser:
	"""A browser session of one user against the live server."""

	def __init__(self, server, email: str | None = None, password: str = PASSWORD):
		self.url = server.url
		self.session = requests.Session()
		self.session.headers.update(JSON_HEADERS)
		self.csrf_token = None
		self.email = email
		if email:
			self.login(email, password)

	def login(self, email: str, password: str = PASSWORD) -> None:
		response = self.session.post(
			self.url + "/api/method/login", data={"usr": email, "pwd": password}, timeout=60
		)
		assert response.status_code == 200, response.text
		desk = self.session.get(self.url + "/app", headers={"Accept": "text/html"}, timeout=60)
		found = re.search(r'frappe\.csrf_token = "([^"]+)"', desk.text)
		assert found, "the desk page carries no CSRF token"
		self.csrf_token = found.group(1)

	def _headers(self, headers=None) -> dict:
		return {"X-Frappe-CSRF-Token": self.csrf_token or "", **(headers or {})}

	def call(self, method: str, /, **data) -> requests.Response:
		"""POST /api/method/<method> with form-encoded arguments, as frappe.call does."""
		data = {k: (frappe.as_json(v) if isinstance(v, dict | list) else v) for k, v in data.items()}
		return self.session.post(
			f"{self.url}/api/method/{method}", data=data, headers=self._headers(), timeout=120
		)

	def get_method(self, method: str, /, **params) -> requests.Response:
		params = {k: (frappe.as_json(v) if isinstance(v, dict | list) else v) for k, v in params.items()}
		return self.session.get(f"{self.url}/api/method/{method}", params=params, timeout=120)

	def resource(self, verb: str, doctype: str, name: str | None = None, **kw) -> requests.Response:
		path = f"{self.url}/api/resource/{doctype}" + (f"/{name}" if name else "")
		return self.session.request(
			verb, path, headers=self._headers(kw.pop("headers", None)), timeout=120, **kw
		)

	def get_page(self, path: str, **params) -> requests.Response:
		return self.session.get(self.url + path, params=params, headers={"Accept": "text/html"}, timeout=120)


def exc_type(response: requests.Response) -> str | None:
	try:
		return response.json().get("exc_type")
	except ValueError:
		return None


def server_message(response) -> str:
	"""The last message frappe sent with a response, as plain text."""
	messages = response.json().get("_server_messages")
	if not messages:
		return ""
	last = frappe.parse_json(frappe.parse_json(messages)[-1])
	return html.unescape(re.sub(r"<[^>]+>", "", last.get("message", "")))


def refresh() -> None:
	"""See what the server committed (end this connection's snapshot)."""
	frappe.db.rollback()


# --- surveys ---------------------------------------------------------------------------------------------


def scheduled_survey(committed, customer, language=None, template=None) -> str:
	"""Close an Issue of `customer` (a new contact each time) and make its survey due now; returns the
	Scheduled survey's name (not committed)."""
	muted_mail()
	contact = committed.add("Contact", make_contact(customer).name)
	issue = make_issue(customer, frappe.get_doc("Contact", contact))
	committed.add("Issue", issue.name)
	issue.status = "Closed"
	issue.save(ignore_permissions=True)
	survey = frappe.get_all(SURVEY, filters={"reference_name": issue.name}, pluck="name")[0]
	committed.add(SURVEY, survey)
	updates = {"scheduled_for": add_to_date(now_datetime(), minutes=-1)}
	if language:
		updates["respondent_language"] = language
	if template:
		answers = frappe.get_doc(SURVEY, survey)
		answers.set("answers", [])
		answers.template = template
		answers.copy_template_questions()
		answers.save(ignore_permissions=True)
	frappe.db.set_value(SURVEY, survey, updates)
	committed.add_related("Issue", issue.name)
	return survey


def new_link(committed, customer, language=None, template=None):
	"""A survey sent by the send job (in this process) and committed; returns (survey name, link)."""
	survey = scheduled_survey(committed, customer, language, template)
	jobs.send_due_surveys()
	committed.add_related(SURVEY, survey)
	committed.commit()
	(link,) = survey_links(survey)
	return survey, link


def answers_for(survey, values):
	"""Answer row name -> value, for the survey's questions in order."""
	rows = frappe.get_all(
		"Satisfaction Survey Answer",
		filters={"parent": survey, "parenttype": SURVEY},
		fields=["name"],
		order_by="idx asc",
	)
	return {row.name: value for row, value in zip(rows, values, strict=True)}


def random_address() -> str:
	return f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def post(server, token, answers, headers=None, **extra):
	"""POST to the survey endpoint as a respondent; each call claims its own client address unless
	`headers` says otherwise, so frappe's per-address limit (20 an hour) only bites the test about it."""
	return requests.post(
		server.url + SUBMIT,
		json={"token": token, "answers": answers, **extra},
		headers={**JSON_HEADERS, "X-Forwarded-For": random_address(), **(headers or {})},
		timeout=60,
	)


LOW = [1, 2, 3, "No", "Nobody called back"]
GOOD = [5, 4, 10, "Yes", ""]


# --- committed workflow documents -------------------------------------------------------------------------


class SecurityCommitted(Committed):
	"""`Committed` that can also remove submitted business cases and agreements (frappe refuses to delete a
	submitted document) with their child rows, workflow actions, comments, versions and queued e-mails."""

	# and the records whose controllers refuse a deletion outside brm_app's own jobs (or, for a review, that
	# hold the customer): removed directly
	PURGED = (
		"Business Case",
		"Customer Agreement",
		"Service Review",
		"BRM Alert",
		"Customer Health Snapshot",
	)

	def cleanup(self) -> None:
		frappe.db.rollback()
		for doctype in self.PURGED:
			for name in [n for d, n in self.records if d == doctype]:
				purge(doctype, name)
		self.records = [(d, n) for d, n in self.records if d not in self.PURGED]
		frappe.db.commit()  # nosemgrep: removes the records the module committed for the live server
		super().cleanup()


def purge(doctype: str, name: str) -> None:
	"""Delete a committed document (submitted too) and what frappe made around it (for a business case,
	its customer's sign-off records too: their controller refuses a deletion, so they go directly)."""
	if doctype == "Business Case":
		for sign_off in frappe.get_all("Customer Sign-off", {"business_case": name}, pluck="name"):
			purge("Customer Sign-off", sign_off)
	actions = frappe.get_all("Workflow Action", {"reference_name": name}, pluck="name")
	if actions:
		frappe.db.delete("Workflow Action Permitted Role", {"parent": ("in", actions)})
		frappe.db.delete("Workflow Action", {"name": ("in", actions)})
	for table in frappe.get_meta(doctype).get_table_fields():
		frappe.db.delete(table.options, {"parenttype": doctype, "parent": name})
	frappe.db.delete("Comment", {"reference_doctype": doctype, "reference_name": name})
	frappe.db.delete("Version", {"ref_doctype": doctype, "docname": name})
	frappe.db.delete("ToDo", {"reference_type": doctype, "reference_name": name})
	queued = frappe.get_all("Email Queue", {"reference_name": name}, pluck="name")
	if queued:
		frappe.db.delete("Email Queue Recipient", {"parent": ("in", queued)})
		frappe.db.delete("Email Queue", {"name": ("in", queued)})
	frappe.db.delete(doctype, name)


def purge_users(users) -> None:
	"""Delete users written with db_insert (tests.support.workflow.make_approver) and their roles."""
	for user in users:
		frappe.db.delete("Has Role", {"parent": user, "parenttype": "User"})
		frappe.db.delete("User", user)
		frappe.clear_cache(user=user)


# --- workflow documents made in this process and committed for the server --------------------------------

RELATIONSHIP_MANAGER = "Business Relationship Manager"
PROCESS_MANAGER = "BRM Process Manager"
PROCESS_OWNER = "BRM Process Owner"


def workflow_people(committed, slug: str, **extra_users: tuple[str, ...]):
	"""Committed users with passwords: `rm` (manages the committed customer's portfolio), `pm`, `pm2`
	(process managers), `po` (process owner), plus `extra_users` (name -> roles); and an outgoing account."""
	from types import SimpleNamespace

	from tests.support.factories import make_email_account, make_portfolio
	from tests.support.workflow import set_threshold

	frappe.db.rollback()
	frappe.set_user("Administrator")
	users = {
		"rm": (RELATIONSHIP_MANAGER,),
		"pm": (PROCESS_MANAGER,),
		"pm2": (PROCESS_MANAGER,),
		"po": (PROCESS_OWNER,),
		**extra_users,
	}
	people = SimpleNamespace(
		**{
			key: http_user(committed, f"brm-sec-{slug}-{key}@example.com", roles)
			for key, roles in users.items()
		}
	)
	committed.add("Email Account", make_email_account().name)
	portfolio = make_portfolio(relationship_manager=people.rm)
	committed.add("Customer", portfolio.customer)
	committed.add("Customer Portfolio", portfolio.name)
	people.customer = portfolio.customer
	people.portfolio = portfolio.name
	people.old_threshold = frappe.db.get_single_value("BRM Settings", "two_level_approval_threshold")
	set_threshold(10**12)  # one approval level unless a test says otherwise
	# workflow e-mails attach the document's print, as PDF by default: test machines have no wkhtmltopdf
	people.old_pdf = frappe.db.get_single_value("Print Settings", "send_print_as_pdf")
	frappe.db.set_single_value("Print Settings", "send_print_as_pdf", 0)
	committed.commit()
	return people


def workflow_people_fixture(slug: str, **extra_users: tuple[str, ...]):
	"""A module's `people` fixture: `people = workflow_people_fixture("c05")` gives the module its
	`workflow_people(committed, slug, **extra_users)` and restores the approval threshold afterwards."""

	@pytest.fixture(scope="module")
	def people(committed, server):
		people = workflow_people(committed, slug, **extra_users)
		yield people
		restore_threshold(people)

	return people


@pytest.fixture(scope="module")
def rm_browser(server, people):
	"""The module's relationship manager (`people.rm`) logged in to the server."""
	return HttpUser(server, people.rm)


def restore_threshold(people) -> None:
	from tests.support.workflow import set_threshold

	frappe.db.rollback()
	set_threshold(people.old_threshold or 0)
	frappe.db.set_single_value("Print Settings", "send_print_as_pdf", people.old_pdf)
	frappe.db.commit()  # nosemgrep: puts back the committed settings the module changed


def committed_case(committed, people, state: str = "Pending Approval", preparer: str | None = None, **kw):
	"""A business case of `people.customer` prepared by `preparer` (default people.rm), moved to `state`
	(Draft, Pending Approval or Approved) in this process and committed. Returns the reloaded case."""
	from tests.support.factories import make_business_case
	from tests.support.users import as_user
	from tests.support.workflow import act, to_pending_approval

	muted_mail()
	preparer = preparer or people.rm
	with as_user(preparer):
		case = make_business_case(customer=people.customer, **kw)
	committed.add("Business Case", case.name)
	if state != "Draft":
		case = to_pending_approval(case, preparer)
	if state == "Approved":
		case = act(case, "Approve", people.pm)
	committed.commit()
	return frappe.get_doc("Business Case", case.name)


def committed_agreement(committed, people, state: str = "Pending Sign-off", **kw):
	"""A customer agreement of `people.customer` made by people.rm, moved to `state` (Draft, Pending
	Sign-off or Active) and committed."""
	from frappe.utils import nowdate

	from tests.support.factories import make_agreement
	from tests.support.users import as_user
	from tests.support.workflow import act

	muted_mail()
	kw.setdefault("signed_on", nowdate())
	with as_user(people.rm):
		agreement = make_agreement(customer=people.customer, **kw)
	committed.add("Customer Agreement", agreement.name)
	if state != "Draft":
		agreement = act(agreement, "Submit for Sign-off", people.rm)
	if state == "Active":
		agreement = act(agreement, "Activate", people.pm)
	committed.commit()
	return frappe.get_doc("Customer Agreement", agreement.name)


def state_of(doctype: str, name: str) -> tuple:
	refresh()
	return tuple(frappe.db.get_value(doctype, name, ["workflow_state", "docstatus"]))


# --- several connections at once ---------------------------------------------------------------------------


def run_in_threads(user_calls: list[tuple[str, object]]) -> list[SimpleNamespace]:
	"""Run each (user, fn) in its own thread and connection, started together; each commits on success
	and rolls back on error. Returns one result per call: ok, value, error."""
	site, sites_path = frappe.local.site, frappe.local.sites_path
	barrier = threading.Barrier(len(user_calls))
	results = [None] * len(user_calls)

	def worker(idx, user, fn):
		frappe.init(site=site, sites_path=sites_path)
		frappe.connect()
		try:
			frappe.set_user(user)
			barrier.wait(timeout=60)
			value = fn()
			frappe.db.commit()  # nosemgrep: each call is its own request or job; the test cleans up after itself
			results[idx] = SimpleNamespace(ok=True, value=value, error=None)
		except BaseException as error:  # a job killed half-way (SystemExit) too
			frappe.db.rollback()
			results[idx] = SimpleNamespace(ok=False, value=None, error=error)
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=worker, args=(i, u, fn)) for i, (u, fn) in enumerate(user_calls)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=120)
	assert all(not t.is_alive() for t in threads), "a thread hung"
	return results


# --- install / migrate checks on a scratch site (case 22), run in a subprocess connected to that site ------

MODULE = "BRM App"
# natural keys that must be unique: (doctype, filters, key fields)
SETUP_RECORDS = (
	(
		"Role",
		{"name": ("in", roles.ALL_ROLES)},
		("role_name",),
	),
	(
		"Workflow",
		{"document_type": ("in", ("Business Case", "Customer Agreement"))},
		("document_type", "is_active"),
	),
	("Workflow Document State", {"parenttype": "Workflow"}, ("parent", "state", "doc_status", "allow_edit")),
	(
		"Workflow Transition",
		{"parenttype": "Workflow"},
		("parent", "state", "action", "next_state", "allowed"),
	),
	("Workflow State", {}, ("workflow_state_name",)),
	("Workflow Action Master", {}, ("workflow_action_name",)),
	("Custom Field", {}, ("dt", "fieldname")),
	("Property Setter", {"module": MODULE}, ("doc_type", "field_name", "property")),
	("Number Card", {"module": MODULE}, ("label",)),
	("Dashboard Chart", {"module": MODULE}, ("chart_name",)),
	("Dashboard", {"module": MODULE}, ("dashboard_name",)),
	("Workspace", {"module": MODULE}, ("label",)),
	("Report", {"module": MODULE}, ("report_name",)),
	("Print Format", {"module": MODULE}, ("name",)),
	("DocType", {"module": MODULE}, ("name",)),
	("Email Template", {"name": ("like", "BRM %")}, ("name",)),
	("Satisfaction Survey Template", {}, ("trigger", "language", "is_default")),
)


def setup_snapshot() -> dict:
	"""For each kind of record brm_app sets up: the list of natural keys (sorted, duplicates kept)."""
	snapshot = {}
	for doctype, filters, keys in SETUP_RECORDS:
		meta = frappe.get_meta(doctype)
		fields = [key for key in keys if key in ("name", "parent") or meta.has_field(key)]
		rows = frappe.get_all(doctype, filters=filters, fields=fields, limit_page_length=0)
		snapshot[doctype] = sorted(repr(tuple(row.get(f) for f in fields)) for row in rows)
	return snapshot


def seed_business_data() -> dict:
	"""A portfolio, an approved business case and a responded survey (committed by the caller)."""
	from brm_app.brm_app.doctype.satisfaction_survey.satisfaction_survey import submit_answers
	from tests.support.factories import make_business_case, make_portfolio, make_survey
	from tests.support.workflow import approve_business_case, make_approver, set_threshold

	frappe.flags.in_test = True  # as under pytest: no SMTP check of the stand-in e-mail account
	mute_mail()
	set_threshold(10**12)
	frappe.db.set_single_value("Print Settings", "send_print_as_pdf", 0)
	manager = make_approver(RELATIONSHIP_MANAGER)
	portfolio = make_portfolio(relationship_manager=manager)
	case = make_business_case(customer=portfolio.customer)
	case = approve_business_case(case)
	survey = make_survey(customer=portfolio.customer, status="Sent", sent_on=now_datetime())
	answers = {row.name: value for row, value in zip(survey.answers, GOOD, strict=True)}
	submit_answers(survey.name, answers, ignore_permissions=True)
	return {"portfolio": portfolio.name, "case": case.name, "survey": survey.name}


def business_snapshot(names: dict) -> dict:
	"""The seeded records as stored: values and child rows that must survive a migrate unchanged."""
	skip = {"modified", "creation", "modified_by", "idx", "_liked_by", "_comments", "_assign", "_user_tags"}

	def values(doctype, name):
		doc = frappe.get_doc(doctype, name).as_dict(no_default_fields=False, convert_dates_to_str=True)
		rows = {}
		for key, value in doc.items():
			if key in skip:
				continue
			if isinstance(value, list):
				value = [{k: v for k, v in row.items() if k not in skip} for row in value]
			rows[key] = value
		return rows

	snapshot = {
		"portfolio": values("Customer Portfolio", names["portfolio"]),
		"case": values("Business Case", names["case"]),
		"survey": values("Satisfaction Survey", names["survey"]),
	}
	snapshot["counts"] = {
		doctype: frappe.db.count(doctype)
		for doctype in (
			"Customer Portfolio",
			"Business Case",
			"Business Case Cost",
			"BRM Approval Log",
			"Satisfaction Survey",
			"Satisfaction Survey Answer",
		)
	}
	return snapshot


# --- a multi-worker server (case 23) ---------------------------------------------------------------------


class GunicornServer(LiveServer):
	"""frappe behind gunicorn with several worker processes, as in production (bench's Procfile /
	supervisor config): `gunicorn -w N -b 127.0.0.1:PORT -t 120 frappe.app:application --preload`, run
	from the bench's sites folder. Requests name the site with the X-Frappe-Site-Name header."""

	def __init__(self, site: str, workers: int = 4):
		super().__init__(site)
		self.workers = workers
		self.name = "gunicorn"
		self.headers = {"X-Frappe-Site-Name": site}
		self.command = [
			sys.executable,
			"-m",
			"gunicorn",
			"-w",
			str(workers),
			"-b",
			f"127.0.0.1:{self.port}",
			"-t",
			"120",
			"frappe.app:application",
			"--preload",
		]
		self.log_path = self.log_path.with_name(f"brm-test-gunicorn-{self.port}.log")

	def start(self, timeout: float = 120) -> "GunicornServer":
		return super().start(timeout)
