"""BRM Settings: value ranges, health-score weights, the helpers and the defaults on install."""

import json
from pathlib import Path

import frappe
import pytest

from brm_app.brm_app.doctype.brm_settings import brm_settings
from brm_app.brm_app.doctype.brm_settings.brm_settings import WEIGHT_FIELDS
from brm_app.exceptions import InvalidSettingsError
from brm_app.services.health import PARTS, compute_health, health_parts
from brm_app.settings import ensure_defaults, get_settings, health_weights

SETTINGS = "BRM Settings"
SCHEMA = Path(brm_settings.__file__).with_name("brm_settings.json")


@pytest.fixture
def settings():
	"""A fresh BRM Settings document; the settings cache is dropped after the test's rollback."""
	yield frappe.get_doc(SETTINGS)
	frappe.db.rollback()
	frappe.clear_document_cache(SETTINGS, SETTINGS)
	frappe.db.value_cache.pop(SETTINGS, None)


def stored(field: str) -> list[str]:
	"""The raw values stored for one BRM Settings field (none when the field has no row)."""
	singles = frappe.qb.DocType("Singles")
	query = frappe.qb.from_(singles).select(singles.value)
	return query.where((singles.doctype == SETTINGS) & (singles["field"] == field)).run(pluck=True)


def json_defaults() -> dict[str, str]:
	fields = json.loads(SCHEMA.read_text())["fields"]
	return {df["fieldname"]: df["default"] for df in fields if df.get("default") not in (None, "")}


def test_default_settings_are_valid_and_save(settings):
	settings.save()
	assert sum(health_weights().values()) == 100


@pytest.mark.parametrize("fieldname", ["survey_sampling_percent", "low_score_threshold"])
@pytest.mark.parametrize("value", [-1, 100.5])
def test_percentages_out_of_0_to_100_are_refused(settings, fieldname, value):
	settings.set(fieldname, value)
	with pytest.raises(InvalidSettingsError) as excinfo:
		settings.save()
	assert settings.meta.get_label(fieldname) in str(excinfo.value)


@pytest.mark.parametrize("fieldname", ["survey_sampling_percent", "low_score_threshold"])
@pytest.mark.parametrize("value", [0, 100])
def test_percentages_at_the_bounds_are_accepted(settings, fieldname, value):
	settings.set(fieldname, value)
	settings.save()
	assert frappe.db.get_single_value(SETTINGS, fieldname, cache=False) == value


@pytest.mark.parametrize(
	"fieldname",
	[
		"survey_delay_hours",
		"reminder_after_days",
		"max_reminders",
		"contact_throttle_days",
		"default_notice_period_days",
		"two_level_approval_threshold",
	],
)
def test_negative_delays_days_and_counts_are_refused(settings, fieldname):
	settings.set(fieldname, -1)
	with pytest.raises(InvalidSettingsError):
		settings.save()


def test_zero_delays_and_reminders_are_accepted(settings):
	settings.update({"survey_delay_hours": 0, "reminder_after_days": 0, "max_reminders": 0})
	settings.save()
	assert frappe.db.get_single_value(SETTINGS, "max_reminders", cache=False) == 0


@pytest.mark.parametrize("value", [0, -3])
def test_survey_expiry_below_one_day_is_refused(settings, value):
	settings.survey_expiry_days = value
	with pytest.raises(InvalidSettingsError):
		settings.save()


def test_survey_expiry_of_one_day_is_accepted(settings):
	settings.survey_expiry_days = 1
	settings.save()
	assert frappe.db.get_single_value(SETTINGS, "survey_expiry_days", cache=False) == 1


def test_weights_not_adding_up_to_100_are_refused_with_the_total(settings):
	settings.weight_csat = 24
	with pytest.raises(InvalidSettingsError) as excinfo:
		settings.save()
	assert "99" in str(excinfo.value)
	assert "100" in str(excinfo.value)


def test_negative_weight_is_refused_even_when_the_total_is_100(settings):
	settings.update({"weight_csat": -10, "weight_nps": 55})
	with pytest.raises(InvalidSettingsError):
		settings.save()


def test_changed_weights_adding_up_to_100_are_used(settings):
	settings.update(
		{
			"weight_csat": 50,
			"weight_nps": 50,
			"weight_sla": 0,
			"weight_complaints": 0,
			"weight_agreement_coverage": 0,
		}
	)
	settings.save()
	weights = health_weights()
	assert weights == {"csat": 50, "nps": 50, "sla_compliance": 0, "complaints": 0, "agreement_coverage": 0}
	result = compute_health(health_parts(csat_percent=80, nps_score=0, open_complaints=5), weights)
	assert result.score == 65.0


def test_health_weights_cover_every_part_with_the_settings_values(settings):
	weights = health_weights()
	assert tuple(weights) == PARTS
	assert weights == {part: settings.get(fieldname) for part, fieldname in WEIGHT_FIELDS.items()}


def test_get_settings_returns_the_cached_single(settings):
	assert get_settings().doctype == SETTINGS
	assert get_settings() is not None
	frappe.db.set_single_value(SETTINGS, "survey_delay_hours", 7)
	assert get_settings().survey_delay_hours == 7


def test_fresh_site_has_every_default_of_the_schema():
	for fieldname in json_defaults():
		assert len(stored(fieldname)) == 1, fieldname


def test_ensure_defaults_fills_missing_values_only_and_is_idempotent(settings):
	frappe.db.delete("Singles", {"doctype": SETTINGS, "field": ("in", ["survey_delay_hours", "weight_nps"])})
	frappe.db.set_single_value(SETTINGS, {"auto_create_portfolio": 0, "survey_expiry_days": 3})

	ensure_defaults()
	ensure_defaults()

	assert stored("survey_delay_hours") == [json_defaults()["survey_delay_hours"]]
	assert stored("weight_nps") == [json_defaults()["weight_nps"]]
	assert stored("auto_create_portfolio") == ["0"]
	assert stored("survey_expiry_days") == ["3"]


def test_ensure_setup_calls_ensure_defaults(settings):
	from brm_app.setup import install

	frappe.db.delete("Singles", {"doctype": SETTINGS, "field": "contact_throttle_days"})
	install.ensure_setup()
	assert stored("contact_throttle_days") == [json_defaults()["contact_throttle_days"]]
