"""The notice deadline (brm_app.services.agreement_status.notice_deadline): the one rule behind the Expiring
status, the renewal reminder and its e-mail, the portfolio overview and the Agreement Renewals report; no
site needed (its SQL twin against MariaDB: tests/integration/test_notice_deadline_sql.py)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brm_app.services.agreement_status import derive_status, notice_deadline, notice_deadline_sql


def test_the_deadline_is_the_end_date_less_the_notice_period():
	assert notice_deadline(date(2026, 12, 31), 30) == date(2026, 12, 1)
	assert notice_deadline(date(2028, 3, 1), 1) == date(2028, 2, 29)
	assert notice_deadline(date(2026, 12, 31), 0) == date(2026, 12, 31)


def test_no_notice_period_is_the_end_date_itself():
	assert notice_deadline(date(2026, 12, 31), None) == date(2026, 12, 31)


@settings(deadline=None, max_examples=200)
@given(
	st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
	st.integers(min_value=0, max_value=3000),
	st.integers(min_value=0, max_value=3000),
)
def test_an_agreement_is_expiring_exactly_from_its_deadline_on(end, notice, before_end):
	start = end - timedelta(days=notice + 1)
	today = end - timedelta(days=before_end)
	expiring = derive_status(1, None, start, end, notice, today, None) == "Expiring"
	assert expiring == (today >= notice_deadline(end, notice))


def test_the_sql_twin_names_the_aliased_columns():
	assert notice_deadline_sql("ca") == (
		"date_sub(ca.`end_date`, interval ifnull(ca.`notice_period_days`, 0) day)"
	)


@pytest.mark.parametrize("alias", ["ca`", "ca; drop table x", "", "1ca"])
def test_the_sql_twin_takes_only_an_identifier_as_alias(alias):
	with pytest.raises(ValueError):
		notice_deadline_sql(alias)
