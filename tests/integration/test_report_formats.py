"""Every BRM report's figures read right in both number formats (issue 15): a percentage is not "80,000", a
count not "1,000", a score has one decimal.

Each report runs on a small dataset and every figure it returns is rendered the way the desk renders it:
frappe.format_value with the column's fieldtype and precision (the scorecard: the row's), under the site's
number format set to Indonesian "#.###,##" and English "#,###.##". Percentages are rendered with
brm_app.brm_app.report.shared.common.format_figure, the twin of the desk's Percent formatter (brm_desk.js): frappe's
own Python Percent format ignores the number format.
"""

import re

import frappe
import pytest
from frappe.utils import add_days, add_to_date, now_datetime, nowdate

from brm_app.brm_app.report.agreement_renewals import agreement_renewals
from brm_app.brm_app.report.brm_kpi_scorecard import brm_kpi_scorecard
from brm_app.brm_app.report.business_case_pipeline import business_case_pipeline
from brm_app.brm_app.report.customer_health import customer_health
from brm_app.brm_app.report.customer_satisfaction import customer_satisfaction
from brm_app.brm_app.report.shared.common import format_figure
from tests.support.factories import (
	make_agreement,
	make_business_case,
	make_portfolio,
	make_survey,
	mute_mail,
	set_brm_settings,
)
from tests.support.formats import ENGLISH, FORMATS, INDONESIAN, number_format

NUMBERS = ("Int", "Float", "Percent")
# what a figure of each kind may look like (values here stay below 1,000): decimals by the separator
SHAPES = {
	INDONESIAN: {"Int": r"-?\d+", "Float": r"-?\d+(,\d)?", "Percent": r"-?\d+,\d%"},
	ENGLISH: {"Int": r"-?\d+", "Float": r"-?\d+(\.\d)?", "Percent": r"-?\d+\.\d%"},
}


@pytest.fixture
def world():
	mute_mail()
	set_brm_settings(target_k6_csat=80, target_k2_cases_approved=1, target_k6_nps=30)
	portfolio = make_portfolio()
	customer = portfolio.customer
	frappe.db.set_value(
		"Customer Portfolio",
		portfolio.name,
		{
			"health_score": 71.5,
			"health_rag": "Amber",
			"csat_score": 66.67,
			"nps_score": -20,
			"sla_compliance": 100,
			"open_complaints": 1,
			"agreement_coverage": 50,
		},
	)
	survey = make_survey(customer)
	for row, value in zip(survey.answers, [5, 2, 10, "Yes", ""], strict=True):
		row.answer = value
	survey.update({"status": "Responded", "sent_on": add_to_date(now_datetime(), hours=-2)})
	survey.save(ignore_permissions=True)
	agreement = make_agreement(
		customer,
		start_date=add_days(nowdate(), -300),
		end_date=add_days(nowdate(), 40),
		notice_period_days=30,
	)
	agreement.db_set({"docstatus": 1, "status": "Active", "agreement_kind": "External"})
	make_business_case(customer)
	return frappe._dict(customer=customer)


def reports(world):
	"""(name, columns, rows) of each report, run for the dataset's customer."""
	scope = {"customer": world.customer}
	runs = {
		"BRM KPI Scorecard": brm_kpi_scorecard.execute(dict(scope)),
		"Customer Satisfaction": customer_satisfaction.execute(dict(scope)),
		"Customer Health": customer_health.execute(dict(scope)),
		"Agreement Renewals": agreement_renewals.execute(dict(scope)),
		"Business Case Pipeline": business_case_pipeline.execute(dict(scope)),
	}
	return [(name, result[0], result[1]) for name, result in runs.items()]


def rendered(value, fieldtype: str, precision: int, fmt: str) -> str:
	if fieldtype == "Percent":
		return format_figure(value, "Percent", precision, number_format=fmt)
	return str(frappe.format_value(value, {"fieldtype": fieldtype, "precision": precision}))


def figures(columns, rows):
	"""(column, fieldtype, precision, value) of every number the report shows."""
	for row in rows:
		for col in columns:
			value = row.get(col["fieldname"])
			if value is None or col.get("hidden"):
				continue
			fieldtype, precision = col["fieldtype"], col.get("precision")
			if col.get("brm_figure"):
				fieldtype, precision = row["value_fieldtype"], row["value_precision"]
			if fieldtype in NUMBERS:
				yield col["fieldname"], fieldtype, precision, value


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_figure_of_every_report_reads_as_its_kind(world, fmt):
	checked = set()
	with number_format(fmt):
		for name, columns, rows in reports(world):
			assert rows, name
			for col in columns:
				if col["fieldtype"] in NUMBERS:
					expected = 0 if col["fieldtype"] == "Int" else 1
					assert col.get("precision") == expected, (name, col["fieldname"])
			for fieldname, fieldtype, precision, value in figures(columns, rows):
				text = rendered(value, fieldtype, precision, fmt)
				assert re.fullmatch(SHAPES[fmt][fieldtype], text), (name, fieldname, value, text)
				checked.add((name, fieldtype))
	# every report showed figures, and every kind was seen
	assert {name for name, _kind in checked} == {name for name, *_r in reports(world)}
	assert {kind for _name, kind in checked} == set(NUMBERS)


def test_the_scorecard_target_and_count_read_as_a_percentage_and_a_whole_number(world):
	"""The issue's own examples: a CSAT target of 80 % read "80,000" and a count target of 1 "1,000"."""
	_columns, rows, *_rest = brm_kpi_scorecard.execute({"customer": world.customer})
	by_key = {row["key"]: row for row in rows}
	csat, approved = by_key["k6_csat"], by_key["k2_cases_approved"]
	assert (csat["value_fieldtype"], csat["value_precision"]) == ("Percent", 1)
	assert (approved["value_fieldtype"], approved["value_precision"]) == ("Int", 0)
	with number_format(INDONESIAN):
		assert format_figure(csat["target"], "Percent", 1) == "80,0%"
		assert format_figure(csat["actual"], "Percent", 1) == "50,0%"  # 5 and 2: one of two satisfied
		assert str(frappe.format_value(approved["target"], {"fieldtype": "Int", "precision": 0})) == "1"
		assert format_figure(1250, "Int", 0) == "1.250"
		assert format_figure(None, "Percent", 1) == "\u2014"
	with number_format(ENGLISH):
		assert format_figure(csat["target"], "Percent", 1) == "80.0%"
		assert format_figure(1250, "Int", 0) == "1,250"


def test_customer_health_scores_read_with_one_decimal(world):
	_columns, rows, *_rest = customer_health.execute({"customer": world.customer})
	(row,) = rows
	with number_format(INDONESIAN):
		assert frappe.format_value(row["health_score"], {"fieldtype": "Float", "precision": 1}) == "71,5"
		assert format_figure(row["csat_score"], "Percent", 1) == "66,7%"
		assert frappe.format_value(row["nps_score"], {"fieldtype": "Float", "precision": 1}) == "-20"
	with number_format(ENGLISH):
		assert frappe.format_value(row["health_score"], {"fieldtype": "Float", "precision": 1}) == "71.5"


@pytest.fixture
def indonesian():
	"""The session reads Indonesian (translations as brm_app/translations/id.csv has them now)."""
	from frappe.translate import clear_cache

	clear_cache()
	lang, frappe.local.lang = frappe.local.lang, "id"
	yield
	frappe.local.lang = lang


def test_words_made_at_run_time_read_in_indonesian_with_their_context(world, indonesian):
	"""The Pipeline's State is a workflow state ("Status"), not a country ("Negara"); the scorecard's units
	and trends and the renewal's kind are translated when the rows are built."""
	columns, rows, *_rest = business_case_pipeline.execute({"customer": world.customer})
	labels = {col["fieldname"]: col["label"] for col in columns if not col.get("hidden")}
	assert labels["state_label"] == "Status"
	assert [row["state_label"] for row in rows] == ["Draf"]
	_columns, rows, *_rest = brm_kpi_scorecard.execute({"customer": world.customer})
	by_key = {row["key"]: row for row in rows}
	assert by_key["k2_cases_approved"]["unit"] == "jumlah"
	assert by_key["k2_days_to_approval"]["unit"] == "hari"
	assert by_key["k6_nps"]["unit"] == "skor"
	assert by_key["k6_csat"]["rag"] == "Merah" and by_key["k6_csat"]["rag_key"] == "Red"
	_columns, rows, *_rest = agreement_renewals.execute({"customer": world.customer})
	assert [(row["status"], row["agreement_kind"]) for row in rows] == [("Aktif", "Eksternal")]
