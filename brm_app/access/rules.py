"""Row-level access (docs/design.md "Roles and access", docs/security.md cases 1-3).

A Business Relationship Manager sees and edits only the portfolios they manage or whose
relationship team lists them, and the agreements, opportunities, business cases and surveys of
those customers. BRM Process Manager / Owner and System Manager see everything.

One rule, three shapes, all built here so that they agree:

- `allowed_portfolios_sql(user)` — a sub-select of the portfolio names the user may see, for
  `permission_query_conditions` (list views, `frappe.get_list`, link search, export, reports);
- `allowed_portfolio(user, portfolio)` / `has_permission` — the same rule for one document;
- `restricted_user(user)` — whether any restriction applies at all.

`frappe.get_all`, `frappe.qb` and raw SQL skip `permission_query_conditions`: the reports' queries add
the same rule themselves (`brm_app.brm_app.report.shared.scope.ReportScope`, built on `allowed_portfolios_sql`).
"""

import frappe
from frappe import _

from brm_app.controllers.customer_linked import CUSTOMER_LINKED_DOCTYPES
from brm_app.services import roles

PORTFOLIO = "Customer Portfolio"
TEAM_MEMBER = "Portfolio Team Member"
RELATIONSHIP_MANAGER_ROLE = roles.RELATIONSHIP_MANAGER
FULL_ACCESS_ROLES = frozenset(roles.FULL_ACCESS)
HEALTH_SNAPSHOT = "Customer Health Snapshot"
ALERT = "BRM Alert"
# Doctypes whose rows belong to one customer's portfolio
RESTRICTED_DOCTYPES = (PORTFOLIO, *CUSTOMER_LINKED_DOCTYPES, HEALTH_SNAPSHOT, ALERT)


def restricted_user(user: str | None = None) -> bool:
	"""True when `user` sees only their own customers (no Process Manager / Owner / System Manager role)."""
	user = user or frappe.session.user
	if user == "Administrator":
		return False
	return not FULL_ACCESS_ROLES.intersection(frappe.get_roles(user))


def allowed_portfolios_sql(user: str) -> str:
	"""SQL sub-select of the names of the portfolios `user` manages or is on the team of."""
	user_sql = frappe.db.escape(user)
	return (
		f"select `tabCustomer Portfolio`.`name` from `tabCustomer Portfolio`"
		f" where `tabCustomer Portfolio`.`relationship_manager` = {user_sql}"
		f" union select `tabPortfolio Team Member`.`parent` from `tabPortfolio Team Member`"
		f" where `tabPortfolio Team Member`.`parenttype` = 'Customer Portfolio'"
		f" and `tabPortfolio Team Member`.`user` = {user_sql}"
	)


def portfolio_condition(column: str, user: str | None = None) -> str:
	"""SQL condition "`column` names a portfolio the user may see", or "" for full access.

	`column` is a fully quoted column, e.g. "`tabBusiness Case`.`portfolio`" or "p.`name`".
	"""
	user = user or frappe.session.user
	if not restricted_user(user):
		return ""
	return f"({column} in ({allowed_portfolios_sql(user)}))"


def allowed_portfolio_names(user: str | None = None) -> list[str] | None:
	"""The portfolios `user` may see, or None when they may see all (for Python-side filtering)."""
	user = user or frappe.session.user
	if not restricted_user(user):
		return None
	return [row[0] for row in frappe.db.sql(allowed_portfolios_sql(user))]


def allowed_portfolio(user: str, portfolio: str | None) -> bool:
	"""May `user` see records of `portfolio`? (the one-document form of `allowed_portfolios_sql`)"""
	if not portfolio:
		return False
	if frappe.db.get_value(PORTFOLIO, portfolio, "relationship_manager") == user:
		return True
	return bool(frappe.db.exists(TEAM_MEMBER, {"parenttype": PORTFOLIO, "parent": portfolio, "user": user}))


def _portfolio_of_customer(customer: str | None) -> str | None:
	if not customer:
		return None
	return frappe.db.get_value(PORTFOLIO, {"customer": customer}, "name")


# permission_query_conditions hooks


def shared_names_sql(doctype: str, user: str) -> str:
	"""SQL sub-select of the names of `doctype` records shared with `user` for reading.

	frappe's `has_permission` grants read on a shared document even when our hook denies it, but
	`get_list` adds shared documents only in cases (owner-only roles, User Permissions) that do not
	apply here: without this the list and the form would disagree on a shared record.
	"""
	return (
		"select `tabDocShare`.`share_name` from `tabDocShare`"
		f" where `tabDocShare`.`share_doctype` = {frappe.db.escape(doctype)}"
		" and `tabDocShare`.`read` = 1"
		f" and (`tabDocShare`.`user` = {frappe.db.escape(user)} or `tabDocShare`.`everyone` = 1)"
	)


def _query_conditions(doctype: str, column: str, user: str | None) -> str:
	user = user or frappe.session.user
	condition = portfolio_condition(f"`tab{doctype}`.`{column}`", user)
	if not condition:
		return ""
	return f"({condition} or `tab{doctype}`.`name` in ({shared_names_sql(doctype, user)}))"


def portfolio_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return _query_conditions(PORTFOLIO, "name", user)


def agreement_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return _query_conditions("Customer Agreement", "portfolio", user)


def opportunity_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return _query_conditions("Service Opportunity", "portfolio", user)


def business_case_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return _query_conditions("Business Case", "portfolio", user)


def survey_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return _query_conditions("Satisfaction Survey", "portfolio", user)


def health_snapshot_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return _query_conditions(HEALTH_SNAPSHOT, "portfolio", user)


def service_review_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	return _query_conditions("Service Review", "portfolio", user)


def alert_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""BRM Alert (docs/alerts.md): the alerts of the user's portfolios."""
	return _query_conditions("BRM Alert", "portfolio", user)


# Child tables: frappe checks only the parent *doctype* when a child table is listed on its own
# (`frappe.client.get_list("Business Case Cost", parent="Business Case")`, /api/resource), so their
# rows need the parent's row-level rule too.
PARENT_CONDITIONS = {
	PORTFOLIO: portfolio_query_conditions,
	"Customer Agreement": agreement_query_conditions,
	"Service Opportunity": opportunity_query_conditions,
	"Business Case": business_case_query_conditions,
	"Satisfaction Survey": survey_query_conditions,
	HEALTH_SNAPSHOT: health_snapshot_query_conditions,
	"Service Review": service_review_query_conditions,
	ALERT: alert_query_conditions,
}


def child_table_parents(child_doctype: str) -> list[str]:
	"""The restricted doctypes that have `child_doctype` as a table."""
	return [
		parent
		for parent in RESTRICTED_DOCTYPES
		if any(df.options == child_doctype for df in frappe.get_meta(parent).get_table_fields())
	]


def child_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""Rows of a child table whose parent record the user may see."""
	user = user or frappe.session.user
	if not doctype or not restricted_user(user):
		return ""
	parts = []
	for parent in child_table_parents(doctype):
		parent_condition = PARENT_CONDITIONS[parent](user) or "1=1"
		parts.append(
			f"(`tab{doctype}`.`parenttype` = {frappe.db.escape(parent)}"
			f" and `tab{doctype}`.`parent` in (select `tab{parent}`.`name` from `tab{parent}`"
			f" where {parent_condition}))"
		)
	return "(" + " or ".join(parts) + ")" if parts else "1=0"


# has_permission hook


def has_permission(
	doc, ptype: str | None = None, user: str | None = None, debug: bool = False
) -> bool | None:
	"""Deny a restricted user any document outside their portfolios; never grants anything.

	Decided on the stored row whenever a record of that name exists, whatever the request says about
	it: a document posted with `__islocal` (or `docstatus` 0, or another customer) to
	`run_doc_method` is still the stored record (docs/security.md, case 24). For a record that exists,
	the values being saved are checked too (the customer the record is moved to), so a record cannot be
	re-parented into or out of someone else's portfolio (case 3).
	"""
	user = user or frappe.session.user
	if not restricted_user(user):
		return None

	stored = _stored_row(doc)
	if stored is not None:
		if not allowed_portfolio(user, stored):
			return False
		if doc.doctype == PORTFOLIO:
			return True
		# the values being saved must stay in the user's portfolios as well
		return allowed_portfolio(user, _portfolio_of_values(doc))

	# no record of that name: a new document, judged on its own values
	if doc.doctype == PORTFOLIO:
		# a relationship manager may open a portfolio for themselves (or leave it to the
		# customer's account manager, which must then be them)
		manager = doc.get("relationship_manager") or frappe.db.get_value(
			"Customer", doc.get("customer"), "account_manager"
		)
		return manager in (None, user)
	portfolio = _portfolio_of_values(doc)
	if not portfolio:
		# no customer yet: a new, empty form; the save is checked again once a customer is set
		return not doc.get("customer")
	return allowed_portfolio(user, portfolio)


def _portfolio_of_values(doc) -> str | None:
	"""The portfolio of the customer `doc` carries (the portfolio field only when no customer is set)."""
	return _portfolio_of_customer(doc.get("customer")) or doc.get("portfolio")


def _stored_row(doc) -> str | None:
	"""The portfolio of the stored record named `doc.name` ("" when it has none), or None when no record
	of that name exists."""
	name = doc.get("name")
	if not name or not isinstance(name, str | int):
		return None
	if doc.doctype == PORTFOLIO:
		return str(name) if frappe.db.exists(PORTFOLIO, name) else None
	stored = frappe.db.get_value(doc.doctype, name, ["portfolio", "customer"], as_dict=True)
	if not stored:
		return None
	return stored.portfolio or _portfolio_of_customer(stored.customer) or ""


def _stored_row_allowed(doc, user: str) -> bool:
	"""May `user` see the stored record named `doc.name`? (True when there is none)"""
	stored = _stored_row(doc)
	return stored is None or allowed_portfolio(user, stored)


# Sharing: a share would let a restricted user past the rule above (frappe grants read on a
# shared document even when has_permission denies it), so only full-access users may share.


def validate_docshare(doc, method: str | None = None) -> None:
	if doc.share_doctype not in RESTRICTED_DOCTYPES:
		return
	if frappe.flags.in_install or frappe.flags.in_migrate:
		return
	# sharing with a Process Manager / Owner gives them nothing they cannot already see (and frappe
	# shares on assignment: a relationship manager may still assign their record to a manager)
	grants_nothing_new = not doc.everyone and doc.user and not restricted_user(doc.user)
	if not grants_nothing_new and restricted_user(frappe.session.user):
		frappe.throw(
			_("Only a BRM Process Manager or Owner can share {0} records.").format(_(doc.share_doctype)),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)


# Customer Sign-off: the relationship team of the customer's portfolio, and the signatory it is addressed
# to (a desk user of the customer), or their delegate (brm_app.signoff.delegation)

SIGN_OFF = "Customer Sign-off"


def _sign_off_addressees_sql(user: str) -> str:
	from brm_app.signoff.delegation import principals_sql

	user_sql = frappe.db.escape(user)
	return f"(`tabCustomer Sign-off`.`signatory_user` = {user_sql} or `tabCustomer Sign-off`.`signatory_user` in ({principals_sql(user)}))"


def sign_off_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	if not restricted_user(user):
		return ""
	condition = portfolio_condition("`tabCustomer Sign-off`.`portfolio`", user)
	return f"({condition} or {_sign_off_addressees_sql(user)})"


def sign_off_has_permission(
	doc, ptype: str | None = None, user: str | None = None, debug: bool = False
) -> bool | None:
	"""Decided on the stored row: the portfolio's team, or the signatory (or their delegate) may read it.
	Nobody writes one through a permission: its controller refuses every write but the service's."""
	from brm_app.signoff.delegation import is_delegate_of

	user = user or frappe.session.user
	if not restricted_user(user):
		return None
	stored = (
		frappe.db.get_value(SIGN_OFF, doc.name, ["portfolio", "signatory_user"], as_dict=True)
		if doc.name
		else None
	)
	row = stored or frappe._dict(portfolio=doc.get("portfolio"), signatory_user=doc.get("signatory_user"))
	if row.signatory_user and (row.signatory_user == user or is_delegate_of(user, row.signatory_user)):
		return True
	return allowed_portfolio(user, row.portfolio)
