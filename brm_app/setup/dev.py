"""Development-site helpers used by scripts/dev (not by production code paths)."""

import frappe
from frappe.utils import now_datetime


def complete_setup_wizard(
	company: str = "BRM Demo Services",
	country: str = "Indonesia",
	currency: str = "IDR",
	timezone: str = "Asia/Jakarta",
	language: str = "english",
) -> None:
	"""Complete ERPNext's setup wizard non-interactively (company, country, currency, fiscal year).

	ERPNext refuses Company-dependent records (Project, Issue with SLA) until the wizard has run.
	Safe to call twice: it does nothing when a Company exists.
	"""
	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

	if frappe.db.a_row_exists("Company"):
		return
	year = now_datetime().year
	abbr = "".join(word[0] for word in company.split()[:3]).upper() or "BRM"
	setup_complete(
		{
			"currency": currency,
			"full_name": "BRM Administrator",
			"company_name": company,
			"timezone": timezone,
			"company_abbr": abbr,
			"industry": "Information Technology",
			"country": country,
			"fy_start_date": f"{year}-01-01",
			"fy_end_date": f"{year}-12-31",
			"language": language,
			"company_tagline": "IT services",
			"email": "brm.admin@example.com",
			"password": "admin",
			"chart_of_accounts": "Standard",
		}
	)
	frappe.db.commit()  # nosemgrep: runs from `frappe execute` while building the dev template
