"""Customer Portfolio rules (docs/design.md S1, K1) and the Customer hooks that create portfolios."""

from unittest import mock

import frappe
import pytest
from frappe.utils import add_days, nowdate

from brm_app.brm_app.doctype.customer_portfolio.customer_portfolio_dashboard import get_data
from brm_app.exceptions import (
	DuplicatePortfolioError,
	DuplicatePortfolioServiceError,
	OutcomeAgreementError,
	RetiredServiceError,
	StakeholderContactError,
)
from brm_app.integrations import customer as customer_hooks
from tests.support.factories import (
	make_agreement,
	make_contact,
	make_customer,
	make_it_service,
	make_opportunity,
	make_portfolio,
)
from tests.support.users import make_user

RM_A = "h2-rm-a@example.com"
RM_B = "h2-rm-b@example.com"
CONTROLLER = "brm_app.brm_app.doctype.customer_portfolio.customer_portfolio"


@pytest.fixture
def set_brm_settings():
	"""Set BRM Settings values for one test; the cached settings are dropped again afterwards."""

	def _set(**values):
		frappe.db.set_single_value("BRM Settings", values)

	yield _set
	frappe.db.rollback()
	frappe.clear_document_cache("BRM Settings", "BRM Settings")
	frappe.db.value_cache.pop("BRM Settings", None)


@pytest.fixture
def managers():
	return make_user(RM_A, ("Business Relationship Manager",)), make_user(
		RM_B, ("Business Relationship Manager",)
	)


def new_portfolio(customer: str, **kw) -> "frappe.Document":
	return frappe.get_doc({"doctype": "Customer Portfolio", "customer": customer, **kw})


# Rule 1: one portfolio per customer


def test_portfolio_is_named_by_its_customer():
	portfolio = make_portfolio()
	assert portfolio.name == portfolio.customer


def test_second_portfolio_for_the_same_customer_is_refused():
	portfolio = make_portfolio()
	with pytest.raises(DuplicatePortfolioError) as excinfo:
		new_portfolio(portfolio.customer).insert(ignore_permissions=True)
	assert portfolio.customer in str(excinfo.value)
	assert frappe.db.count("Customer Portfolio", {"customer": portfolio.customer}) == 1


# Rule 2: relationship manager defaults from Customer.account_manager


def test_relationship_manager_defaults_to_the_customers_account_manager(set_brm_settings, managers):
	set_brm_settings(auto_create_portfolio=0)
	customer = make_customer(account_manager=RM_A)
	portfolio = new_portfolio(customer.name).insert(ignore_permissions=True)
	assert portfolio.relationship_manager == RM_A


def test_relationship_manager_given_explicitly_is_kept(set_brm_settings, managers):
	set_brm_settings(auto_create_portfolio=0)
	customer = make_customer(account_manager=RM_A)
	portfolio = new_portfolio(customer.name, relationship_manager=RM_B).insert(ignore_permissions=True)
	assert portfolio.relationship_manager == RM_B


def test_emptied_relationship_manager_falls_back_to_the_account_manager(managers):
	customer = make_customer(account_manager=RM_A)
	portfolio = make_portfolio(customer.name, relationship_manager=RM_B)
	assert portfolio.relationship_manager == RM_B
	portfolio.relationship_manager = None
	portfolio.save(ignore_permissions=True)
	assert portfolio.relationship_manager == RM_A


# Rule 3: a new relationship manager propagates to the records hanging off the portfolio


def _attach(doctype: str, name: str, portfolio: "frappe.Document") -> None:
	"""Point a record at the portfolio directly: this file tests propagation, not link_portfolio."""
	frappe.db.set_value(
		doctype,
		name,
		{"portfolio": portfolio.name, "relationship_manager": portfolio.relationship_manager},
		update_modified=False,
	)


def test_relationship_manager_change_propagates_to_agreements_and_opportunities(managers):
	portfolio = make_portfolio(relationship_manager=RM_A)
	agreement = make_agreement(portfolio.customer)
	opportunity = make_opportunity(portfolio.customer)
	_attach("Customer Agreement", agreement.name, portfolio)
	_attach("Service Opportunity", opportunity.name, portfolio)
	other = make_portfolio(relationship_manager=RM_A)
	other_agreement = make_agreement(other.customer)
	_attach("Customer Agreement", other_agreement.name, other)

	portfolio.relationship_manager = RM_B
	portfolio.save(ignore_permissions=True)

	assert frappe.db.get_value("Customer Agreement", agreement.name, "relationship_manager") == RM_B
	assert frappe.db.get_value("Service Opportunity", opportunity.name, "relationship_manager") == RM_B
	assert frappe.db.get_value("Customer Agreement", other_agreement.name, "relationship_manager") == RM_A


def test_propagation_runs_only_when_the_relationship_manager_changed(managers):
	portfolio = make_portfolio(relationship_manager=RM_A)
	with mock.patch(f"{CONTROLLER}.propagate_relationship_manager") as propagate:
		portfolio.business_drivers = "Growth in Asia"
		portfolio.save(ignore_permissions=True)
		propagate.assert_not_called()

		portfolio.relationship_manager = RM_B
		portfolio.save(ignore_permissions=True)
		propagate.assert_called_once_with(portfolio.name, RM_B)


# Rule 4: a portfolio for each new customer, when BRM Settings say so


def test_new_customer_gets_a_portfolio_when_auto_create_is_on(set_brm_settings, managers):
	set_brm_settings(auto_create_portfolio=1)
	customer = make_customer(account_manager=RM_A)
	portfolio = frappe.get_doc("Customer Portfolio", {"customer": customer.name})
	assert portfolio.relationship_manager == RM_A
	assert portfolio.customer_name == customer.customer_name


def test_new_customer_gets_no_portfolio_when_auto_create_is_off(set_brm_settings):
	set_brm_settings(auto_create_portfolio=0)
	customer = make_customer()
	assert not frappe.db.exists("Customer Portfolio", {"customer": customer.name})


def test_auto_create_is_idempotent(set_brm_settings):
	set_brm_settings(auto_create_portfolio=1)
	customer = make_customer()
	customer_hooks.after_insert(customer)
	customer_hooks.after_insert(customer)
	assert frappe.db.count("Customer Portfolio", {"customer": customer.name}) == 1


def test_auto_create_hook_is_registered_for_customer():
	events = frappe.get_hooks("doc_events").get("Customer", {})
	assert "brm_app.integrations.customer.after_insert" in events.get("after_insert", [])


# Rule 5: stakeholders and business outcomes (K1 evidence)


def test_stakeholder_must_be_a_contact_of_the_customer():
	portfolio = make_portfolio()
	stranger = make_contact(make_customer().name)
	portfolio.append("stakeholders", {"contact": stranger.name, "stakeholder_role": "Sponsor"})
	with pytest.raises(StakeholderContactError) as excinfo:
		portfolio.save(ignore_permissions=True)
	assert stranger.name in str(excinfo.value)


def test_stakeholder_without_any_customer_link_is_refused():
	portfolio = make_portfolio()
	loner = make_contact()
	portfolio.append("stakeholders", {"contact": loner.name})
	with pytest.raises(StakeholderContactError):
		portfolio.save(ignore_permissions=True)


def test_stakeholder_contact_of_the_customer_is_accepted():
	portfolio = make_portfolio()
	contact = make_contact(portfolio.customer)
	portfolio.append("stakeholders", {"contact": contact.name, "stakeholder_role": "Decision Maker"})
	portfolio.save(ignore_permissions=True)
	assert [row.contact for row in portfolio.reload().stakeholders] == [contact.name]
	assert portfolio.stakeholders[0].email_id == contact.email_id


def test_same_stakeholder_twice_is_refused():
	portfolio = make_portfolio()
	contact = make_contact(portfolio.customer)
	portfolio.append("stakeholders", {"contact": contact.name, "stakeholder_role": "Sponsor"})
	portfolio.append("stakeholders", {"contact": contact.name, "stakeholder_role": "Key User"})
	with pytest.raises(StakeholderContactError) as excinfo:
		portfolio.save(ignore_permissions=True)
	assert "already a stakeholder" in str(excinfo.value)


@pytest.mark.parametrize("missing", ["agreed_on", "agreed_by"])
def test_agreed_outcome_needs_date_and_contact(missing):
	portfolio = make_portfolio()
	contact = make_contact(portfolio.customer)
	row = {
		"objective": "Cut order lead time",
		"status": "Agreed",
		"agreed_on": nowdate(),
		"agreed_by": contact.name,
	}
	row.pop(missing)
	portfolio.append("business_outcomes", row)
	with pytest.raises(OutcomeAgreementError):
		portfolio.save(ignore_permissions=True)


def test_outcome_agreed_by_a_contact_of_another_customer_is_refused():
	portfolio = make_portfolio()
	stranger = make_contact(make_customer().name)
	portfolio.append(
		"business_outcomes",
		{
			"objective": "Open 3 stores",
			"status": "Agreed",
			"agreed_on": nowdate(),
			"agreed_by": stranger.name,
		},
	)
	with pytest.raises(StakeholderContactError) as excinfo:
		portfolio.save(ignore_permissions=True)
	assert stranger.name in str(excinfo.value)


def test_outcome_agreed_in_the_future_is_refused():
	portfolio = make_portfolio()
	contact = make_contact(portfolio.customer)
	portfolio.append(
		"business_outcomes",
		{
			"objective": "Open 3 stores",
			"status": "Agreed",
			"agreed_on": add_days(nowdate(), 1),
			"agreed_by": contact.name,
		},
	)
	with pytest.raises(OutcomeAgreementError):
		portfolio.save(ignore_permissions=True)


def test_agreed_outcome_with_evidence_is_saved_and_proposed_needs_none():
	portfolio = make_portfolio()
	contact = make_contact(portfolio.customer)
	portfolio.append("business_outcomes", {"objective": "Grow online sales", "status": "Proposed"})
	portfolio.append(
		"business_outcomes",
		{"objective": "Open 3 stores", "status": "Agreed", "agreed_on": nowdate(), "agreed_by": contact.name},
	)
	portfolio.save(ignore_permissions=True)
	assert [row.status for row in portfolio.reload().business_outcomes] == ["Proposed", "Agreed"]


# Rule 5/6: services consumed


def test_same_service_twice_is_refused():
	portfolio = make_portfolio()
	service = make_it_service()
	portfolio.append("services", {"it_service": service.name})
	portfolio.append("services", {"it_service": service.name})
	with pytest.raises(DuplicatePortfolioServiceError):
		portfolio.save(ignore_permissions=True)


def test_retired_service_cannot_be_added():
	portfolio = make_portfolio()
	retired = make_it_service(lifecycle_status="Retired")
	portfolio.append("services", {"it_service": retired.name})
	with pytest.raises(RetiredServiceError) as excinfo:
		portfolio.save(ignore_permissions=True)
	assert retired.name in str(excinfo.value)


def test_service_retired_after_it_was_consumed_stays_on_the_portfolio():
	portfolio = make_portfolio()
	service = make_it_service()
	portfolio.append("services", {"it_service": service.name})
	portfolio.save(ignore_permissions=True)
	frappe.db.set_value("IT Service", service.name, "lifecycle_status", "Retired")

	portfolio.services[0].business_criticality = "Critical"
	portfolio.append("services", {"it_service": make_it_service().name})
	portfolio.save(ignore_permissions=True)
	assert len(portfolio.reload().services) == 2
	assert portfolio.services[0].it_service == service.name
	assert portfolio.services[0].business_criticality == "Critical"


# Rule 9: form connections


def test_dashboard_connects_the_records_hanging_off_the_portfolio():
	data = get_data()
	assert data["fieldname"] == "portfolio"
	items = {item for group in data["transactions"] for item in group["items"]}
	assert items == {
		"Customer Agreement",
		"Service Opportunity",
		"Business Case",
		"Satisfaction Survey",
		"Service Review",  # issue 18
		"Issue",  # the customer's tickets and projects, matched on customer (issue 8)
		"Project",
	}
	for doctype in items:
		fieldname = data.get("non_standard_fieldnames", {}).get(doctype, "portfolio")
		assert frappe.get_meta(doctype).has_field(fieldname)


def test_dashboard_is_picked_up_by_the_form():
	data = frappe.get_meta("Customer Portfolio").get_dashboard_data()
	assert data.fieldname == "portfolio"
	assert "Customer Agreement" in {item for group in data.transactions for item in group["items"]}
