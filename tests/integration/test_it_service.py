"""IT Service rules: committable availability within 0 < x <= 100, the service owner default."""

import frappe
import pytest

from brm_app.exceptions import InvalidAvailabilityError
from tests.support.factories import make_it_service
from tests.support.users import as_role, make_user


@pytest.mark.parametrize("availability", [0, -1, 100.01, 150])
def test_committable_availability_out_of_range_is_refused(availability):
	with pytest.raises(InvalidAvailabilityError):
		make_it_service(max_committable_availability=availability)


@pytest.mark.parametrize("availability", [0.01, 99.5, 100])
def test_committable_availability_in_range_is_accepted(availability):
	service = make_it_service(max_committable_availability=availability)
	assert service.reload().max_committable_availability == availability


def test_committable_availability_is_checked_on_save_too():
	service = make_it_service()
	service.max_committable_availability = 101
	with pytest.raises(InvalidAvailabilityError):
		service.save(ignore_permissions=True)


def test_service_owner_defaults_to_the_user_who_registers_it():
	with as_role("BRM Process Manager") as email:
		service = frappe.get_doc(
			{"doctype": "IT Service", "service_name": "H2 Owner Default", "max_committable_availability": 99}
		).insert()
	assert service.service_owner == email


def test_service_owner_given_explicitly_is_kept():
	owner = make_user("h2-service-owner@example.com", ("BRM Process Manager",))
	with as_role("BRM Process Manager"):
		service = frappe.get_doc(
			{
				"doctype": "IT Service",
				"service_name": "H2 Owner Explicit",
				"service_owner": owner,
				"max_committable_availability": 99,
			}
		).insert()
	assert service.service_owner == owner


def test_service_owner_is_not_reset_on_later_saves():
	service = make_it_service()
	service.service_owner = None
	service.save(ignore_permissions=True)
	assert service.reload().service_owner is None
