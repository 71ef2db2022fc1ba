"""The notice deadline in SQL (brm_app.services.agreement_status.notice_deadline_sql, used by the Agreement
Renewals report and the portfolio overview) gives the day the Python rule gives (notice_deadline, used by
the status, the reminder job and its e-mail), on MariaDB, for month ends, leap days and no notice period."""

from datetime import date

import frappe
import pytest

from brm_app.services.agreement_status import notice_deadline, notice_deadline_sql

CASES = [
	(date(2026, 12, 31), 30),
	(date(2028, 3, 1), 1),
	(date(2027, 3, 31), 31),
	(date(2026, 1, 15), 0),
	(date(2026, 6, 30), None),
	(date(2030, 1, 1), 3650),
]


@pytest.mark.parametrize("end_date, notice", CASES)
def test_the_sql_deadline_is_the_python_deadline(site, end_date, notice):
	(deadline,) = frappe.db.sql(
		f"""select {notice_deadline_sql("ca")}
		from (select cast(%(end)s as date) as `end_date`, %(notice)s as `notice_period_days`) ca""",
		{"end": end_date, "notice": notice},
	)[0]
	assert deadline == notice_deadline(end_date, notice)
