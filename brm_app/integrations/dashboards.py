"""Dashboard connections: Customer, Issue, HD Ticket, Project and Satisfaction Survey forms list the BRM
records linked to them (hooks.override_doctype_dashboards)."""

from frappe import _

SURVEY = "Satisfaction Survey"
OPPORTUNITY = "Service Opportunity"


def _add(data, label: str, items: list[str]) -> dict:
	data.setdefault("transactions", [])
	for group in data["transactions"]:
		if group.get("label") == label:
			group["items"] = [*group["items"], *(i for i in items if i not in group["items"])]
			break
	else:
		data["transactions"].append({"label": label, "items": items})
	return data


def _reference(data, doctype: str) -> None:
	"""Surveys point at tickets / projects through reference_doctype + reference_name."""
	data.setdefault("non_standard_fieldnames", {})[SURVEY] = "reference_name"
	data.setdefault("dynamic_links", {})["reference_name"] = [doctype, "reference_doctype"]


def customer(data=None) -> dict:
	data = data or {}
	return _add(
		data,
		_("Business Relationship"),
		["Customer Portfolio", "Customer Agreement", OPPORTUNITY, "Business Case", SURVEY],
	)


def issue(data=None) -> dict:
	data = data or {"fieldname": "issue"}
	data.setdefault("non_standard_fieldnames", {})[OPPORTUNITY] = "source_issue"
	_reference(data, "Issue")
	return _add(data, _("Business Relationship"), [OPPORTUNITY, SURVEY])


def hd_ticket(data=None) -> dict:
	data = data or {}
	data.setdefault("fieldname", "ticket")
	data.setdefault("non_standard_fieldnames", {})[OPPORTUNITY] = "source_hd_ticket"
	_reference(data, "HD Ticket")
	return _add(data, _("Business Relationship"), [OPPORTUNITY, SURVEY])


def project(data=None) -> dict:
	data = data or {"fieldname": "project"}
	_reference(data, "Project")
	return _add(data, _("Business Relationship"), [OPPORTUNITY, SURVEY])


def satisfaction_survey(data=None) -> dict:
	data = data or {}
	data.setdefault("fieldname", "satisfaction_survey")
	data.setdefault("non_standard_fieldnames", {})[OPPORTUNITY] = "source_survey"
	return _add(data, _("Improvement"), [OPPORTUNITY])
