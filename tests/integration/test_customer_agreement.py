"""Customer Agreement (docs/design.md S2): portfolio link, dates, covered services and their SLAs, signatories,
notice period, derived status, activation, renewal, termination and the daily status job."""

import frappe
import pytest
from frappe.utils import add_days, add_years, getdate, nowdate

from brm_app.brm_app.doctype.customer_agreement.customer_agreement import (
	renew_agreement,
	terminate_agreement,
)
from brm_app.controllers.customer_linked import MissingPortfolioError
from brm_app.exceptions import (
	AgreementDateError,
	AgreementRenewalError,
	AgreementServiceError,
	AgreementSignatoryError,
	AgreementSignOffError,
	AgreementTerminationError,
	AvailabilityOverCommitError,
	NoticePeriodError,
	SLANotApplicableError,
)
from brm_app.jobs.agreements import update_agreement_statuses
from tests.support.factories import (
	make_agreement,
	make_contact,
	make_customer,
	make_it_service,
	make_portfolio,
	uid,
)
from tests.support.users import as_user, make_user
from tests.support.workflow import prepared_by_another_user, to_pending_sign_off

# --- helpers ------------------------------------------------------------------------------------


def new_agreement(customer: str | None = None, **kw) -> "frappe.Document":
	"""An unsaved agreement (for the tests that expect the insert to fail)."""
	customer = customer or make_portfolio().customer
	return frappe.get_doc(
		{
			"doctype": "Customer Agreement",
			"agreement_title": uid("Agreement "),
			"customer": customer,
			"agreement_kind": "Internal",
			"start_date": nowdate(),
			"end_date": add_days(nowdate(), 365),
			**kw,
		}
	)


def pending_sign_off(doc) -> "frappe.Document":
	"""Draft -> Pending Sign-off, prepared by a relationship manager so that Administrator may activate it."""
	return to_pending_sign_off(prepared_by_another_user(doc))


def make_signed_agreement(customer: str | None = None, **kw) -> "frappe.Document":
	"""A submitted (Active) internal agreement."""
	doc = make_agreement(customer, signed_on=kw.pop("signed_on", nowdate()), **kw)
	pending_sign_off(doc).submit()  # the sign-off workflow: Draft -> Pending Sign-off -> Active
	return doc


def make_sla(
	entity_type: str | None = None, entity: str | None = None, default: int = 0, enabled: int = 1
) -> str:
	"""An ERPNext Service Level Agreement on Issue (mimics erpnext's create_service_level_agreement)."""
	frappe.db.set_single_value("Support Settings", "track_service_level_agreement", 1)
	for priority in ("Low", "Medium", "High"):
		if not frappe.db.exists("Issue Priority", priority):
			frappe.get_doc({"doctype": "Issue Priority", "name": priority}).insert(ignore_permissions=True)
	holiday_list = frappe.get_doc(
		{
			"doctype": "Holiday List",
			"holiday_list_name": uid("BRM Holidays "),
			"from_date": add_days(nowdate(), -400),
			"to_date": add_days(nowdate(), 800),
		}
	).insert(ignore_permissions=True)
	if default:
		# erpnext allows one default SLA per document type
		for name in frappe.get_all(
			"Service Level Agreement", {"default_service_level_agreement": 1}, pluck="name"
		):
			frappe.db.set_value("Service Level Agreement", name, "default_service_level_agreement", 0)
	sla = frappe.get_doc(
		{
			"doctype": "Service Level Agreement",
			"service_level": uid("BRM SLA "),
			"document_type": "Issue",
			"enabled": 1,
			"default_service_level_agreement": default,
			"entity_type": entity_type,
			"entity": entity,
			"holiday_list": holiday_list.name,
			"apply_sla_for_resolution": 1,
			"priorities": [
				{"priority": "Low", "response_time": 14400, "resolution_time": 28800},
				{
					"priority": "Medium",
					"response_time": 14400,
					"resolution_time": 28800,
					"default_priority": 1,
				},
				{"priority": "High", "response_time": 3600, "resolution_time": 7200},
			],
			"sla_fulfilled_on": [{"status": "Resolved"}, {"status": "Closed"}],
			"support_and_resolution": [
				{"workday": day, "start_time": "09:00:00", "end_time": "17:00:00"}
				for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
			],
		}
	).insert(ignore_permissions=True)
	if not enabled:
		frappe.db.set_value("Service Level Agreement", sla.name, "enabled", 0)
	return sla.name


def make_customer_in(customer_group: str | None = None, territory: str | None = None) -> str:
	kw = {}
	if customer_group:
		kw["customer_group"] = customer_group
	if territory:
		kw["territory"] = territory
	customer = make_customer(**kw).name
	make_portfolio(customer)
	return customer


def make_customer_group() -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Customer Group",
				"customer_group_name": uid("BRM Group "),
				"parent_customer_group": "All Customer Groups",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def make_territory() -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Territory",
				"territory_name": uid("BRM Territory "),
				"parent_territory": "All Territories",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def make_contract(customer: str) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Contract",
				"party_type": "Customer",
				"party_name": customer,
				"start_date": nowdate(),
				"contract_terms": "Terms",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


# --- rule 1: portfolio ------------------------------------------------------------------------


def test_agreement_of_customer_without_portfolio_is_refused():
	customer = make_customer().name
	frappe.db.delete("Customer Portfolio", {"customer": customer})  # may be auto-created with the customer
	with pytest.raises(MissingPortfolioError):
		new_agreement(customer).insert()


def test_agreement_takes_portfolio_and_relationship_manager_from_the_customer():
	manager = make_user(f"{uid('rm')}@example.com", ("Business Relationship Manager",))
	portfolio = make_portfolio(relationship_manager=manager)
	doc = make_agreement(portfolio.customer)
	assert doc.portfolio == portfolio.name
	assert doc.relationship_manager == manager


# --- rule 2: dates ----------------------------------------------------------------------------


@pytest.mark.parametrize("end_offset", [0, -1])
def test_end_date_must_be_after_start_date(end_offset):
	with pytest.raises(AgreementDateError):
		new_agreement(end_date=add_days(nowdate(), end_offset)).insert()


def test_signed_on_cannot_be_in_the_future():
	with pytest.raises(AgreementDateError):
		new_agreement(signed_on=add_days(nowdate(), 1)).insert()


def test_signed_on_cannot_be_after_the_end_date():
	with pytest.raises(AgreementDateError):
		new_agreement(
			start_date=add_days(nowdate(), -100),
			end_date=add_days(nowdate(), -10),
			signed_on=add_days(nowdate(), -5),
		).insert()


def test_signed_before_the_start_is_accepted():
	doc = make_agreement(signed_on=add_days(nowdate(), -3), start_date=add_days(nowdate(), 10))
	assert getdate(doc.signed_on) == getdate(add_days(nowdate(), -3))


# --- rule 3: covered services ---------------------------------------------------------------------


def test_availability_target_above_the_committable_maximum_is_refused_with_both_values():
	service = make_it_service(max_committable_availability=99.5)
	with pytest.raises(AvailabilityOverCommitError) as error:
		new_agreement(services=[{"it_service": service.name, "availability_target": 99.9}]).insert()
	message = str(error.value)
	assert service.name in message and "99.9" in message and "99.5" in message


def test_availability_target_at_the_maximum_is_accepted():
	service = make_it_service(max_committable_availability=99.5)
	doc = make_agreement(services=[{"it_service": service.name, "availability_target": 99.5}])
	assert doc.services[0].availability_target == 99.5


@pytest.mark.parametrize("target", [-1, 100.5])
def test_availability_target_outside_0_to_100_is_refused(target):
	service = make_it_service(max_committable_availability=100)
	with pytest.raises(AgreementServiceError):
		new_agreement(services=[{"it_service": service.name, "availability_target": target}]).insert()


def test_the_same_service_twice_is_refused():
	service = make_it_service()
	with pytest.raises(AgreementServiceError):
		new_agreement(services=[{"it_service": service.name}, {"it_service": service.name}]).insert()


def test_a_retired_service_is_refused():
	service = make_it_service()
	frappe.db.set_value("IT Service", service.name, "lifecycle_status", "Retired")
	with pytest.raises(AgreementServiceError):
		new_agreement(services=[{"it_service": service.name}]).insert()


# --- rule 4: service level agreements -------------------------------------------------------------


def test_an_sla_of_another_customer_is_refused():
	other = make_customer().name
	sla = make_sla("Customer", other)
	service = make_it_service()
	with pytest.raises(SLANotApplicableError):
		new_agreement(services=[{"it_service": service.name, "service_level_agreement": sla}]).insert()


def test_a_disabled_sla_is_refused():
	customer = make_portfolio().customer
	sla = make_sla("Customer", customer, enabled=0)
	service = make_it_service()
	with pytest.raises(SLANotApplicableError):
		new_agreement(
			customer, services=[{"it_service": service.name, "service_level_agreement": sla}]
		).insert()


@pytest.mark.parametrize("applies_by", ["default", "Customer", "Customer Group", "Territory"])
def test_an_sla_that_applies_to_the_customer_is_accepted(applies_by):
	group, territory = make_customer_group(), make_territory()
	customer = make_customer_in(group, territory)
	sla = {
		"default": lambda: make_sla(default=1),
		"Customer": lambda: make_sla("Customer", customer),
		"Customer Group": lambda: make_sla("Customer Group", group),
		"Territory": lambda: make_sla("Territory", territory),
	}[applies_by]()
	service = make_it_service()
	doc = make_agreement(customer, services=[{"it_service": service.name, "service_level_agreement": sla}])
	assert doc.services[0].service_level_agreement == sla


@pytest.mark.parametrize("entity_type", ["Customer Group", "Territory"])
def test_an_sla_of_another_group_or_territory_is_refused(entity_type):
	customer = make_customer_in(make_customer_group(), make_territory())
	other = make_customer_group() if entity_type == "Customer Group" else make_territory()
	sla = make_sla(entity_type, other)
	service = make_it_service()
	with pytest.raises(SLANotApplicableError):
		new_agreement(
			customer, services=[{"it_service": service.name, "service_level_agreement": sla}]
		).insert()


def test_an_empty_sla_defaults_to_the_services_default_sla_when_it_applies():
	customer = make_portfolio().customer
	sla = make_sla("Customer", customer)
	service = make_it_service(default_sla=sla)
	doc = make_agreement(customer, services=[{"it_service": service.name}])
	assert doc.services[0].service_level_agreement == sla


def test_an_empty_sla_stays_empty_when_the_services_default_does_not_apply():
	sla = make_sla("Customer", make_customer().name)
	service = make_it_service(default_sla=sla)
	doc = make_agreement(services=[{"it_service": service.name}])
	assert not doc.services[0].service_level_agreement


# --- rule 5: contract and signatories ---------------------------------------------------------------


def test_an_external_agreement_needs_a_contract_or_both_signatories():
	customer = make_portfolio().customer
	contact = make_contact(customer).name
	with pytest.raises(AgreementSignatoryError):
		new_agreement(customer, agreement_kind="External").insert()
	with pytest.raises(AgreementSignatoryError):
		new_agreement(customer, agreement_kind="External", customer_signatory=contact).insert()
	with pytest.raises(AgreementSignatoryError):
		new_agreement(customer, agreement_kind="External", provider_signatory="Administrator").insert()


def test_an_external_agreement_with_both_signatories_is_accepted():
	customer = make_portfolio().customer
	contact = make_contact(customer).name
	doc = make_agreement(
		customer, agreement_kind="External", customer_signatory=contact, provider_signatory="Administrator"
	)
	assert doc.customer_signatory == contact


def test_an_external_agreement_with_a_contract_is_accepted():
	customer = make_portfolio().customer
	doc = make_agreement(customer, agreement_kind="External", contract=make_contract(customer))
	assert doc.contract


def test_a_contract_of_another_customer_is_refused():
	customer = make_portfolio().customer
	with pytest.raises(AgreementSignatoryError):
		new_agreement(
			customer, agreement_kind="External", contract=make_contract(make_customer().name)
		).insert()


def test_the_customer_signatory_must_be_a_contact_of_the_customer():
	customer = make_portfolio().customer
	stranger = make_contact(make_customer().name).name
	with pytest.raises(AgreementSignatoryError):
		new_agreement(customer, customer_signatory=stranger).insert()
	with pytest.raises(AgreementSignatoryError):
		new_agreement(
			customer,
			agreement_kind="External",
			customer_signatory=stranger,
			provider_signatory="Administrator",
		).insert()


# --- rule 6: notice period ------------------------------------------------------------------------


def test_notice_period_defaults_from_brm_settings():
	frappe.db.set_single_value("BRM Settings", "default_notice_period_days", 45)
	assert make_agreement().notice_period_days == 45


def test_notice_period_defaults_to_60_days_without_a_setting():
	frappe.db.set_single_value("BRM Settings", "default_notice_period_days", 0)
	assert make_agreement().notice_period_days == 60


def test_the_default_notice_period_is_shortened_to_fit_a_short_agreement():
	frappe.db.set_single_value("BRM Settings", "default_notice_period_days", 60)
	doc = make_agreement(end_date=add_days(nowdate(), 30))
	assert doc.notice_period_days == 29


def test_an_explicit_notice_period_is_kept():
	assert make_agreement(notice_period_days=10).notice_period_days == 10


def test_a_negative_notice_period_is_refused():
	with pytest.raises(NoticePeriodError):
		new_agreement(notice_period_days=-1).insert()


@pytest.mark.parametrize("notice", [30, 31])
def test_a_notice_period_not_shorter_than_the_agreement_is_refused(notice):
	with pytest.raises(NoticePeriodError):
		new_agreement(end_date=add_days(nowdate(), 30), notice_period_days=notice).insert()


# --- rule 7: status ---------------------------------------------------------------------------------


def test_a_new_agreement_is_draft_whatever_status_is_sent():
	assert make_agreement(status="Active").status == "Draft"


def test_pending_sign_off_follows_the_workflow_state():
	doc = new_agreement()
	doc.insert()
	doc.workflow_state = "Pending Sign-off"
	doc.save()
	assert frappe.db.get_value("Customer Agreement", doc.name, "status") == "Pending Sign-off"


def test_submitting_activates_and_cancelling_cancels():
	doc = make_signed_agreement()
	assert frappe.db.get_value("Customer Agreement", doc.name, "status") == "Active"
	doc.cancel()
	assert frappe.db.get_value("Customer Agreement", doc.name, "status") == "Cancelled"


def test_submitting_sets_the_status_even_when_validation_is_skipped():
	doc = make_agreement(signed_on=nowdate())
	doc.flags.ignore_validate = True
	doc.submit()
	assert frappe.db.get_value("Customer Agreement", doc.name, "status") == "Active"


def test_a_signed_agreement_within_its_notice_period_is_expiring():
	doc = make_signed_agreement(end_date=add_days(nowdate(), 20), notice_period_days=10, signed_on=nowdate())
	assert doc.status == "Active"
	doc = make_signed_agreement(
		start_date=add_days(nowdate(), -100), end_date=add_days(nowdate(), 5), notice_period_days=10
	)
	assert frappe.db.get_value("Customer Agreement", doc.name, "status") == "Expiring"


def test_a_past_agreement_recorded_late_is_expired_on_submit():
	doc = make_signed_agreement(
		start_date=add_years(nowdate(), -2),
		end_date=add_days(nowdate(), -1),
		signed_on=add_years(nowdate(), -2),
	)
	assert frappe.db.get_value("Customer Agreement", doc.name, "status") == "Expired"


def test_the_daily_job_expires_agreements_whose_end_date_passed_and_is_idempotent():
	active = make_signed_agreement(start_date=add_days(nowdate(), -300), signed_on=add_days(nowdate(), -300))
	ending = make_signed_agreement(start_date=add_days(nowdate(), -300), signed_on=add_days(nowdate(), -300))
	untouched = make_signed_agreement()
	# time passes: one agreement has ended, the other is in its notice period
	frappe.db.set_value("Customer Agreement", active.name, "end_date", add_days(nowdate(), -1))
	frappe.db.set_value(
		"Customer Agreement", ending.name, {"end_date": add_days(nowdate(), 5), "notice_period_days": 10}
	)

	assert update_agreement_statuses() >= 2
	assert frappe.db.get_value("Customer Agreement", active.name, "status") == "Expired"
	assert frappe.db.get_value("Customer Agreement", ending.name, "status") == "Expiring"
	assert frappe.db.get_value("Customer Agreement", untouched.name, "status") == "Active"
	assert update_agreement_statuses() == 0


def test_the_daily_job_leaves_drafts_and_cancelled_agreements_alone():
	draft = make_agreement(start_date=add_days(nowdate(), -300), end_date=add_days(nowdate(), 10))
	frappe.db.set_value("Customer Agreement", draft.name, "end_date", add_days(nowdate(), -1))
	cancelled = make_signed_agreement()
	cancelled.cancel()
	update_agreement_statuses()
	assert frappe.db.get_value("Customer Agreement", draft.name, "status") == "Draft"
	assert frappe.db.get_value("Customer Agreement", cancelled.name, "status") == "Cancelled"


# --- rule 8: activation and immutability -----------------------------------------------------------


def test_an_internal_agreement_cannot_be_activated_without_signed_on():
	doc = pending_sign_off(make_agreement())
	with pytest.raises(AgreementSignOffError):
		doc.submit()


def test_an_external_agreement_needs_both_signatories_to_be_activated():
	customer = make_portfolio().customer
	doc = make_agreement(
		customer, agreement_kind="External", contract=make_contract(customer), signed_on=nowdate()
	)
	doc = pending_sign_off(doc)
	with pytest.raises(AgreementSignOffError):
		doc.submit()
	doc.reload()
	doc.customer_signatory = make_contact(customer).name
	doc.provider_signatory = "Administrator"
	doc.save()
	doc.submit()
	assert frappe.db.get_value("Customer Agreement", doc.name, "status") == "Active"


def test_editing_a_field_of_an_active_agreement_is_refused():
	"""docs/security.md case 7: only allow_on_submit fields change after activation."""
	doc = make_signed_agreement()
	doc.end_date = add_days(doc.end_date, 365)
	with pytest.raises(frappe.UpdateAfterSubmitError):
		doc.save()


def test_setting_terminated_on_without_a_reason_is_refused():
	doc = make_signed_agreement()
	doc.terminated_on = nowdate()
	with pytest.raises(AgreementTerminationError):
		doc.save()


# --- rule 9: renewal ---------------------------------------------------------------------------------


def test_renewal_creates_the_next_version_as_a_draft():
	source = make_signed_agreement(
		start_date="2026-01-01",
		end_date="2026-12-31",
		signed_on=add_days(nowdate(), -1),
		notice_period_days=30,
	)
	renewal = frappe.get_doc("Customer Agreement", renew_agreement(source.name))
	assert renewal.docstatus == 0
	assert renewal.status == "Draft"
	assert renewal.previous_agreement == source.name
	assert getdate(renewal.start_date) == getdate("2027-01-01")
	assert getdate(renewal.end_date) == getdate("2027-12-31")
	assert renewal.customer == source.customer
	assert renewal.notice_period_days == 30
	assert not renewal.signed_on


def test_renewal_of_a_period_in_days_keeps_its_length():
	source = make_signed_agreement(start_date=nowdate(), end_date=add_days(nowdate(), 99))
	renewal = frappe.get_doc("Customer Agreement", renew_agreement(source.name))
	assert getdate(renewal.start_date) == getdate(add_days(nowdate(), 100))
	assert getdate(renewal.end_date) == getdate(add_days(nowdate(), 199))


def test_a_draft_agreement_cannot_be_renewed():
	with pytest.raises(AgreementRenewalError):
		renew_agreement(make_agreement().name)


def test_an_agreement_is_renewed_only_once_unless_the_renewal_is_cancelled():
	source = make_signed_agreement()
	first = renew_agreement(source.name)
	with pytest.raises(AgreementRenewalError):
		renew_agreement(source.name)
	renewal = frappe.get_doc("Customer Agreement", first)
	renewal.signed_on = nowdate()
	renewal.save()
	pending_sign_off(renewal).submit()
	renewal.cancel()
	assert renew_agreement(source.name) != first


def test_renewal_needs_create_permission():
	source = make_signed_agreement()
	user = make_user(f"{uid('nobody')}@example.com", ())
	with as_user(user), pytest.raises(frappe.PermissionError):
		renew_agreement(source.name)


def test_renewal_checks_create_permission_before_anything_else():
	draft = make_agreement()
	user = make_user(f"{uid('reader')}@example.com", ())
	frappe.share.add_docshare(
		"Customer Agreement", draft.name, user, read=1, flags={"ignore_share_permission": True}
	)
	with as_user(user):
		assert frappe.has_permission("Customer Agreement", "read", draft.name)
		with pytest.raises(frappe.PermissionError):
			renew_agreement(draft.name)


def test_renew_and_terminate_accept_post_only():
	for method in (renew_agreement, terminate_agreement):
		assert frappe.allowed_http_methods_for_whitelisted_func[method] == ["POST"]


# --- rule 10: termination -----------------------------------------------------------------------------


def test_terminating_sets_date_reason_and_status():
	doc = make_signed_agreement()
	assert terminate_agreement(doc.name, "  Customer left  ") == "Terminated"
	row = frappe.db.get_value(
		"Customer Agreement", doc.name, ["status", "terminated_on", "termination_reason"], as_dict=True
	)
	assert row.status == "Terminated"
	assert getdate(row.terminated_on) == getdate(nowdate())
	assert row.termination_reason == "Customer left"


def test_termination_needs_a_reason():
	doc = make_signed_agreement()
	with pytest.raises(AgreementTerminationError):
		terminate_agreement(doc.name, "   ")


def test_only_a_live_submitted_agreement_can_be_terminated():
	with pytest.raises(AgreementTerminationError):
		terminate_agreement(make_agreement().name, "reason")
	doc = make_signed_agreement()
	terminate_agreement(doc.name, "first")
	with pytest.raises(AgreementTerminationError):
		terminate_agreement(doc.name, "again")


def test_termination_needs_write_permission():
	doc = make_signed_agreement()
	user = make_user(f"{uid('reader')}@example.com", ())
	frappe.share.add_docshare(
		"Customer Agreement", doc.name, user, read=1, write=0, flags={"ignore_share_permission": True}
	)
	with as_user(user):
		assert frappe.has_permission("Customer Agreement", "read", doc.name)
		with pytest.raises(frappe.PermissionError):
			terminate_agreement(doc.name, "not mine")
	assert frappe.db.get_value("Customer Agreement", doc.name, "status") == "Active"
