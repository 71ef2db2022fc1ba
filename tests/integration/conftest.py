import frappe
import pytest

from tests.support.live_server import LiveServer


@pytest.fixture(scope="session")
def print_server(site):
	"""A web server for the site on loopback, whose URL is the site's host name in this process.

	Print Settings "Send Print as PDF" is on (frappe's default): the approvers' Workflow Action e-mails
	attach the document's print as a PDF. wkhtmltopdf loads the print's stylesheet from the site's URL,
	which outside a request is its host name: in production the site's web server answers there, in the
	tests this one does."""
	live = LiveServer(site).start()
	yield live
	live.stop()


@pytest.fixture(autouse=True)
def _rolled_back(db, print_server):
	"""Every integration test runs on the real site inside a rolled-back transaction."""
	frappe.local.conf.host_name = print_server.url
	yield
	# a test that faked a request and "restored" None would break later prints (website router)
	if hasattr(frappe.local, "request") and frappe.local.request is None:
		del frappe.local.request
