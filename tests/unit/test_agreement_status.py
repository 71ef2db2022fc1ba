"""Customer Agreement status and renewal periods (brm_app.services.agreement_status); no site needed."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brm_app.services.agreement_status import (
	LIFECYCLE_RANK,
	STATUSES,
	AgreementStatusInputError,
	derive_status,
	renewal_period,
)

PROPERTY = settings(deadline=None, max_examples=300)

START = date(2026, 1, 1)
END = date(2026, 12, 31)


def status(today: date, docstatus: int = 1, notice: int = 30, terminated_on=None, workflow_state=None) -> str:
	return derive_status(docstatus, workflow_state, START, END, notice, today, terminated_on)


# --- examples -----------------------------------------------------------------------------------


def test_draft_and_pending_sign_off():
	assert status(date(2026, 6, 1), docstatus=0) == "Draft"
	assert status(date(2026, 6, 1), docstatus=0, workflow_state="Pending Sign-off") == "Pending Sign-off"
	assert status(date(2026, 6, 1), docstatus=0, workflow_state="Approved") == "Draft"


def test_cancelled_whatever_the_dates():
	assert status(date(2030, 1, 1), docstatus=2) == "Cancelled"
	assert status(date(2026, 6, 1), docstatus=2, terminated_on=date(2026, 2, 1)) == "Cancelled"


def test_active_before_start_and_during_validity():
	assert status(date(2025, 12, 1)) == "Active"
	assert status(START) == "Active"
	assert status(date(2026, 11, 30)) == "Active"


def test_expiring_from_the_notice_date_until_the_end_date():
	assert status(date(2026, 12, 1)) == "Expiring"  # 31 Dec - 30 days
	assert status(END) == "Expiring"


def test_zero_notice_expiring_only_on_the_last_day():
	assert status(date(2026, 12, 30), notice=0) == "Active"
	assert status(END, notice=0) == "Expiring"


def test_expired_the_day_after_the_end_date():
	assert status(END + timedelta(days=1)) == "Expired"


def test_terminated_from_the_termination_date_on():
	assert status(date(2026, 5, 31), terminated_on=date(2026, 6, 1)) == "Active"
	assert status(date(2026, 6, 1), terminated_on=date(2026, 6, 1)) == "Terminated"
	assert status(date(2027, 6, 1), terminated_on=date(2026, 6, 1)) == "Terminated"


def test_none_notice_counts_as_zero():
	assert status(END - timedelta(days=1), notice=None) == "Active"


@pytest.mark.parametrize(
	"kwargs",
	[
		{"docstatus": 3},
		{"docstatus": -1},
		{"notice_period_days": -1},
		{"end_date": START - timedelta(days=1)},
		{"start_date": None},
	],
)
def test_bad_input_is_refused(kwargs):
	args = {
		"docstatus": 1,
		"workflow_state": None,
		"start_date": START,
		"end_date": END,
		"notice_period_days": 30,
		"today": START,
		"terminated_on": None,
		**kwargs,
	}
	with pytest.raises(AgreementStatusInputError):
		derive_status(**args)


# --- properties ---------------------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def agreements(draw):
	start = draw(days)
	end = start + timedelta(days=draw(st.integers(min_value=1, max_value=4000)))
	notice = draw(st.integers(min_value=0, max_value=(end - start).days - 1))
	terminated_on = draw(st.none() | days)
	return start, end, notice, terminated_on


@PROPERTY
@given(
	agreement=agreements(),
	today=days,
	docstatus=st.sampled_from((0, 1, 2)),
	workflow_state=st.none() | st.sampled_from(("Pending Sign-off", "Draft", "Approved", "")),
)
def test_status_is_always_an_allowed_value(agreement, today, docstatus, workflow_state):
	start, end, notice, terminated_on = agreement
	result = derive_status(docstatus, workflow_state, start, end, notice, today, terminated_on)
	assert result in STATUSES
	if docstatus == 1:
		assert result in LIFECYCLE_RANK


@PROPERTY
@given(agreement=agreements(), day1=days, day2=days)
def test_status_never_goes_back_in_time(agreement, day1, day2):
	start, end, notice, terminated_on = agreement
	earlier, later = sorted((day1, day2))
	before = derive_status(1, None, start, end, notice, earlier, terminated_on)
	after = derive_status(1, None, start, end, notice, later, terminated_on)
	assert LIFECYCLE_RANK[after] >= LIFECYCLE_RANK[before]


@PROPERTY
@given(agreement=agreements())
def test_active_at_start_when_not_terminated(agreement):
	start, end, notice, _ = agreement
	# the notice period is shorter than the agreement, so the start day is before the notice date
	assert derive_status(1, None, start, end, notice, start, None) == "Active"
	assert derive_status(1, None, start, end, notice, end, None) == "Expiring"
	assert derive_status(1, None, start, end, notice, end + timedelta(days=1), None) == "Expired"


# --- renewal periods ----------------------------------------------------------------------------


@pytest.mark.parametrize(
	"start,end,expected",
	[
		# a calendar year stays a calendar year, also into a leap year
		(date(2027, 1, 1), date(2027, 12, 31), (date(2028, 1, 1), date(2028, 12, 31))),
		(date(2028, 1, 1), date(2028, 12, 31), (date(2029, 1, 1), date(2029, 12, 31))),
		# whole months from mid-month
		(date(2026, 3, 15), date(2026, 6, 14), (date(2026, 6, 15), date(2026, 9, 14))),
		# not whole months: same number of days
		(date(2026, 1, 1), date(2026, 1, 10), (date(2026, 1, 11), date(2026, 1, 20))),
		(date(2026, 1, 1), date(2026, 12, 30), (date(2026, 12, 31), date(2027, 12, 29))),
	],
)
def test_renewal_period_examples(start, end, expected):
	assert renewal_period(start, end) == expected


def test_renewal_period_refuses_reversed_dates():
	with pytest.raises(AgreementStatusInputError):
		renewal_period(date(2026, 2, 1), date(2026, 1, 1))


@PROPERTY
@given(start=days, length=st.integers(min_value=0, max_value=4000))
def test_renewal_starts_the_next_day_and_lasts_about_as_long(start, length):
	end = start + timedelta(days=length)
	new_start, new_end = renewal_period(start, end)
	assert new_start == end + timedelta(days=1)
	assert new_end >= new_start
	# a whole-month period may differ by the few days months differ by: February (up to 3) and
	# the leap days in each window (at most 2 apart, with a non-leap century year like 2100)
	assert abs((new_end - new_start).days - length) <= 5
