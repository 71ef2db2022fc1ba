"""Service Review desk endpoints (docs/service-reviews.md): the prefilled agenda shown on the form and
"E-mail Pack". Both decide on the stored review and its row-level access (brm_app.access.rules), POST like
every brm_app endpoint (docs/security.md case 8)."""

import frappe

from brm_app.reviews import pack

REVIEW = "Service Review"
AGENDA_TEMPLATE = "brm_app/templates/service_review_agenda.html"


def _stored_review(review: str, ptype: str):
	doc = frappe.get_doc(REVIEW, review)  # the stored row: DoesNotExistError for an unknown one
	doc.check_permission(ptype)
	return doc


@frappe.whitelist(methods=["POST"])
def get_agenda(review: str) -> dict:
	"""The agenda of a review (its snapshot once Held) as HTML for the form, and its data."""
	doc = _stored_review(review, "read")
	data = pack.brm_service_review_pack(doc)
	return {
		"html": frappe.render_template(AGENDA_TEMPLATE, {"pack": data, "doc": doc}),
		"snapshot": bool(doc.agenda_snapshot),
	}


@frappe.whitelist(methods=["POST"])
def email_pack(review: str) -> list[str]:
	"""E-mail the Service Review Pack (PDF) to the review's attendees; logged on the review's timeline."""
	doc = _stored_review(review, "email")
	return pack.email_pack(doc)
