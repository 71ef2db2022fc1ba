"""permission_query_conditions (lists, get_list, reports) and has_permission (forms, REST, print) must agree.

On a mixed dataset — several relationship managers, a relationship-team member, process roles, a user
with no BRM role, records shared by a process manager with one user and with everyone — for each of the
five doctypes and each user, the names frappe.get_list returns are exactly the names has_permission
allows. A property test repeats this on generated datasets (who manages which portfolio, who is on its
team, what is shared with whom).
"""

import frappe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brm_app.access.rules import child_query_conditions
from tests.security.conftest import AGREEMENT, DOCTYPES, OPPORTUNITY, PORTFOLIO, fast_user, make_world
from tests.support.factories import make_agreement, make_portfolio, uid
from tests.support.users import as_user

pytestmark = pytest.mark.usefixtures("rolled_back")


def _world_names(world, doctype) -> set[str]:
	return {records[doctype] for records in world.records.values()}


def _listed(doctype, user, among) -> set[str]:
	with as_user(user):
		try:
			names = frappe.get_list(doctype, pluck="name", limit=0)
		except frappe.PermissionError:
			names = []
	return set(names) & among


def _allowed(doctype, user, among) -> set[str]:
	with as_user(user):
		return {name for name in among if frappe.has_permission(doctype, "read", doc=name)}


def _share(doctype, name, user=None, everyone=0):
	frappe.share.add_docshare(
		doctype, name, user=user, everyone=everyone, flags={"ignore_share_permission": 1}
	)


@pytest.fixture
def mixed():
	world = make_world(uid("agr"))
	world.nobody = fast_user(f"brm-acc-{uid()}-nobody@example.com", ("Sales User",))
	with as_user(world.pm):
		# the process manager shares one of A's agreements with B, and one of B's opportunities with everyone
		_share(AGREEMENT, world.records["a1"][AGREEMENT], user=world.rm_b)
		_share(OPPORTUNITY, world.records["b1"][OPPORTUNITY], everyone=1)
	return world


def test_get_list_and_has_permission_agree_for_every_user_and_doctype(mixed):
	world = mixed
	users = (world.rm_a, world.rm_b, world.rm_t, world.pm, world.po, world.nobody)
	for doctype in DOCTYPES:
		among = _world_names(world, doctype)
		for user in users:
			listed, allowed = _listed(doctype, user, among), _allowed(doctype, user, among)
			assert listed == allowed, (doctype, user, listed ^ allowed)


def test_the_mixed_dataset_exercises_every_branch(mixed):
	"""What the agreement test compares is not trivial: the rule hides, the team and shares grant."""
	world = mixed
	agreements = _world_names(world, AGREEMENT)
	assert _listed(AGREEMENT, world.rm_b, agreements) == {
		world.records["b1"][AGREEMENT],
		world.records["a1"][AGREEMENT],  # shared by the process manager
	}
	assert _listed(AGREEMENT, world.rm_t, agreements) == {world.records["a2"][AGREEMENT]}
	assert _listed(AGREEMENT, world.rm_a, agreements) == {
		world.records["a1"][AGREEMENT],
		world.records["a2"][AGREEMENT],
	}
	assert _listed(AGREEMENT, world.pm, agreements) == agreements
	assert _listed(AGREEMENT, world.nobody, agreements) == set()
	# shared with everyone: every relationship manager sees B's opportunity, but only that one of B's
	opportunities = _world_names(world, OPPORTUNITY)
	assert world.records["b1"][OPPORTUNITY] in _listed(OPPORTUNITY, world.rm_t, opportunities)
	assert world.records["b1"][PORTFOLIO] not in _listed(
		PORTFOLIO, world.rm_t, _world_names(world, PORTFOLIO)
	)


def test_child_tables_listed_on_their_own_follow_their_parent(mixed):
	"""frappe checks only the parent doctype when a child table is listed with parent=...: the rows of
	another manager's business case costs or survey answers must not come back."""
	world = mixed
	for child, parent in (
		("Business Case Cost", "Business Case"),
		("Business Case Benefit", "Business Case"),
		("Business Case Requirement", "Business Case"),
		("Portfolio Team Member", PORTFOLIO),
	):
		with as_user(world.rm_b):
			parents = set(frappe.get_list(child, parent_doctype=parent, pluck="parent", limit=0))
		theirs = {records[parent] for records in world.records.values()} & parents
		assert theirs <= {world.records["b1"][parent]}, (child, theirs)
	with as_user(world.rm_t):
		team_rows = frappe.get_list(
			"Portfolio Team Member", parent_doctype=PORTFOLIO, fields=["parent", "user"], limit=0
		)
	assert {row.parent for row in team_rows} >= {world.records["a2"][PORTFOLIO]}
	assert world.records["a1"][PORTFOLIO] not in {row.parent for row in team_rows}
	assert child_query_conditions(world.pm, "Business Case Cost") == ""


# --- generated datasets -----------------------------------------------------------------------------------

MANAGERS = 3

datasets = st.fixed_dictionaries(
	{
		# for each of four portfolios: its manager (index) and its team (indexes)
		"portfolios": st.lists(
			st.tuples(
				st.integers(0, MANAGERS - 1),
				st.sets(st.integers(0, MANAGERS - 1), max_size=2),
			),
			min_size=1,
			max_size=4,
		),
		# shares by the process manager: (portfolio index, user index or None for everyone)
		"shares": st.lists(
			st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(0, MANAGERS - 1))), max_size=3
		),
	}
)


@pytest.fixture
def people():
	slug = uid("gen")
	managers = [
		fast_user(f"brm-acc-{slug}-rm{i}@example.com", ("Business Relationship Manager",))
		for i in range(MANAGERS)
	]
	pm = fast_user(f"brm-acc-{slug}-pm@example.com", ("BRM Process Manager",))
	return managers, pm


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=datasets)
def test_agreement_holds_on_generated_datasets(people, data):
	managers, pm = people
	savepoint = uid("sp")
	frappe.db.savepoint(savepoint)
	try:
		portfolios, agreements = [], []
		for manager, team in data["portfolios"]:
			portfolio = make_portfolio(
				relationship_manager=managers[manager],
				relationship_team=[{"user": managers[t]} for t in sorted(team) if t != manager],
			)
			portfolios.append(portfolio.name)
			agreements.append(make_agreement(customer=portfolio.customer).name)
		with as_user(pm):
			for index, user in data["shares"]:
				if index < len(portfolios):
					target = managers[user] if user is not None else None
					_share(AGREEMENT, agreements[index], user=target, everyone=int(target is None))
		for doctype, among in ((PORTFOLIO, set(portfolios)), (AGREEMENT, set(agreements))):
			for user in managers:
				assert _listed(doctype, user, among) == _allowed(doctype, user, among), (doctype, user, data)
	finally:
		frappe.db.rollback(save_point=savepoint)
