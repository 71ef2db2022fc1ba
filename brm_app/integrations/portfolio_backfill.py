"""Create a Customer Portfolio for every customer that has none: the customers that existed before brm_app
was installed (new customers get theirs from the Customer hook, brm_app.integrations.customer).

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

from brm_app.services import roles

PORTFOLIO = "Customer Portfolio"
ROLES = roles.FULL_ACCESS
BATCH = 2000
JOB_ID = "brm_create_missing_portfolios"


@frappe.whitelist(methods=["POST"])
def queue_missing_portfolios() -> dict:
	"""Queue the creation of the missing portfolios; returns {"missing": n, "queued": bool}."""
	# frappe.only_for lets everyone through under tests; this check holds everywhere
	if not set(ROLES) & set(frappe.get_roles()):
		frappe.throw(_("Not permitted"), frappe.PermissionError)
	missing = count_missing()
	if missing:
		frappe.enqueue(
			"brm_app.integrations.portfolio_backfill.create_missing_portfolios",
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


# filled per customer from its Customer row; every other column takes a new portfolio's default
FROM_CUSTOMER = {
	"name": "c.name",
	"customer": "c.name",
	"customer_name": "c.customer_name",
	"relationship_manager": "c.account_manager",
	"industry": "c.industry",
}


def _new_portfolio_defaults() -> dict:
	"""The columns of a new portfolio as frappe's ORM would store them (defaults, blank selects...)."""
	row = frappe.new_doc(PORTFOLIO).get_valid_dict(convert_dates_to_str=True, ignore_nulls=True)
	for field in (*FROM_CUSTOMER, "creation", "modified", "owner", "modified_by"):
		row.pop(field, None)
	return row


def create_missing_portfolios(commit: bool = True) -> int:
	"""Create the missing portfolios in batches, each committed (`commit`, off in the tests' rolled-back
	transactions); returns how many were created."""
	total = count_missing()
	defaults = _new_portfolio_defaults()
	columns = [*FROM_CUSTOMER, *defaults, "owner", "modified_by", "creation", "modified"]
	values = [*FROM_CUSTOMER.values(), *(f"%(d_{i})s" for i in range(len(defaults)))]
	values += ["%(user)s", "%(user)s", "%(now)s", "%(now)s"]
	insert = f"""insert into `tabCustomer Portfolio` ({", ".join(f"`{column}`" for column in columns)})
		select {", ".join(values)}
		from `tabCustomer` c
		where c.name in %(names)s
			and not exists (select 1 from `tabCustomer Portfolio` p where p.customer = c.name)
			and not exists (select 1 from `tabCustomer Portfolio` p where p.name = c.name)"""
	params = {f"d_{i}": value for i, value in enumerate(defaults.values())}
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
		frappe.db.sql(
			insert, {**params, "names": tuple(names), "user": frappe.session.user, "now": now_datetime()}
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
