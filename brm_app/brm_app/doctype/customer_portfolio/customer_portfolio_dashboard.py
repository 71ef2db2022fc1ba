"""Connections shown on the Customer Portfolio form: the records that hang off the portfolio."""

from frappe import _


def get_data():
	return {
		"fieldname": "portfolio",
		"transactions": [
			{"label": _("Agreements"), "items": ["Customer Agreement"]},
			{"label": _("Opportunities"), "items": ["Service Opportunity", "Business Case"]},
			{"label": _("Satisfaction"), "items": ["Satisfaction Survey"]},
		],
	}
