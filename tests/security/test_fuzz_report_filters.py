"""Fuzz the filters of every BRM script report over HTTP, as a relationship manager (issue 7 "Suite").

Hypothesis generates filter dictionaries — the reports' own filter names and unknown keys, with random
strings, SQL metacharacters, wrong types, huge numbers, lists, nulls and garbage dates — and sends them to
frappe.desk.query_report.run on a real server on loopback, logged in as relationship manager B. Whatever
comes in: never a server error (HTTP 5xx), and never a row of relationship manager A's customers (names,
customers or A as relationship manager anywhere in the answer).
"""

import json

import frappe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import AGREEMENT, CASE, OPPORTUNITY, PORTFOLIO
from tests.support.security import HttpUser

pytestmark = pytest.mark.usefixtures("world")

RUN = "frappe.desk.query_report.run"
KNOWN_KEYS = (
	"from_date",
	"to_date",
	"relationship_manager",
	"customer",
	"service",
	"days_ahead",
	"group_by",
	"health_rag",
	"relationship_status",
	"limit",
	"prepared_report_name",
	"user",
)
SQL_BITS = (
	"' or '1'='1",
	'" or 1=1 -- ',
	"%",
	"_",
	"\\",
	"`tabCustomer Portfolio`",
	"1; drop table `tabUser`",
	"') union select name, password from __Auth -- ",
	"%(customer)s",
	"{0}",
	"{{ 7*7 }}",
	"\x00",
	"NULL",
)
GARBAGE_DATES = ("2024-02-30", "0000-00-00", "31/12/2024", "yesterday", "9999-99-99", "2024-13-01", "1e9", "")

scalars = st.one_of(
	st.none(),
	st.booleans(),
	st.integers(min_value=-(10**20), max_value=10**20),
	st.floats(allow_nan=True, allow_infinity=True),
	st.text(max_size=40),
	st.sampled_from(SQL_BITS),
	st.sampled_from(GARBAGE_DATES),
	st.just("x" * 5000),
)
values = st.one_of(
	scalars, st.lists(scalars, max_size=4), st.dictionaries(st.text(max_size=8), scalars, max_size=3)
)
filters_strategy = st.dictionaries(
	st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12)), values, max_size=6
)


@pytest.fixture(scope="module")
def rm_b(server, world):
	return HttpUser(server, world.rm_b)


@pytest.fixture(scope="module")
def reports(world):
	names = frappe.get_all(
		"Report",
		filters={"module": "BRM App", "report_type": "Script Report", "is_standard": "Yes"},
		pluck="name",
	)
	assert len(names) >= 5, names
	return sorted(names)


def _forbidden(world) -> list[str]:
	"""What of A's may never appear in B's answers."""
	out = [world.rm_a]
	for key in ("a1", "a2"):
		records = world.records[key]
		out += [
			records[PORTFOLIO],
			records[AGREEMENT],
			records[OPPORTUNITY],
			records[CASE],
			world.marker[key],
		]
	return out


def _encode(filters) -> str:
	return json.dumps(filters, default=str, allow_nan=True)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(data=st.data())
def test_generated_report_filters_never_fail_nor_leak(world, rm_b, reports, data):
	report = data.draw(st.sampled_from(reports), label="report")
	filters = data.draw(filters_strategy, label="filters")
	as_get = data.draw(st.booleans(), label="GET")
	if as_get:
		response = rm_b.get_method(RUN, report_name=report, filters=_encode(filters))
	else:
		response = rm_b.call(RUN, report_name=report, filters=_encode(filters))
	assert response.status_code < 500, (report, filters, response.status_code, response.text[:1500])
	for secret in _forbidden(world):
		assert secret not in response.text, (report, filters, secret)


@pytest.mark.parametrize("raw", ["not json", "[1, 2", "null", "[]", "42", '"text"', "{" * 50])
def test_malformed_filter_payloads_are_refused_cleanly(world, rm_b, reports, raw):
	for report in reports:
		response = rm_b.call(RUN, report_name=report, filters=raw)
		assert response.status_code < 500, (report, raw, response.status_code, response.text[:1500])
		for secret in _forbidden(world):
			assert secret not in response.text
