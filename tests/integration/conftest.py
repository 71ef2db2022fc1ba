import frappe
import pytest


@pytest.fixture(autouse=True)
def _rolled_back(db):
	"""Every integration test runs on the real site inside a rolled-back transaction."""
	yield
	# a test that faked a request and "restored" None would break later prints (website router)
	if hasattr(frappe.local, "request") and frappe.local.request is None:
		del frappe.local.request
