"""Case 32 (docs/security.md): a relationship-team member reassigns the portfolio to themselves → refused.

Who may change a portfolio's relationship manager: a BRM Process Manager, Process Owner or System Manager
(CustomerPortfolio.validate_relationship_manager_change, on every path). Not a team member, and not the
relationship manager either: a hand-over moves every record of the customer to another person, which is
the process's decision. Over HTTP against a real server on loopback: PUT /api/resource, frappe.client
set_value and /api/v2 as the team member and as the manager → refused, nothing changes; a process manager's
hand-over works and the customer's records follow it.
"""

import frappe
import pytest

from tests.security.conftest import AGREEMENT, CASE, PORTFOLIO
from tests.support.security import HttpUser, refresh

pytestmark = pytest.mark.usefixtures("world")


@pytest.fixture(scope="module")
def browsers(server, world):
	return {key: HttpUser(server, getattr(world, key)) for key in ("rm_a", "rm_t", "pm")}


def _manager(portfolio: str) -> str:
	refresh()
	return frappe.db.get_value(PORTFOLIO, portfolio, "relationship_manager")


def _attempts(browser, portfolio: str, new_manager: str) -> dict:
	return {
		"PUT": browser.resource("PUT", PORTFOLIO, portfolio, json={"relationship_manager": new_manager}),
		"set_value": browser.call(
			"frappe.client.set_value",
			doctype=PORTFOLIO,
			name=portfolio,
			fieldname="relationship_manager",
			value=new_manager,
		),
		"v2": browser.session.patch(
			f"{browser.url}/api/v2/document/{PORTFOLIO}/{portfolio}",
			json={"relationship_manager": new_manager},
			headers=browser._headers(),
			timeout=60,
		),
	}


def test_team_member_cannot_take_the_portfolio(world, browsers):
	portfolio = world.records["a2"][PORTFOLIO]
	assert _manager(portfolio) == world.rm_a
	for route, response in _attempts(browsers["rm_t"], portfolio, world.rm_t).items():
		assert response.status_code == 403, (route, response.text[:500])
	assert _manager(portfolio) == world.rm_a
	# the owner keeps access to the customer's records
	assert browsers["rm_a"].resource("GET", CASE, world.records["a2"][CASE]).status_code == 200


def test_relationship_manager_cannot_hand_the_portfolio_over(world, browsers):
	portfolio = world.records["a1"][PORTFOLIO]
	for route, response in _attempts(browsers["rm_a"], portfolio, world.rm_b).items():
		assert response.status_code == 403, (route, response.text[:500])
	assert _manager(portfolio) == world.rm_a


def test_team_member_can_still_edit_the_portfolio(world, browsers):
	"""The rule is about the relationship manager only: other fields stay the team's to edit."""
	portfolio = world.records["a2"][PORTFOLIO]
	response = browsers["rm_t"].resource("PUT", PORTFOLIO, portfolio, json={"business_drivers": "grow"})
	assert response.status_code == 200, response.text[:500]
	assert _manager(portfolio) == world.rm_a


def test_process_manager_hands_the_portfolio_over(world, browsers):
	portfolio = world.records["a1"][PORTFOLIO]
	response = browsers["pm"].resource("PUT", PORTFOLIO, portfolio, json={"relationship_manager": world.rm_t})
	assert response.status_code == 200, response.text[:500]
	assert _manager(portfolio) == world.rm_t
	refresh()
	assert (
		frappe.db.get_value(AGREEMENT, world.records["a1"][AGREEMENT], "relationship_manager") == world.rm_t
	)
	back = browsers["pm"].resource("PUT", PORTFOLIO, portfolio, json={"relationship_manager": world.rm_a})
	assert back.status_code == 200, back.text[:500]
	assert _manager(portfolio) == world.rm_a
