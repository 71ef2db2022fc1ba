"""The one way brm_app reads BRM Settings.

`get_settings()` is the cached single (saving the settings clears frappe's document cache); the helpers
below turn groups of fields into what the rule core takes. The validation of the settings themselves is
the doctype's controller (brm_app/brm_app/doctype/brm_settings/brm_settings.py).
"""

import frappe
from frappe.model.document import Document
from frappe.utils import cint, cstr, flt

from brm_app.brm_app.doctype.brm_settings.brm_settings import SETTINGS, WEIGHT_FIELDS

DEFAULT_LOW_SCORE_THRESHOLD = 60.0


def get_settings() -> Document:
	"""The BRM Settings document (cached; saving the settings clears the cache)."""
	return frappe.get_cached_doc(SETTINGS)


def health_weights() -> dict[str, int]:
	"""Health-score weights keyed by part name, as brm_app.services.health.compute_health takes them."""
	settings = get_settings()
	return {part: cint(settings.get(fieldname)) for part, fieldname in WEIGHT_FIELDS.items()}


def kpi_targets() -> tuple[dict[str, float], float]:
	"""The KPI Scorecard's targets keyed by settings field (``target_…``) and the Amber tolerance (%)."""
	settings = get_settings()
	targets = {
		df.fieldname: flt(settings.get(df.fieldname))
		for df in settings.meta.fields
		if df.fieldname.startswith("target_k")
	}
	return targets, flt(settings.get("kpi_rag_tolerance"))


def ensure_defaults() -> None:
	"""Give every BRM Settings field that has no stored value yet its default from the JSON.

	frappe stores a single's defaults only when the single has no row at all (first install), so a field
	added in a later version would stay empty. Values an administrator saved, even 0 or blank, are kept.
	Idempotent: after the first run every field has a row.
	"""
	# read from the stored row, not the cached document: "never set" (no row) differs from 0
	singles = frappe.qb.DocType("Singles")
	stored = set(
		frappe.qb.from_(singles).select(singles["field"]).where(singles.doctype == SETTINGS).run(pluck=True)
	)
	missing = {
		df.fieldname: df.default
		for df in frappe.get_meta(SETTINGS).fields
		if df.default not in (None, "") and df.fieldname not in stored
	}
	if missing:
		frappe.db.set_single_value(SETTINGS, missing, update_modified=False)


def two_level_approval_threshold() -> float:
	"""The total cost from which a business case needs two approval levels (0: never)."""
	return flt(get_settings().get("two_level_approval_threshold"))


def default_notice_period_days() -> int:
	return cint(get_settings().get("default_notice_period_days"))


def low_score_threshold() -> float:
	"""BRM Settings' low-score threshold (CSAT %), or 60 when it was never set or is out of range."""
	# read from the stored row, not the cached document: "never set" (no row) differs from 0
	singles = frappe.qb.DocType("Singles")
	rows = (
		frappe.qb.from_(singles)
		.select(singles.value)
		.where((singles.doctype == SETTINGS) & (singles.field == "low_score_threshold"))
	).run()
	raw = rows[0][0] if rows else None
	if raw is None or cstr(raw).strip() == "":
		return DEFAULT_LOW_SCORE_THRESHOLD
	threshold = flt(raw)
	return threshold if 0 <= threshold <= 100 else DEFAULT_LOW_SCORE_THRESHOLD
