"""Amounts in the company's currency (issue 16 point 10): the two-level approval threshold of BRM Settings
is in the currency of the site's default company, so a business case in another currency is converted
with ERPNext's exchange rates (Currency Exchange records, `erpnext.setup.utils.get_exchange_rate`) before
it is compared with the threshold."""

import frappe
from frappe.utils import flt, getdate


def default_company() -> str | None:
	"""The site's default company (Global Defaults), the same for every user."""
	return frappe.db.get_single_value("Global Defaults", "default_company") or None


def company_currency() -> str | None:
	"""The default currency of the default company (None on a site without one)."""
	company = default_company()
	if not company:
		return None
	return frappe.get_cached_value("Company", company, "default_currency") or None


def exchange_rate(from_currency: str, to_currency: str, on) -> float | None:
	"""How many `to_currency` one `from_currency` is worth on the date `on` (1 for the same currency), by
	ERPNext's rules (the latest Currency Exchange record on or before that date, then its exchange-rate
	service when enabled); None when there is no rate: never a silent 1."""
	if not from_currency or not to_currency:
		return None
	if from_currency == to_currency:
		return 1.0
	from erpnext.setup.utils import get_exchange_rate

	rate = flt(get_exchange_rate(from_currency, to_currency, str(getdate(on))))
	return rate if rate > 0 else None
