"""Connections shown on the Customer Portfolio form: the records that hang off the portfolio, and the
customer's tickets and projects (a portfolio is named by its customer, so they match on `customer`)."""

from frappe import _


def get_data():
	return {
		"fieldname": "portfolio",
		"non_standard_fieldnames": {"Issue": "customer", "Project": "customer"},
		"transactions": [
			{"label": _("Agreements"), "items": ["Customer Agreement"]},
			{"label": _("Opportunities"), "items": ["Service Opportunity", "Business Case"]},
			{"label": _("Satisfaction"), "items": ["Satisfaction Survey", "Service Review"]},
			{"label": _("Support and Delivery"), "items": ["Issue", "Project"]},
		],
	}
