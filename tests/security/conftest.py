"""Fixtures of the access-model cases (docs/security.md 1-4, 18, 19) and their HTTP tests.

`world` is a committed mixed dataset for tests that go through a real server on loopback (the server
only sees committed data; tests.support.security's `committed` tracker deletes it again): two relationship
managers with their own customers, a third on the relationship team of one of A's portfolios, and a
process manager; each customer has an agreement, an opportunity, a business case and a survey.

`make_world` builds the same shape inside a test's rolled-back transaction (ORM-level tests).
"""

from types import SimpleNamespace

import frappe
import pytest

from tests.support import security
from tests.support.factories import (
	make_agreement,
	make_business_case,
	make_opportunity,
	make_portfolio,
	make_survey,
	make_survey_template,
	mute_mail,
	uid,
)
from tests.support.security import http_user
from tests.support.users import insert_user, make_user

# the live-server fixtures of tests.support.security, for every module here
committed = security.committed
server = security.server_fixture
rolled_back = security.rolled_back

RM = "Business Relationship Manager"
PM = "BRM Process Manager"
PO = "BRM Process Owner"
PORTFOLIO = "Customer Portfolio"
AGREEMENT = "Customer Agreement"
OPPORTUNITY = "Service Opportunity"
CASE = "Business Case"
SURVEY = "Satisfaction Survey"
DOCTYPES = (PORTFOLIO, AGREEMENT, OPPORTUNITY, CASE, SURVEY)
# each record's searchable title field (link search matches it)
TITLE_FIELD = {
	PORTFOLIO: "customer_name",
	AGREEMENT: "agreement_title",
	OPPORTUNITY: "opportunity_title",
	CASE: "title",
	SURVEY: "customer_name",
}


def make_customer_records(customer: str, marker: str, template: str) -> dict[str, str]:
	"""One record of each doctype for `customer` (whose portfolio exists); returns doctype -> name."""
	return {
		PORTFOLIO: customer,
		AGREEMENT: make_agreement(customer=customer, agreement_title=f"Agreement {marker}").name,
		OPPORTUNITY: make_opportunity(customer=customer, opportunity_title=f"Opportunity {marker}").name,
		CASE: make_business_case(customer=customer, title=f"Case {marker}").name,
		SURVEY: make_survey(customer=customer, template=template).name,
	}


def fast_user(email: str, roles: tuple[str, ...]) -> str:
	"""An enabled System User with `roles`, written with db_insert (a User's hooks cost seconds each)."""
	if frappe.db.exists("User", email):
		return make_user(email, roles)
	insert_user(email, roles)
	frappe.clear_cache(user=email)
	return email


def make_world(slug: str, user_factory=None) -> SimpleNamespace:
	"""Users and records (as Administrator, in the current transaction):

	- rm_a manages portfolios a1 and a2; rm_b manages b1; rm_t is on a2's relationship team;
	- pm is a BRM Process Manager, po a BRM Process Owner;
	- records[key][doctype] is the name of key's record of each doctype (key in a1, a2, b1).
	"""
	user_factory = user_factory or fast_user
	mute_mail()
	world = SimpleNamespace(
		rm_a=user_factory(f"brm-acc-{slug}-rm-a@example.com", (RM,)),
		rm_b=user_factory(f"brm-acc-{slug}-rm-b@example.com", (RM,)),
		rm_t=user_factory(f"brm-acc-{slug}-rm-t@example.com", (RM,)),
		pm=user_factory(f"brm-acc-{slug}-pm@example.com", (PM,)),
		po=user_factory(f"brm-acc-{slug}-po@example.com", (PO,)),
	)
	template = make_survey_template().name
	world.template = template
	world.marker = {}
	world.records = {}
	for key, manager, team in (
		("a1", world.rm_a, []),
		("a2", world.rm_a, [world.rm_t]),
		("b1", world.rm_b, []),
	):
		marker = uid(f"acc{key}")
		portfolio = make_portfolio(
			relationship_manager=manager, relationship_team=[{"user": u} for u in team]
		)
		world.marker[key] = marker
		world.records[key] = make_customer_records(portfolio.customer, marker, template)
	return world


def visible_keys(world, user: str) -> set[str]:
	"""The portfolios (keys of world.records) `user` may see by the rule (no shares)."""
	return {
		world.rm_a: {"a1", "a2"},
		world.rm_b: {"b1"},
		world.rm_t: {"a2"},
	}.get(user, {"a1", "a2", "b1"})


@pytest.fixture(scope="module")
def world(committed, server):
	"""`make_world`, committed for the live server (cleaned up with the module)."""
	frappe.db.rollback()
	frappe.set_user("Administrator")

	def user_factory(email, roles):
		return http_user(committed, email, roles)

	w = make_world(uid("w"), user_factory)
	committed.add("Satisfaction Survey Template", w.template)
	for records in w.records.values():
		for doctype, name in records.items():
			committed.add(doctype, name)
		committed.add("Customer", records[PORTFOLIO])
	committed.commit()
	return w
