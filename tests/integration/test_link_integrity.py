"""Deleting a Customer, Contact, IT Service or portfolio that BRM records use is refused, naming them
(docs/security.md 19); deleting unused ones still works."""

from unittest import mock

import frappe
import pytest

from brm_app.exceptions import BRMLinkExistsError
from tests.support.factories import (
	make_agreement,
	make_contact,
	make_customer,
	make_it_service,
	make_portfolio,
)


@pytest.fixture
def set_brm_settings():
	def _set(**values):
		frappe.db.set_single_value("BRM Settings", values)

	yield _set
	frappe.db.rollback()
	frappe.clear_document_cache("BRM Settings", "BRM Settings")
	frappe.db.value_cache.pop("BRM Settings", None)


def delete(doctype: str, name: str) -> None:
	frappe.delete_doc(doctype, name)


# Customer


def test_customer_with_a_portfolio_cannot_be_deleted_and_the_portfolio_is_named():
	# a portfolio someone worked on (an untouched one goes with its customer: test_customer_deletion.py)
	portfolio = make_portfolio(business_drivers="Cost of downtime")
	with pytest.raises(BRMLinkExistsError) as excinfo:
		delete("Customer", portfolio.customer)
	assert isinstance(excinfo.value, frappe.LinkExistsError)
	assert "Customer Portfolio" in str(excinfo.value)
	assert portfolio.name in str(excinfo.value)
	assert frappe.db.exists("Customer", portfolio.customer)


def test_customer_with_an_agreement_names_the_agreement():
	portfolio = make_portfolio()
	agreement = make_agreement(portfolio.customer)
	with pytest.raises(BRMLinkExistsError) as excinfo:
		delete("Customer", portfolio.customer)
	assert agreement.name in str(excinfo.value)


def test_without_the_hook_frappe_would_refuse_without_naming_the_portfolio():
	"""Why the Customer on_trash hook exists: a Customer can be disabled, so frappe's own refusal
	only says "You can disable this Customer instead of deleting it"."""
	portfolio = make_portfolio()
	with mock.patch("brm_app.integrations.customer.on_trash"):
		with pytest.raises(frappe.LinkExistsError) as excinfo:
			delete("Customer", portfolio.customer)
	assert not isinstance(excinfo.value, BRMLinkExistsError)
	assert portfolio.name not in str(excinfo.value)


def test_customer_without_brm_records_can_still_be_deleted(set_brm_settings):
	set_brm_settings(auto_create_portfolio=0)
	customer = make_customer()
	delete("Customer", customer.name)
	assert not frappe.db.exists("Customer", customer.name)


def test_customer_whose_contact_is_a_stakeholder_cannot_be_deleted():
	portfolio = make_portfolio()
	contact = make_contact(portfolio.customer)
	portfolio.append("stakeholders", {"contact": contact.name})
	portfolio.save(ignore_permissions=True)
	with pytest.raises(frappe.LinkExistsError) as excinfo:
		delete("Customer", portfolio.customer)
	assert portfolio.name in str(excinfo.value)
	assert frappe.db.exists("Contact", contact.name)


# Contact


def test_contact_used_as_stakeholder_cannot_be_deleted_and_the_portfolio_is_named():
	portfolio = make_portfolio()
	contact = make_contact(portfolio.customer)
	portfolio.append("stakeholders", {"contact": contact.name, "stakeholder_role": "Sponsor"})
	portfolio.save(ignore_permissions=True)
	with pytest.raises(frappe.LinkExistsError) as excinfo:
		delete("Contact", contact.name)
	assert "Customer Portfolio" in str(excinfo.value)
	assert portfolio.name in str(excinfo.value)


def test_contact_who_agreed_an_outcome_cannot_be_deleted():
	portfolio = make_portfolio()
	contact = make_contact(portfolio.customer)
	portfolio.append(
		"business_outcomes",
		{
			"objective": "Faster billing",
			"status": "Agreed",
			"agreed_on": frappe.utils.nowdate(),
			"agreed_by": contact.name,
		},
	)
	portfolio.save(ignore_permissions=True)
	with pytest.raises(frappe.LinkExistsError) as excinfo:
		delete("Contact", contact.name)
	assert portfolio.name in str(excinfo.value)


def test_contact_of_a_customer_but_unused_by_brm_can_be_deleted():
	"""The Contact's own Dynamic Link to its Customer does not block deleting the contact."""
	portfolio = make_portfolio()
	contact = make_contact(portfolio.customer)
	delete("Contact", contact.name)
	assert not frappe.db.exists("Contact", contact.name)


# IT Service


def test_it_service_consumed_in_a_portfolio_cannot_be_deleted():
	portfolio = make_portfolio()
	service = make_it_service()
	portfolio.append("services", {"it_service": service.name})
	portfolio.save(ignore_permissions=True)
	with pytest.raises(frappe.LinkExistsError) as excinfo:
		delete("IT Service", service.name)
	assert "Customer Portfolio" in str(excinfo.value)
	assert portfolio.name in str(excinfo.value)


def test_it_service_covered_by_an_agreement_cannot_be_deleted():
	service = make_it_service()
	agreement = make_agreement(services=[{"it_service": service.name}])
	with pytest.raises(frappe.LinkExistsError) as excinfo:
		delete("IT Service", service.name)
	assert "Customer Agreement" in str(excinfo.value)
	assert agreement.name in str(excinfo.value)


def test_unused_it_service_can_be_deleted():
	service = make_it_service()
	delete("IT Service", service.name)
	assert not frappe.db.exists("IT Service", service.name)


# Customer Portfolio


def test_portfolio_with_an_agreement_cannot_be_deleted():
	portfolio = make_portfolio()
	agreement = make_agreement(portfolio.customer)
	frappe.db.set_value("Customer Agreement", agreement.name, "portfolio", portfolio.name)
	with pytest.raises(frappe.LinkExistsError) as excinfo:
		delete("Customer Portfolio", portfolio.name)
	assert agreement.name in str(excinfo.value)
