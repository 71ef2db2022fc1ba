"""The desk as people see it (issue 15): every BRM screen, in a real headless Chromium on the live server, as a
relationship manager and as a BRM Process Manager, in Indonesian and in English, at desktop (1366x900) and
phone (390x844) size.

Screens: the BRM workspace, the BRM dashboard, the list of every BRM doctype, a form of every BRM doctype
with data (the business case and the agreement with their approval logs, BRM Settings), and every BRM
report. A screen fails on

- a browser console error (level SEVERE), except the realtime client's (the tests run no socket.io server)
  and frappe-charts' redraw of a chart frappe has already replaced (STALE_CHART below);
- a server error: a desk request answered with HTTP 5xx or 417 (frappe's answer to an exception), or
  frappe's message dialog open on the screen (a msgprint of an exception, "Invalid date" and the like);
- a chart that stays empty or loading although its data has values: the world below gives every chart of
  the workspace, the dashboard and the reports something to draw, and checks in this process that the
  chart's source has values for the user.

One browser per role, language and size (a module-scoped, parametrized fixture; the window has its size from
the login on, as on a phone): the screens are visited inside the desk (frappe.set_route, as the sidebar and
links do). Full-page screenshots go to $BRM_SCREENSHOT_DIR/<role>_<lang>_<size>/ when set, else to pytest's
temporary folder; a failure names its screenshot. Each browser's timeline.txt there has the seconds per
screen and its total.
"""

import json
import os
import time
from pathlib import Path

import frappe
import pytest
from frappe.utils import add_days, add_months, getdate, now_datetime, nowdate

from tests.e2e.conftest import forget_user_traces
from tests.support.browser import DESKTOP, PHONE, Desk, start_chromium
from tests.support.desk_calls import REPORTS, chart_data
from tests.support.factories import make_it_service, make_opportunity, make_survey
from tests.support.security import (
	GOOD,
	LOW,
	PASSWORD,
	SecurityCommitted,
	committed_agreement,
	committed_case,
	restore_threshold,
	workflow_people,
)

WORKSPACE = "Business Relationship Management"
LISTS = (
	"Customer Portfolio",
	"Customer Agreement",
	"Service Opportunity",
	"Business Case",
	"Satisfaction Survey",
	"Satisfaction Survey Template",
	"IT Service",
	"Service Review",
	"BRM Alert",
	"Customer Health Snapshot",
)
FORMS = (*LISTS, "BRM Settings")
SCREENS = (
	("workspace", WORKSPACE),
	("dashboard", WORKSPACE),
	*(("list", doctype) for doctype in LISTS),
	*(("form", doctype) for doctype in FORMS),
	*(("report", report) for report in REPORTS),
)
SIZES = {"desktop": DESKTOP, "phone": PHONE}
SESSIONS = tuple(
	(role, lang, size) for lang in ("id", "en") for role in ("rm", "pm") for size in ("desktop", "phone")
)
MAX_SHOT_HEIGHT = 4000  # px of a full-page screenshot
CHART_WAIT = 10  # seconds a chart may take to load and draw
# frappe-charts (frappe 15's charts) redraws a chart some hundred milliseconds after a window resize or an
# update, also when frappe has meanwhile replaced the chart's page or wrapper (a workspace rendered twice on
# opening, the report view reused for the next report, the viewport resized for a full-page screenshot); the
# stale chart then fails to remove its old drawing. No user-visible effect, no request: it is not counted,
# only listed in the browser's timeline.txt.
STALE_CHART = "Failed to execute 'removeChild' on 'Node': The node to be removed is not a child of this node."

# what the desk's requests answered, collected in the page (frappe's calls go through jQuery.ajax)
WATCH_REQUESTS = """
	if (!window.__brm_sweep) {
		window.__brm_sweep = {failed: []};
		$(document).ajaxComplete(function (event, xhr, settings) {
			if (xhr.status >= 500 || xhr.status === 417) {
				let exc = '';
				try { exc = (JSON.parse(xhr.responseText).exc_type || ''); } catch (e) {}
				window.__brm_sweep.failed.push([xhr.status, settings.url, exc,
					(settings.data || '').toString().slice(0, 300)]);
			}
		});
	}
	return true;
"""
# the desk's message dialog (msgprint / frappe.throw): its title and text when it is open
OPEN_MESSAGE = """
	const dialog = $('.modal.show').filter(':visible');
	if (!dialog.length) return null;
	return dialog.find('.modal-title').text().trim() + ': ' + dialog.find('.modal-body').text().trim();
"""
# every chart on the current page: its title, and whether it drew something, is empty or is still loading
CHARTS = """
	const page = $(frappe.container.page);
	const loading_text = __("Loading..."), empty_text = __("No Data");
	// dashboard / workspace chart widgets, the report view's chart, and charts a form draws itself
	const boxes = page.find('.widget.dashboard-widget-box, .chart-wrapper')
		.add(page.find('.form-layout svg.frappe-chart').closest('.chart-container').parent());
	return boxes.filter(':visible').map(function () {
		const box = $(this);
		if (!box.find('.frappe-chart, .chart-loading-state').length && !box.hasClass('chart-wrapper')) return null;
		const states = box.find('.chart-loading-state').filter(':visible').map(function () {
			return $(this).text().trim();
		}).get();
		// what frappe-charts draws for data: bars, line paths and dots, pie / donut slices, percentage bars
		const marks = box.find('svg.frappe-chart').find(
			'.dataset-units rect, .dataset-units circle, .dataset-units path, .path-group path,'
			+ ' path.line-graph-path, path.donut-path, path.pie-path'
		).add(box.find('.percentage-bar')).filter(function () {
			const size = this.getBBox ? this.getBBox() : this.getBoundingClientRect();
			return this.tagName.toLowerCase() === 'rect' ? size.width > 0 && size.height > 0
				: size.width > 0 || size.height > 0;
		}).length;
		const title = box.find('.widget-title, .chart-title, .title-text').first().text().trim()
			|| box.attr('data-widget-name') || '';
		return {title: title, loading: states.includes(loading_text), empty: states.includes(empty_text),
			marks: marks};
	}).get().filter(Boolean);
"""


def _screenshot_root(tmp_path_factory) -> Path:
	configured = os.environ.get("BRM_SCREENSHOT_DIR")
	return Path(configured) if configured else tmp_path_factory.mktemp("desk_sweep")


# --- the world every screen shows --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def committed(site):
	tracker = SecurityCommitted()
	yield tracker
	tracker.cleanup()


@pytest.fixture(scope="module")
def world(site, committed, server):
	"""A relationship manager's customer with a portfolio (health computed), an IT service, an active
	agreement, an opportunity, an approved and a pending business case, a responded survey; a BRM Process
	Manager. Committed for the live server; removed again at the end."""
	from brm_app.brm_app.doctype.satisfaction_survey.satisfaction_survey import submit_answers
	from brm_app.jobs.alerts import current_causes, open_new
	from brm_app.jobs.health import recompute_health_scores, snapshot_weekly_health

	people = workflow_people(committed, "sweep")
	for user, first_name in ((people.rm, "Rina"), (people.pm, "Arif")):
		frappe.db.set_value("User", user, {"first_name": first_name, "last_name": "Sweep"})
	service = committed.add("IT Service", make_it_service(service_name="Sweep Managed Workplace").name)
	portfolio = frappe.get_doc("Customer Portfolio", people.portfolio)
	portfolio.append("services", {"it_service": service})
	portfolio.save(ignore_permissions=True)
	agreement = committed_agreement(committed, people, state="Active", end_date=add_days(nowdate(), 60))
	opportunity = committed.add(
		"Service Opportunity",
		make_opportunity(
			customer=people.customer,
			opportunity_type="Service Change",
			impacted_services=[{"it_service": service}],
		).name,
	)
	approved = committed_case(committed, people, state="Approved")
	template = None
	committed_case(committed, people, state="Pending Approval")
	# responses this month and two months ago (a trend has two points)
	for months_ago, values in ((2, LOW), (0, GOOD)):
		sent = add_months(now_datetime(), -months_ago)
		survey = make_survey(customer=people.customer, status="Sent", sent_on=sent, template=template)
		template = survey.template
		committed.add("Satisfaction Survey", survey.name)
		answers = {row.name: value for row, value in zip(survey.answers, values, strict=True)}
		submit_answers(survey.name, answers, ignore_permissions=True)
		frappe.db.set_value("Satisfaction Survey", survey.name, "responded_on", sent)
	committed.add("Satisfaction Survey Template", template)
	recompute_health_scores([people.portfolio])
	# the relationship rhythm: this week's health snapshot, a held review with an action item, and an alert
	# (the portfolio's review overdue), each opened as the jobs open them, for this portfolio only
	snapshot_weekly_health(portfolios=[people.portfolio])
	snapshot = frappe.db.get_value("Customer Health Snapshot", {"portfolio": people.portfolio}, "name")
	review = frappe.get_doc(
		{
			"doctype": "Service Review",
			"customer": people.customer,
			"review_date": nowdate(),
			"minutes": "Service levels reviewed.",
			"attendees": [{"user": people.rm}],
			"actions": [
				{
					"description": "Share the capacity plan",
					"assigned_to": people.rm,
					"due_date": add_days(nowdate(), 14),
				}
			],
		}
	).insert(ignore_permissions=True)
	committed.add("Service Review", review.name)
	frappe.db.set_value("Customer Portfolio", people.portfolio, "next_review_due", add_days(nowdate(), -1))
	causes = current_causes(getdate(nowdate()))
	open_new([cause for cause in causes.values() if cause["portfolio"] == people.portfolio], now_datetime())
	alert = frappe.db.get_value("BRM Alert", {"portfolio": people.portfolio, "status": "Open"}, "name")
	committed.commit()
	people.forms = {
		"Customer Portfolio": people.portfolio,
		"Customer Agreement": agreement.name,
		"Service Opportunity": opportunity,
		"Business Case": approved.name,
		"Satisfaction Survey": survey.name,
		"Satisfaction Survey Template": template,
		"IT Service": service,
		"BRM Settings": "BRM Settings",
		"Service Review": review.name,
		"BRM Alert": alert,
		"Customer Health Snapshot": snapshot,
	}
	assert all(people.forms.values()), people.forms
	people.charts_with_values = {user: charts_with_values(user) for user in (people.rm, people.pm)}
	yield people
	frappe.db.rollback()
	restore_threshold(people)
	forget_user_traces([people.rm, people.pm])
	frappe.db.commit()  # nosemgrep: the module's records are removed by committed.cleanup()


def charts_with_values(user: str) -> set[str]:
	"""The workspace's and dashboard's charts whose data has a non-zero value for `user`, computed in this
	process as the chart widget fetches it: a report chart runs its report (query_report.run) and draws the
	report's chart, the others call dashboard_chart.get. A chart whose data cannot be had counts as having
	values: the browser then shows the same failure."""
	with_values = set()
	previous = frappe.session.user
	frappe.set_user(user)
	try:
		for name in frappe.get_all("Dashboard Chart", filters={"module": "BRM App"}, pluck="name"):
			try:
				data = chart_data(frappe.get_doc("Dashboard Chart", name))
			except Exception:
				with_values.add(name)
				continue
			values = [
				value for dataset in data.get("datasets") or [] for value in dataset.get("values") or []
			]
			if any(isinstance(value, int | float) and value for value in values):
				with_values.add(name)
	finally:
		frappe.set_user(previous)
		frappe.db.rollback()
	return with_values


# --- one browser per role and language ---------------------------------------------------------------------


class Sweep:
	"""A logged-in desk of one role and language, and what it saw."""

	def __init__(self, desk: Desk, role: str, lang: str, user: str, folder: Path):
		self.desk, self.role, self.lang, self.user, self.folder = desk, role, lang, user, folder
		self.started = time.monotonic()
		self.times: list[tuple[str, float]] = []
		self.stale_charts = 0

	def console_errors(self) -> list[str]:
		errors = []
		for entry in self.desk.console_log():
			if entry.get("level") != "SEVERE":
				continue
			message = entry.get("message", "")
			if "/socket.io/" in message:
				continue  # the realtime client: no socket.io server runs in the tests
			if STALE_CHART in message and "/assets/frappe/dist/js/" in message:
				self.stale_charts += 1
				continue
			errors.append(message)
		return errors

	def failed_requests(self) -> list:
		return self.desk.js("return window.__brm_sweep ? window.__brm_sweep.failed.splice(0) : []")


@pytest.fixture(scope="module", params=SESSIONS, ids=["-".join(session) for session in SESSIONS])
def sweep(request, world, server, tmp_path_factory):
	"""A browser of one role, language and size, logged in (the window's size is the page's from the start,
	as on a phone: frappe lays some screens out at load)."""
	role, lang, size = request.param
	user = getattr(world, role)
	frappe.db.set_value("User", user, "language", lang)
	frappe.db.commit()  # nosemgrep: the live server reads the user's language at login
	frappe.clear_cache(user=user)
	folder = _screenshot_root(tmp_path_factory) / f"{role}_{lang}_{size}"
	folder.mkdir(parents=True, exist_ok=True)
	desk = Desk(start_chromium(SIZES[size], lang), server.url, f"desk_sweep/{role}_{lang}_{size}")
	desk.folder = folder
	try:
		desk.login(user, PASSWORD)
		assert desk.js("return frappe.boot.lang") == lang
		# start on the BRM workspace, loaded as a page of its own: the desk's first page (whatever the user's
		# default workspace is) must not be drawing its charts while the sweep moves on
		desk.get("/app/" + WORKSPACE.lower().replace(" ", "-"))
		desk.until(
			lambda d: d.execute_script(READY["workspace"], WORKSPACE), message="the workspace did not open"
		)
		desk.idle()
		settle_charts_of(desk)
		desk.js(WATCH_REQUESTS)
		session = Sweep(desk, role, lang, user, folder)
		session.console_errors()  # what logging in logged is the login page's business, not a screen's
		yield session
		(folder / "timeline.txt").write_text(
			"".join(f"{seconds:6.1f}s  {screen}\n" for screen, seconds in session.times)
			+ f"total {time.monotonic() - session.started:.1f}s\n"
			+ f"frappe-charts redraws of replaced charts (not counted, see STALE_CHART): {session.stale_charts}\n"
		)
	finally:
		desk.driver.quit()


# --- the screens -------------------------------------------------------------------------------------------


def route_of(kind: str, target: str, world) -> list[str]:
	if kind == "workspace":
		return ["Workspaces", target]
	if kind == "dashboard":
		return ["dashboard-view", target]
	if kind == "list":
		return ["List", target]
	if kind == "form":
		return ["Form", target, world.forms[target]]
	return ["query-report", target]


READY = {
	"workspace": "return !!($(frappe.container.page).find('.ce-block').length"
	" && frappe.get_route()[0] === 'Workspaces')",
	"dashboard": "return !!($(frappe.container.page).find('.widget.dashboard-widget-box').length"
	" && frappe.get_route()[0] === 'dashboard-view')",
	"list": "return !!(frappe.get_route()[0] === 'List' && frappe.get_route()[1] === arguments[0]"
	" && window.cur_list && cur_list.doctype === arguments[0] && Array.isArray(cur_list.data)"
	" && cur_list.$result && cur_list.$result.is(':visible'))",
	"form": "return !!(window.cur_frm && cur_frm.doctype === arguments[0] && cur_frm.doc"
	" && cur_frm.doc.doctype === arguments[0] && frappe.get_route()[0] === 'Form'"
	" && $(cur_frm.page.wrapper).is(':visible'))",
	"report": "return !!(frappe.get_route()[0] === 'query-report' && frappe.get_route()[1] === arguments[0]"
	" && frappe.query_report && frappe.query_report.report_name === arguments[0]"
	" && frappe.query_report.data && $(frappe.container.page).is(':visible'))",
}
CHART_SCREENS = ("workspace", "dashboard", "report", "form")


def open_screen(session: Sweep, kind: str, target: str, world) -> None:
	desk = session.desk
	desk.js("frappe.set_route(arguments[0])", route_of(kind, target, world))
	desk.until(lambda d: d.execute_script(READY[kind], target), message=f"{kind} {target} did not open")
	desk.idle()


def settle_charts(session: Sweep) -> list[dict]:
	return settle_charts_of(session.desk)


def settle_charts_of(desk: Desk) -> list[dict]:
	"""The page's charts once they are drawn: none loading and each with marks or saying "No Data" (frappe-charts
	grows bars and lines from zero for a moment), or as they are after CHART_WAIT seconds."""
	deadline = time.monotonic() + CHART_WAIT
	while True:
		charts = desk.js(CHARTS)
		settled = all(not chart["loading"] and (chart["marks"] or chart["empty"]) for chart in charts)
		if settled or time.monotonic() > deadline:
			return charts
		time.sleep(0.3)


# the desk scrolls some pages inside an element (the workspace's main section): let those grow for the shot
UNFOLD = """
	const folded = Array.from(document.querySelectorAll('*')).filter((e) =>
		e.scrollHeight > e.clientHeight + 10 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowY));
	window.__brm_unfolded = folded.map((e) => [e, e.style.cssText]);
	folded.forEach((e) => { e.style.overflowY = 'visible'; e.style.height = 'auto'; e.style.maxHeight = 'none'; });
"""
REFOLD = "(window.__brm_unfolded || []).forEach(([e, css]) => { e.style.cssText = css; });"


def full_page_shot(session: Sweep, path: Path) -> None:
	"""The whole page (up to MAX_SHOT_HEIGHT), not only the window: Chrome's own screenshot beyond the
	viewport (DevTools Page.captureScreenshot)."""
	import base64

	driver = session.desk.driver
	driver.execute_script(UNFOLD)
	try:
		height = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]["height"]
		width = driver.execute_script("return document.documentElement.clientWidth")
		shot = driver.execute_cdp_cmd(
			"Page.captureScreenshot",
			{
				"format": "png",
				"captureBeyondViewport": True,
				"clip": {"x": 0, "y": 0, "width": width, "height": min(height, MAX_SHOT_HEIGHT), "scale": 1},
			},
		)
	finally:
		driver.execute_script(REFOLD)
	path.write_bytes(base64.b64decode(shot["data"]))


def look(session: Sweep, kind: str, target: str, world) -> list[str]:
	"""The problems the current screen shows; then its screenshot."""
	desk = session.desk
	desk.idle()
	charts = settle_charts(session) if kind in CHART_SCREENS else []
	problems = [f"console error: {message}" for message in session.console_errors()]
	problems += [
		f"server error {status} {url} {exc} {data}" for status, url, exc, data in session.failed_requests()
	]
	message = desk.js(OPEN_MESSAGE)
	if message:
		problems.append(f"message dialog: {message}")
	with_values = world.charts_with_values[session.user]
	for chart in charts:
		drawn = chart["marks"] > 0 and not chart["empty"]
		if chart["loading"] or not drawn:
			# a report's or a form's chart (the world gives each values), or a dashboard chart named on the
			# widget: empty is only right without values
			if (
				kind in ("report", "form")
				or chart["title"] in with_values
				or _chart_by_label(chart["title"]) in with_values
			):
				title = chart["title"] or target
				problems.append(f"chart {title!r} is {'loading' if chart['loading'] else 'empty'}")
	path = session.folder / (f"{kind}_{target}".lower().replace(" ", "_") + ".png")
	full_page_shot(session, path)
	session.console_errors()  # what the screenshot itself makes the page log (see STALE_CHART)
	return [f"{problem} (screenshot {path})" for problem in problems]


def _chart_by_label(label: str) -> str | None:
	"""The Dashboard Chart whose (translated) name is shown as `label`."""
	for name in frappe.get_all("Dashboard Chart", filters={"module": "BRM App"}, pluck="name"):
		if label in (name, frappe._(name, lang="id")):
			return name
	return None


@pytest.mark.parametrize(
	"kind,target", SCREENS, ids=[f"{kind}-{target.lower().replace(' ', '-')}" for kind, target in SCREENS]
)
def test_screen(sweep, world, kind, target):
	started = time.monotonic()
	try:
		open_screen(sweep, kind, target, world)
		problems = look(sweep, kind, target, world)
	finally:
		sweep.times.append((f"{kind} {target}", round(time.monotonic() - started, 1)))
	assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)


# --- workflow names in the reader's language -----------------------------------------------------------

SHOWN_WORKFLOW_VALUES = """
	const log = cur_frm.fields_dict.approval_log.grid;
	const cells = [];
	log.grid_rows.forEach((row) => ['action', 'state_from', 'state_to'].forEach((fieldname) => {
		const cell = row.row.find(`.grid-static-col[data-fieldname="${fieldname}"] .static-area`);
		cells.push([row.doc[fieldname] || '', cell.text().trim()]);
	}));
	const state = cur_frm.fields_dict.workflow_state.$wrapper.find('.control-value, .like-disabled-input')
		.filter(':visible').first().text().trim();
	return {cells: cells, state: [cur_frm.doc.workflow_state, state]};
"""


def test_the_approval_log_and_state_speak_the_readers_language(sweep, world):
	"""The approved business case's Approval State and its approval log (Action, From State, To State) show the
	workflow's names as frappe translates them into the reader's language (in English: as stored)."""
	open_screen(sweep, "form", "Business Case", world)
	sweep.desk.tab("tab_approval")
	shown = sweep.desk.js(SHOWN_WORKFLOW_VALUES)
	# four steps: Submit for Review, Send for Customer Sign-off, Customer Accepted (the customer's), Approve
	assert [cell[0] for cell in shown["cells"][::3]] == [
		"Submit for Review",
		"Send for Customer Sign-off",
		"Customer Accepted",
		"Approve",
	]
	expected = [(stored, frappe._(stored, lang=sweep.lang)) for stored, _ in shown["cells"]]
	assert [tuple(cell) for cell in shown["cells"]] == expected
	assert shown["state"] == ["Approved", {"id": "Disetujui", "en": "Approved"}[sweep.lang]]
