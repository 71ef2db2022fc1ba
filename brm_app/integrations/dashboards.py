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
		["Customer Portfolio", "Customer Agreement", OPPORTUNITY, "Business Case", SURVEY, "Service Review"],
	)


def _linked(data, label: str, items: list[str], opportunity_field=None, survey_reference=None) -> dict:
	"""A ticket / project / survey form: the opportunities raised from it (their `opportunity_field`), the
	surveys about it (by reference to `survey_reference`), under `label`."""
	if opportunity_field:
		data.setdefault("non_standard_fieldnames", {})[OPPORTUNITY] = opportunity_field
	if survey_reference:
		_reference(data, survey_reference)
	return _add(data, label, items)


def issue(data=None) -> dict:
	data = data or {"fieldname": "issue"}
	return _linked(
		data, _("Business Relationship"), [OPPORTUNITY, SURVEY], "source_issue", survey_reference="Issue"
	)


def hd_ticket(data=None) -> dict:
	data = data or {}
	data.setdefault("fieldname", "ticket")
	return _linked(data, _("Business Relationship"), [OPPORTUNITY, SURVEY], "source_hd_ticket", "HD Ticket")


def project(data=None) -> dict:
	data = data or {"fieldname": "project"}
	return _linked(data, _("Business Relationship"), [OPPORTUNITY, SURVEY], survey_reference="Project")


def satisfaction_survey(data=None) -> dict:
	data = data or {}
	data.setdefault("fieldname", "satisfaction_survey")
	return _linked(data, _("Improvement"), [OPPORTUNITY], opportunity_field="source_survey")
