"""Shared set-up of the browser journeys (tests/e2e): one live frappe server for the session, a real headless
Chromium per test (tests/support/browser.py), committed test data cleaned up per module, and on a failure
a screenshot, the browser console log and the page's HTML under artifacts/e2e/<journey>/.

The server is a separate process: it sees only committed data, so the journeys commit what they set up and
`Committed` deletes it again (with what the server made for it) when the module ends.
"""

import frappe
import pytest
from frappe.utils.password import update_password

from tests.support.browser import DESKTOP, Browser, Desk, start_chromium
from tests.support.factories import uid
from tests.support.live_server import Committed, LiveServer
from tests.support.users import make_user

PASSWORD = "Brm-e2e-" + "Journey-Passw0rd!"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
	# keep each phase's report on the test item, so browser fixtures know at teardown whether it failed
	outcome = yield
	report = outcome.get_result()
	setattr(item, f"report_{report.when}", report)


def _failed(request) -> bool:
	return any(
		getattr(request.node, f"report_{when}", None) is not None
		and getattr(request.node, f"report_{when}").failed
		for when in ("setup", "call")
	)


@pytest.fixture(scope="session")
def server(site):
	live = LiveServer(site).start()
	yield live
	live.stop()


@pytest.fixture(scope="module")
def committed(site):
	tracker = Committed()
	yield tracker
	tracker.cleanup()
	drop_site_jobs(site)


@pytest.fixture
def open_browser(request, server):
	"""open_browser(journey, size=DESKTOP, lang=None, desk=True): a Desk (or plain Browser) on the live server,
	its screenshots in artifacts/e2e/<journey>/. Closed after the test; on a failure its state is saved."""
	opened = []

	def factory(journey: str, size=DESKTOP, lang: str | None = None, desk: bool = True):
		driver = start_chromium(size, lang)
		browser = (Desk if desk else Browser)(driver, server.url, journey)
		opened.append(browser)
		return browser

	yield factory
	for browser in opened:
		if _failed(request):
			browser.save_failure()
		browser.write_timeline()
		browser.driver.quit()


def make_login_user(tracker: Committed, prefix: str, roles: tuple[str, ...], first_name: str) -> str:
	"""A System User with `roles` who logs in with PASSWORD, registered for clean-up (commit it yourself)."""
	email = tracker.add("User", make_user(f"{uid(prefix)}@example.com", roles, first_name=first_name))
	update_password(email, PASSWORD)
	return email


def forget_user_traces(users: list[str]) -> None:
	"""What logging in leaves behind that `Committed` does not know about: sessions, route history, logs."""
	for user in users:
		frappe.db.delete("Route History", {"user": user})
		frappe.db.delete("Activity Log", {"user": user})
		frappe.db.delete("Access Log", {"user": user})
		frappe.db.delete("Sessions", {"user": user})


def site_jobs(site: str) -> list:
	"""The background jobs the live server queued for this site (no worker runs in the tests)."""
	from frappe.utils.background_jobs import get_queues

	jobs = []
	for queue in get_queues():
		for job in queue.get_jobs():
			if (job.kwargs or {}).get("site") == site:
				jobs.append(job)
	return jobs


def drop_site_jobs(site: str) -> None:
	"""Remove this site's queued jobs, so no worker runs them later against records deleted by then."""
	for job in site_jobs(site):
		job.delete()
