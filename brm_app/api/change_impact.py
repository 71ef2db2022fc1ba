"""Change impact endpoints (docs/renewals-and-change-impact.md): *Customers affected* on the IT Service and
the Service Opportunity forms, and notifying the relationship managers of a Service Change or Retirement.

The reads are GET (read-only: frappe.read_only), checked on the stored record, and limited row by row to the
caller's portfolios: customers of other portfolios are only counted. The notification is a POST by a user who
may write the opportunity.
"""

import frappe
from frappe import _

from brm_app.exceptions import OpportunityImpactError
from brm_app.rhythm import change_impact

IT_SERVICE = "IT Service"
OPPORTUNITY = "Service Opportunity"


@frappe.whitelist(methods=["GET"])
@frappe.read_only()
def customers_affected(service: str) -> dict:
	"""The customers affected by one IT Service, as far as the caller may see them."""
	doc = frappe.get_doc(IT_SERVICE, service)  # DoesNotExistError for an unknown one
	doc.check_permission("read")
	return change_impact.affected_customers([doc.name])


@frappe.whitelist(methods=["GET"])
@frappe.read_only()
def opportunity_impact(opportunity: str) -> dict:
	"""The customers affected by a Service Change or Retirement opportunity's impacted services."""
	doc = frappe.get_doc(OPPORTUNITY, opportunity)
	doc.check_permission("read")
	return change_impact.opportunity_impact(doc)


@frappe.whitelist(methods=["POST"])
def notify_relationship_managers(opportunity: str) -> dict:
	"""Tell the relationship manager of every affected customer, once per manager; returns counts."""
	doc = frappe.get_doc(OPPORTUNITY, opportunity)
	doc.check_permission("write")
	if doc.opportunity_type not in change_impact.IMPACT_TYPES:
		frappe.throw(
			_(
				"Only a Service Change or Retirement opportunity notifies the customers' relationship managers."
			),
			exc=OpportunityImpactError,
			title=_("Nothing to Notify"),
		)
	return change_impact.notify_managers(doc)
