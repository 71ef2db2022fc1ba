"""The bulk demo writer (brm_app.demo.bulk) writes what the ORM would: every record passes its
controller's validation unchanged, the counts follow the ratios, and a second run adds nothing."""

import datetime
import math

import frappe
import pytest
from frappe.utils import get_datetime

from brm_app.demo import DEMO_PREFIX
from brm_app.demo import bulk as demo_bulk

SCALE = 30
# fields the save machinery itself rewrites, not the controllers
IGNORED = {"modified", "modified_by", "_user_tags", "_comments", "_assign", "_liked_by", "_seen"}
BRM_DOCTYPES = (
	"Customer Portfolio",
	"Customer Agreement",
	"Service Opportunity",
	"Business Case",
	"Satisfaction Survey",
)


@pytest.fixture
def bulk_world():
	result = demo_bulk.generate(scale=SCALE, progress=False, commit=False, chunk_size=12)
	assert result["customers_created"] == SCALE
	return result


def _demo_customers() -> list[str]:
	return frappe.get_all("Customer", filters={"customer_name": ["like", f"{DEMO_PREFIX}%"]}, pluck="name")


def _counts(customers: list[str]) -> dict[str, int]:
	contacts = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "link_doctype": "Customer", "link_name": ("in", customers)},
		pluck="parent",
	)
	counts = {
		"Customer": len(customers),
		"Contact": len(set(contacts)),
		**{
			doctype: frappe.db.count(doctype, {"customer": ("in", customers)})
			for doctype in (*BRM_DOCTYPES, "Issue")
		},
	}
	surveys = frappe.get_all("Satisfaction Survey", filters={"customer": ("in", customers)}, pluck="name")
	counts["Satisfaction Survey Answer"] = frappe.db.count(
		"Satisfaction Survey Answer", {"parenttype": "Satisfaction Survey", "parent": ("in", surveys)}
	)
	return counts


def _normal(value):
	if value in (None, "", 0, 0.0):
		return None
	if isinstance(value, datetime.datetime | datetime.date | datetime.time | datetime.timedelta):
		return str(value if not isinstance(value, datetime.datetime) else get_datetime(value))
	if isinstance(value, float) and value.is_integer():
		return int(value)
	return value


def _same(a, b) -> bool:
	a, b = _normal(a), _normal(b)
	if isinstance(a, int | float) and isinstance(b, int | float):
		return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
	return a == b


def _differences(stored: dict, revalidated: dict, where: str = "") -> list[str]:
	found = []
	for field, value in stored.items():
		if field in IGNORED:
			continue
		new = revalidated.get(field)
		if isinstance(value, list):
			if len(value) != len(new or []):
				found.append(f"{where}{field}: {len(value)} rows -> {len(new or [])}")
				continue
			for n, (row, new_row) in enumerate(zip(value, new, strict=True)):
				found.extend(
					_differences(row, new_row, f"{where}{field}[{n}].") if isinstance(row, dict) else []
				)
		elif not _same(value, new):
			found.append(f"{where}{field}: {value!r} -> {new!r}")
	return found


def _revalidate(doctype: str, name: str) -> list[str]:
	"""Run the controller's validate() on the stored record; what it would change, field by field."""
	doc = frappe.get_doc(doctype, name)
	stored = doc.as_dict(convert_dates_to_str=True)
	doc.load_doc_before_save()
	doc.run_method("validate")
	return _differences(stored, doc.as_dict(convert_dates_to_str=True))


def test_bulk_counts_follow_the_ratios_and_rerun_adds_nothing(bulk_world):
	customers = _demo_customers()
	assert _counts(customers) == demo_bulk.expected_counts(SCALE)

	# several relationship managers, each with the role, holding the portfolios
	managers = set(
		frappe.get_all(
			"Customer Portfolio", filters={"name": ("in", customers)}, pluck="relationship_manager"
		)
	)
	assert len(managers) >= 3
	for manager in managers:
		assert "Business Relationship Manager" in frappe.get_roles(manager)

	again = demo_bulk.generate(scale=SCALE, progress=False, commit=False)
	assert again["customers_created"] == 0
	assert _counts(_demo_customers()) == demo_bulk.expected_counts(SCALE)

	# a larger scale adds only the missing customers, and both paths agree on which exist
	more = demo_bulk.generate(scale=SCALE + 2, progress=False, commit=False, health=False)
	assert more["customers_created"] == 2
	assert _counts(_demo_customers()) == demo_bulk.expected_counts(SCALE + 2)


def test_every_bulk_record_passes_its_controllers_validation_unchanged(bulk_world):
	frappe.flags.in_test = True
	customers = _demo_customers()
	problems = {}
	for doctype in BRM_DOCTYPES:
		for name in frappe.get_all(doctype, filters={"customer": ("in", customers)}, pluck="name"):
			changed = _revalidate(doctype, name)
			if changed:
				problems[f"{doctype} {name}"] = changed
	for doctype, filters in (
		("Customer", {"name": ("in", customers)}),
		("Issue", {"customer": ("in", customers[:5])}),
	):
		for name in frappe.get_all(doctype, filters=filters, pluck="name"):
			changed = _revalidate(doctype, name)
			if changed:
				problems[f"{doctype} {name}"] = changed
	contacts = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "link_doctype": "Customer", "link_name": ("in", customers)},
		pluck="parent",
	)
	for name in contacts:
		changed = _revalidate("Contact", name)
		if changed:
			problems[f"Contact {name}"] = changed
	assert not problems, problems


def test_bulk_records_save_through_the_orm(bulk_world):
	"""frappe's own checks too (mandatory fields, links, select options, submitted-document rules)."""
	frappe.flags.in_test = True
	customers = _demo_customers()[:6]
	for doctype in (*BRM_DOCTYPES, "Issue"):
		names = frappe.get_all(doctype, filters={"customer": ("in", customers)}, pluck="name")
		assert names, doctype
		for name in names:
			doc = frappe.get_doc(doctype, name)
			doc.save(ignore_permissions=True)


def test_bulk_world_is_consistent(bulk_world):
	customers = _demo_customers()
	# the workflow states agree with docstatus
	for doctype, submitted in (
		("Customer Agreement", {"Active"}),
		("Business Case", {"Approved", "Rejected"}),
	):
		for row in frappe.get_all(
			doctype, filters={"customer": ("in", customers)}, fields=["workflow_state", "docstatus"]
		):
			assert (row.workflow_state in submitted) == (row.docstatus == 1), (doctype, row)
	# an opportunity with a case follows the case's state
	for case in frappe.get_all(
		"Business Case",
		filters={"customer": ("in", customers)},
		fields=["name", "service_opportunity", "workflow_state"],
	):
		opportunity = frappe.db.get_value(
			"Service Opportunity", case.service_opportunity, ["business_case", "status"], as_dict=True
		)
		assert opportunity.business_case == case.name
		expected = {"Approved": "Approved", "Rejected": "Rejected"}.get(case.workflow_state, "Business Case")
		assert opportunity.status == expected
	# responded surveys carry their scores; others none
	for survey in frappe.get_all(
		"Satisfaction Survey",
		filters={"customer": ("in", customers)},
		fields=["status", "nps_category", "responded_on", "csat_percent"],
	):
		assert bool(survey.nps_category) == (survey.status == "Responded")
		assert bool(survey.responded_on) == (survey.status == "Responded")
	# feedback opportunities (K7) come from a complaint or a detractor response of their own customer,
	# raised after it
	linked = frappe.get_all(
		"Service Opportunity",
		filters={"customer": ("in", customers), "source": "Complaint or Feedback"},
		fields=["customer", "creation", "source_issue", "source_survey"],
	)
	assert any(o.source_issue for o in linked) and any(o.source_survey for o in linked)
	for opportunity in linked:
		if opportunity.source_issue:
			issue = frappe.db.get_value(
				"Issue", opportunity.source_issue, ["customer", "issue_type", "creation"], as_dict=True
			)
			assert (issue.customer, issue.issue_type) == (opportunity.customer, "Complaint")
			assert issue.creation < opportunity.creation
		if opportunity.source_survey:
			survey = frappe.db.get_value(
				"Satisfaction Survey",
				opportunity.source_survey,
				["customer", "nps_category", "responded_on"],
				as_dict=True,
			)
			assert (survey.customer, survey.nps_category) == (opportunity.customer, "Detractor")
			assert survey.responded_on < opportunity.creation
	# complaints and SLA results exist for the health score and the reports; health computed
	assert frappe.db.count("Issue", {"customer": ("in", customers), "issue_type": "Complaint"})
	assert frappe.db.count("Issue", {"customer": ("in", customers), "agreement_status": "Failed"})
	assert frappe.db.count(
		"Customer Portfolio", {"name": ("in", customers), "health_score": (">", 0)}
	) == len(customers)
