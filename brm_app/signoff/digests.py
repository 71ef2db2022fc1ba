"""What a customer sign-off binds to: a SHA-256 digest of each requirement (text, type, acceptance
criteria, priority) and one of the case's costs and benefits (currency, rows, discount rate, horizon).

A sign-off stores the digests of what it was asked about; any later change gives other digests, and the
sign-offs that no longer match are voided (brm_app.signoff.flow). Pure Python on the row values.
"""

import hashlib
import json

REQUIREMENT_FIELDS = ("requirement", "requirement_type", "moscow_priority", "acceptance_criteria")
MONEY_PRECISION = 6


def _text(value: object) -> str:
	return "" if value is None else str(value).strip()


def _number(value: object) -> float:
	try:
		return round(float(value or 0), MONEY_PRECISION)
	except (TypeError, ValueError):
		return 0.0


def _sha(payload: object) -> str:
	text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
	return hashlib.sha256(text.encode("utf-8")).hexdigest()


def requirement_digest(row) -> str:
	"""The digest of one requirement row (a Document or a dict)."""
	return _sha([_text(row.get(field)) for field in REQUIREMENT_FIELDS])


def _rows(rows, kind_field: str) -> list:
	return sorted(
		[
			_text(row.get("description")),
			_text(row.get(kind_field)),
			int(_number(row.get("year"))),
			_number(row.get("amount")),
		]
		for row in rows or ()
	)


def case_digest(doc) -> str:
	"""The digest of a business case's money: currency, costs, benefits, discount rate and horizon."""
	return _sha(
		{
			"currency": _text(doc.get("currency")),
			"costs": _rows(doc.get("costs"), "cost_type"),
			"benefits": _rows(doc.get("benefits"), "benefit_type"),
			"discount_rate": _number(doc.get("discount_rate")),
			"horizon_years": int(_number(doc.get("horizon_years"))),
		}
	)
