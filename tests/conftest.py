"""pytest harness for brm_app.

Tests that need a site use the `site` fixture (directly or through a package-level autouse
fixture, as in tests/integration/). frappe is connected once per session to the throw-away test
site made by `scripts/dev test`; each test runs inside a transaction that is rolled back, so
tests never see each other's records. Tests under tests/unit/ need no site and no frappe.

Environment (set by scripts/dev test): BRM_BENCH_DIR (the bench folder), BRM_TEST_SITE.
"""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# CI must not flake: property tests explore a fixed, seeded sample there (HYPOTHESIS_PROFILE=dev
# explores freshly each run). No deadline: the shared 2-core machine makes timings noisy.
settings.register_profile(
	"ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _bench_sites_path() -> Path:
	bench = os.environ.get("BRM_BENCH_DIR")
	if not bench:
		pytest.exit(
			"BRM_BENCH_DIR is not set: run the suite through `scripts/dev test` (see README)", returncode=4
		)
	return Path(bench) / "sites"


@pytest.fixture(scope="session")
def site():
	"""Connect frappe to the test site for the whole session; yields the site name."""
	import frappe

	sites_path = _bench_sites_path()
	site_name = os.environ.get("BRM_TEST_SITE", "brm-test.localhost")
	# frappe writes ../logs relative to the working directory: it must be the bench's sites folder
	os.chdir(sites_path)
	frappe.init(site=site_name, sites_path=str(sites_path))
	frappe.connect()
	frappe.flags.in_test = True
	frappe.set_user("Administrator")
	yield site_name
	frappe.db.rollback()
	frappe.destroy()


@pytest.fixture
def db(site):
	"""Run the test in a transaction that is rolled back afterwards, as Administrator."""
	import frappe

	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.local.message_log = []
	try:
		yield frappe.db
	finally:
		frappe.db.rollback()
		frappe.set_user("Administrator")
		frappe.local.message_log = []
		frappe.flags.pop("brm_test_now", None)


@pytest.fixture(autouse=True)
def _site_url_restored():
	"""A test may point the site's URL (host_name) at its own loopback server for PDF prints; the next
	test sees the site's configured URL again (survey links and e-mails are built from it, also in the
	threads and jobs that read the site's config afresh)."""
	import frappe

	yield
	conf = getattr(frappe.local, "conf", None)
	if conf is None or not getattr(frappe.local, "site", None):
		return
	configured = frappe.get_site_config().get("host_name")
	if configured is None:
		conf.pop("host_name", None)
	else:
		conf.host_name = configured
