"""Create a Customer Portfolio for every customer that has none: the customers that existed before brm_app
was installed (new customers get theirs from the Customer hook, brm_app.brm_app.overrides.customer).

One click ("Create portfolios for existing customers" on the Customer Portfolio list and in BRM Settings)
queues `create_missing_portfolios` on the long queue. It writes the portfolios set-based, one
`INSERT … SELECT` per batch of customers, each batch committed, with a progress bar in the desk: 50,000
customers take seconds, and a run stopped half-way is finished by the next one. Idempotent: a customer
that has a portfolio is never touched. Disabled customers are left out (they need no relationship).

The rows are what the Customer hook's `insert()` stores for a new customer: named by the customer, its
name, the Customer's account manager as relationship manager, its industry, the doctype's defaults for
importance and status, nothing else.
"""

import frappe
from frappe import _
from frappe.utils import now_datetime

PORTFOLIO = "Customer Portfolio"
ROLES = ("BRM Process Manager", "BRM Process Owner", "System Manager")
BATCH = 2000
JOB_ID = "brm_create_missing_portfolios"


@frappe.whitelist(methods=["POST"])
def queue_missing_portfolios() -> dict:
	"""Queue the creation of the missing portfolios; returns {"missing": n, "queued": bool}."""
	frappe.only_for(ROLES)
	missing = count_missing()
	if missing:
		frappe.enqueue(
			"brm_app.portfolio_backfill.create_missing_portfolios",
			queue="long",
			timeout=3600,
			job_id=JOB_ID,
			deduplicate=True,
		)
	return {"missing": missing, "queued": bool(missing)}


def _missing_query():
	customer = frappe.qb.DocType("Customer")
	portfolio = frappe.qb.DocType(PORTFOLIO)
	return (
		frappe.qb.from_(customer)
		.left_join(portfolio)
		.on(portfolio.customer == customer.name)
		.where(portfolio.name.isnull() & (customer.disabled == 0)),
		customer,
	)


def count_missing() -> int:
	query, _customer = _missing_query()
	return query.select(frappe.query_builder.functions.Count("*")).run()[0][0]


def create_missing_portfolios(commit: bool = True) -> int:
	"""Create the missing portfolios in batches, each committed (`commit`, off in the tests' rolled-back
	transactions); returns how many were created."""
	total = count_missing()
	meta = frappe.get_meta(PORTFOLIO)
	defaults = {
		field: meta.get_field(field).default for field in ("strategic_importance", "relationship_status")
	}
	created, last = 0, ""
	while True:
		query, customer = _missing_query()
		names = (
			query.select(customer.name)
			.where(customer.name > last)
			.orderby(customer.name)
			.limit(BATCH)
			.run(pluck=True)
		)
		if not names:
			break
		last = names[-1]
		now = now_datetime()
		frappe.db.sql(
			"""insert into `tabCustomer Portfolio` (name, customer, customer_name, relationship_manager,
				industry, strategic_importance, relationship_status, owner, modified_by, creation, modified,
				docstatus, idx)
			select c.name, c.name, c.customer_name, c.account_manager, c.industry, %(importance)s,
				%(status)s, %(user)s, %(user)s, %(now)s, %(now)s, 0, 0
			from `tabCustomer` c
			where c.name in %(names)s
				and not exists (select 1 from `tabCustomer Portfolio` p where p.name = c.name or p.customer = c.name)""",
			{
				"names": tuple(names),
				"importance": defaults["strategic_importance"],
				"status": defaults["relationship_status"],
				"user": frappe.session.user,
				"now": now,
			},
		)
		created += frappe.db._cursor.rowcount
		if commit:
			frappe.db.commit()  # nosemgrep: each batch is kept, so a run stopped half-way keeps what it made
		frappe.publish_progress(
			min(100, created * 100 / max(total, 1)),
			title=_("Creating customer portfolios"),
			description=_("{0} of {1} customers").format(created, total),
		)
	frappe.publish_realtime("list_update", {"doctype": PORTFOLIO}, after_commit=True)
	return created
