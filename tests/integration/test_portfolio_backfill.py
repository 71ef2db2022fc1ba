"""'Create portfolios for existing customers': the customers that existed before brm_app was installed get
the portfolio a new customer gets, set-based, in batches, once."""

import frappe
import pytest
from frappe.utils.background_jobs import get_job, is_job_enqueued

from brm_app.integrations import portfolio_backfill
from brm_app.integrations.portfolio_backfill import JOB_ID, count_missing, queue_missing_portfolios
from tests.support.factories import make_customer, set_brm_settings
from tests.support.users import as_role, make_user

PORTFOLIO = "Customer Portfolio"


def create_missing_portfolios() -> int:
	# without its per-batch commits: the test's transaction is rolled back
	return portfolio_backfill.create_missing_portfolios(commit=False)


@pytest.fixture
def no_queued_job():
	"""The queued job is removed again (no worker runs during the tests)."""

	def remove():
		job = get_job(JOB_ID)
		if job:
			job.delete()

	remove()
	yield
	remove()


COMPARED = (
	"customer",
	"customer_name",
	"relationship_manager",
	"industry",
	"strategic_importance",
	"relationship_status",
	"health_score",
	"health_rag",
	"docstatus",
)


@pytest.fixture
def existing_customers():
	"""Three customers made while brm_app did not make portfolios (as before its install)."""
	manager = make_user("brm-backfill-am@example.com", ("Sales User",))
	if not frappe.db.exists("Industry Type", "BRM Backfill Industry"):
		frappe.get_doc({"doctype": "Industry Type", "industry": "BRM Backfill Industry"}).insert()
	set_brm_settings(auto_create_portfolio=0)
	customers = [
		make_customer(account_manager=manager, industry="BRM Backfill Industry").name,
		make_customer().name,
		make_customer(disabled=1).name,
	]
	set_brm_settings(auto_create_portfolio=1)
	assert not frappe.db.exists(PORTFOLIO, {"customer": ["in", customers]})
	return customers


def test_the_missing_portfolios_are_made_as_the_customer_hook_makes_them(existing_customers):
	with_manager, plain, disabled = existing_customers
	missing = count_missing()
	assert missing >= 2
	assert create_missing_portfolios() == missing
	assert count_missing() == 0
	assert not frappe.db.exists(PORTFOLIO, disabled)
	# the same row as a new customer's, made by the Customer hook through the ORM
	reference = make_customer(
		account_manager=frappe.db.get_value("Customer", with_manager, "account_manager"),
		industry="BRM Backfill Industry",
	).name
	made = frappe.db.get_value(PORTFOLIO, with_manager, COMPARED, as_dict=True)
	expected = frappe.db.get_value(PORTFOLIO, reference, COMPARED, as_dict=True)
	expected.update(customer=with_manager, customer_name=made.customer_name)
	assert made == expected
	assert made.relationship_manager == "brm-backfill-am@example.com"
	assert frappe.db.get_value(PORTFOLIO, plain, "customer_name") == frappe.db.get_value(
		"Customer", plain, "customer_name"
	)
	# a backfilled portfolio is untouched: its customer can still be deleted with it
	frappe.delete_doc("Customer", plain)
	assert not frappe.db.exists(PORTFOLIO, plain)


def test_a_second_run_makes_nothing_and_keeps_existing_portfolios(existing_customers):
	create_missing_portfolios()
	frappe.db.set_value(PORTFOLIO, existing_customers[0], "strategic_importance", "Strategic")
	assert create_missing_portfolios() == 0
	assert frappe.db.get_value(PORTFOLIO, existing_customers[0], "strategic_importance") == "Strategic"
	assert frappe.db.count(PORTFOLIO, {"customer": existing_customers[0]}) == 1


def test_it_works_in_batches(existing_customers, monkeypatch):
	monkeypatch.setattr(portfolio_backfill, "BATCH", 1)
	missing = count_missing()
	assert create_missing_portfolios() == missing
	assert count_missing() == 0


@pytest.mark.parametrize("role", ["BRM Process Manager", "BRM Process Owner", "System Manager"])
def test_process_roles_queue_it(existing_customers, no_queued_job, role):
	missing = count_missing()
	with as_role(role):
		result = queue_missing_portfolios()
	assert result == {"missing": missing, "queued": True}
	assert is_job_enqueued(JOB_ID)
	assert (
		get_job(JOB_ID).kwargs["job_name"]
		== "brm_app.integrations.portfolio_backfill.create_missing_portfolios"
	)


@pytest.mark.parametrize("role", ["Business Relationship Manager", "Sales Manager"])
def test_other_roles_may_not(existing_customers, no_queued_job, role):
	with as_role(role), pytest.raises(frappe.PermissionError):
		queue_missing_portfolios()
	assert not is_job_enqueued(JOB_ID)


def test_nothing_is_queued_when_every_customer_has_a_portfolio(no_queued_job):
	create_missing_portfolios()
	with as_role("BRM Process Manager"):
		assert queue_missing_portfolios() == {"missing": 0, "queued": False}
	assert not is_job_enqueued(JOB_ID)


def test_the_endpoint_takes_post_only():
	from frappe.handler import execute_cmd

	frappe.local.request = frappe._dict(method="GET")
	try:
		with as_role("BRM Process Manager"), pytest.raises(frappe.PermissionError):
			execute_cmd("brm_app.integrations.portfolio_backfill.queue_missing_portfolios")
	finally:
		del frappe.local.request
