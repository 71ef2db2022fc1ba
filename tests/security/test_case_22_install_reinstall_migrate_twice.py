"""docs/security.md case 22: install, uninstall, reinstall and `bench migrate` twice in a row → no error, no
duplicated roles / workflows / custom fields, no lost data on migrate.

On a scratch site made for the test without brm_app (`scripts/dev scratch-site NAME --without-brm-app`) and in
use: frappe's app -> modules map is cached in Redis without brm_app, as on any site where `bench get-app`
came after the map was cached (frappe 15.44 then used to sync none of brm_app's doctypes). Install there,
uninstall (nothing brm_app added is left: brm_app.setup.uninstall.footprint), install again, then business
data (a portfolio, an approved business case, a survey with answers), then `migrate` twice. Last, an install
that fails half-way is undone (non-zero exit, a clear message, nothing left) and a second `install-app`
completes it. After each step what brm_app sets up (roles, workflows with their states and transitions, workflow
states and actions, custom fields, property setters, number cards, dashboard charts, dashboard, workspace,
reports, print formats, doctypes, e-mail templates, default survey templates) is there exactly once, and
after each migrate the data is as it was, value for value.

Each step runs in its own process (frappe's CLI, or the bench's python connected to the scratch site).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from brm_app.setup.indexes import REPORT_INDEXES
from brm_app.setup.install import BRM_ROLES

REPO = Path(__file__).resolve().parents[2]
SITE = "brm-sec-scratch.localhost"


def dev(*args: str, check: bool = True) -> subprocess.CompletedProcess:
	result = subprocess.run(
		[str(REPO / "scripts" / "dev"), *args],
		capture_output=True,
		text=True,
		env=os.environ.copy(),
		timeout=1500,
	)
	if check:
		assert result.returncode == 0, (
			f"scripts/dev {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
		)
		assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
	return result


def bench_python(code: str) -> subprocess.CompletedProcess:
	"""Run `code` in the bench's python, in its sites/ folder, with the scratch site as argv[1]."""
	return subprocess.run(
		[sys.executable, "-c", code, SITE],
		capture_output=True,
		text=True,
		cwd=Path(os.environ["BRM_BENCH_DIR"]) / "sites",
		env={**os.environ, "PYTHONPATH": str(REPO)},
		timeout=900,
	)


def on_site(call: str, commit: bool = False):
	"""Run `call` (an expression over tests.support.security as `security`) on the scratch site in the
	bench's python; returns its JSON-decoded result."""
	code = (
		"import json, sys, frappe\n"
		"frappe.init(site=sys.argv[1], sites_path='.')\n"
		"frappe.connect()\n"
		"frappe.set_user('Administrator')\n"
		"from tests.support import security\n"
		f"result = {call}\n"
		+ ("frappe.db.commit()\n" if commit else "")
		+ "print('RESULT:' + json.dumps(result, default=str, sort_keys=True))\n"
		"frappe.destroy()\n"
	)
	result = bench_python(code)
	assert result.returncode == 0, result.stdout + result.stderr
	line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT:"))
	return json.loads(line.removeprefix("RESULT:"))


def installed_apps() -> list[str]:
	return on_site("frappe.get_installed_apps()")


def footprint() -> dict:
	return on_site("__import__('brm_app.setup.uninstall', fromlist=['footprint']).footprint()")


def cache_module_map_without_brm_app() -> dict:
	"""Cache frappe's app -> modules map as it stood before `bench get-app brm_app` (all apps but brm_app)."""
	return on_site(
		"(frappe.cache.set_value('app_modules', {a: m for a, m in frappe.local.app_modules.items() "
		"if a != 'brm_app'}), frappe.cache.get_value('app_modules'))[1]"
	)


# an install-app whose set-up fails half-way (after frappe recorded the app as installed)
FAILING_INSTALL = """
import sys
import brm_app.setup.install as install
from frappe.utils.bench_helper import main

def fail():
	raise RuntimeError("injected failure while setting up")

install.ensure_survey_setup = fail
sys.argv = ["bench_helper", "frappe", "--site", sys.argv[1], "install-app", "brm_app"]
main()
"""


def failing_install() -> subprocess.CompletedProcess:
	return bench_python(FAILING_INSTALL)


def assert_set_up_once(snapshot: dict) -> None:
	duplicated = {doctype: keys for doctype, keys in snapshot.items() if len(keys) != len(set(keys))}
	assert duplicated == {}
	assert len(snapshot["Role"]) == len(BRM_ROLES)
	assert len(snapshot["Workflow"]) == 2
	shipped = len(list((REPO / "brm_app" / "brm_app" / "doctype").glob("*/*.json")))
	assert len(snapshot["DocType"]) == shipped
	for kind in ("Number Card", "Dashboard Chart", "Report", "Email Template", "Workflow Transition"):
		assert snapshot[kind], kind


def scheduled_methods() -> list[str]:
	"""Every method of brm_app's scheduler_events (each becomes one Scheduled Job Type)."""
	from brm_app import hooks

	methods = set()
	for entries in hooks.scheduler_events.values():
		for entry in entries.values() if isinstance(entries, dict) else [entries]:
			methods.update(entry)
	assert len(methods) >= 10, "the survey, agreement, health, sign-off and escalation jobs"
	return sorted(methods)


@pytest.fixture(scope="module")
def scratch(site):
	dev("scratch-site", SITE, "--without-brm-app")
	yield SITE
	dev("drop-site", SITE, check=False)


@pytest.mark.slow
def test_install_on_a_site_in_use_uninstall_reinstall_then_migrate_twice(scratch):
	assert "brm_app" not in installed_apps()
	stale = cache_module_map_without_brm_app()
	assert "erpnext" in stale and "brm_app" not in stale
	dev("frappe", "--site", SITE, "install-app", "brm_app")
	assert "brm_app" in installed_apps()
	first_install = on_site("security.setup_snapshot()")
	assert_set_up_once(first_install)
	installed = footprint()
	assert installed["Scheduled Job Type"] == scheduled_methods()
	assert [index for index in installed["Index"] if index.startswith("tabIssue.")] == sorted(
		f"tabIssue.{name}" for name in REPORT_INDEXES["Issue"]
	)
	assert installed["Column"] == ["Project.brm_business_case", "Project.brm_service_opportunity"]

	dev("frappe", "--site", SITE, "uninstall-app", "brm_app", "--yes", "--no-backup")
	assert "brm_app" not in installed_apps()
	assert footprint() == {}

	dev("frappe", "--site", SITE, "install-app", "brm_app")
	assert "brm_app" in installed_apps()
	reinstalled = on_site("security.setup_snapshot()")
	assert_set_up_once(reinstalled)
	assert reinstalled == first_install

	names = on_site("security.seed_business_data()", commit=True)
	seeded = on_site("security.setup_snapshot()")  # the data brings a survey template of its own
	before = on_site(f"security.business_snapshot({names!r})")
	assert before["case"]["workflow_state"] == "Approved" and before["case"]["docstatus"] == 1
	assert before["survey"]["status"] == "Responded" and len(before["survey"]["answers"]) == 5

	for _run in range(2):
		dev("frappe", "--site", SITE, "migrate")
		migrated = on_site("security.setup_snapshot()")
		assert_set_up_once(migrated)
		assert migrated == seeded
		assert on_site(f"security.business_snapshot({names!r})") == before


@pytest.mark.slow
def test_a_failed_install_is_undone_and_a_second_install_completes_it(scratch):
	dev("frappe", "--site", SITE, "uninstall-app", "brm_app", "--yes", "--no-backup")
	# the users seeded above keep their BRM roles; nothing else is left
	assert set(footprint()) == {"Role"}

	failed = failing_install()
	output = failed.stdout + failed.stderr
	assert failed.returncode != 0, output
	assert "Installing brm_app failed and was undone" in output
	assert "injected failure while setting up" in output
	assert "brm_app" not in installed_apps()
	assert set(footprint()) == {"Role"}

	dev("frappe", "--site", SITE, "install-app", "brm_app")
	assert "brm_app" in installed_apps()
	assert_set_up_once(on_site("security.setup_snapshot()"))
