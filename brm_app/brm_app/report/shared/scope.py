"""The portfolios one run of a BRM report may read (docs/security.md case 2).

frappe.qb, get_all and raw SQL skip permission_query_conditions, so the reports apply the row-level scope
themselves, in SQL: the portfolios the *session* user may see (brm_app.access.rules.allowed_portfolios_sql),
never those of a user named in the request, narrowed by the report's Relationship Manager, Customer and
Service filters.

A ReportScope is built once per report run (`ReportScope(filters)` in the report's `execute`) and passed to
every query of that run; it looks the portfolios up once and keeps them for the run only. It lives beside
the filters, never inside them: the filters come from the client, so nothing a client sends there can stand
for the portfolios in scope.
"""

import frappe

from brm_app.access.rules import allowed_portfolios_sql, restricted_user
from brm_app.brm_app.report.shared.common import PORTFOLIO, where

BY_NAME = "p.`name`"
BY_CUSTOMER = "p.`customer`"


class ReportScope:
	"""The session user's portfolios in scope of one report run, looked up once (per use of the Service
	filter) and passed explicitly to the queries."""

	def __init__(self, filters: dict | None = None):
		filters = filters or {}
		self.user = frappe.session.user
		self.relationship_manager = filters.get("relationship_manager") or None
		self.customer = filters.get("customer") or None
		self.service = filters.get("service") or None
		self._portfolios: dict[bool, tuple[list[str], list[str]] | None] = {}

	def portfolios(self, by_service: bool = True) -> tuple[list[str], list[str]] | None:
		"""(portfolio names, their customers) in scope, or None when nothing restricts the reader: neither
		row-level access nor a filter. `by_service` off leaves the Service filter out (for documents that
		list their own services: with_services)."""
		if by_service not in self._portfolios:
			self._portfolios[by_service] = self._look_up(self.service if by_service else None)
		return self._portfolios[by_service]

	def _look_up(self, service: str | None) -> tuple[list[str], list[str]] | None:
		conditions, params = [], {}
		if self.relationship_manager:
			conditions.append("p.`relationship_manager` = %(relationship_manager)s")
			params["relationship_manager"] = self.relationship_manager
		if self.customer:
			conditions.append("p.`customer` = %(customer)s")
			params["customer"] = self.customer
		if service:
			conditions.append(
				"p.`name` in (select ps.`parent` from `tabPortfolio Service` ps"
				" where ps.`parenttype` = 'Customer Portfolio' and ps.`it_service` = %(service)s)"
			)
			params["service"] = service
		# row-level access as a join with the allowed portfolios (a derived table, built once): MariaDB runs
		# `p.name in (… union …)` as a dependent sub-select per portfolio row (30 ms at 10,000 portfolios)
		access = ""
		if restricted_user(self.user):
			access = f"join ({allowed_portfolios_sql(self.user)}) allowed on allowed.`name` = p.`name`"
		if not conditions and not access:
			return None
		rows = frappe.db.sql(
			f"select p.`name`, p.`customer` from `tab{PORTFOLIO}` p {access} {where(*conditions)}", params
		)
		return [row[0] for row in rows], [row[1] for row in rows]

	def condition(
		self,
		column_sql: str,
		select: str = BY_NAME,
		require_portfolio: bool = True,
		by_service: bool = True,
	) -> tuple[str, dict]:
		"""SQL condition limiting `column_sql` to the portfolios in scope, and its parameters.

		`select` picks the portfolio's column the condition compares with: its name (BY_NAME), or its
		customer (BY_CUSTOMER) for ERPNext records such as Issue; those are limited to customers with a
		portfolio even for full access unless `require_portfolio` is off. The portfolios go in as a list:
		MariaDB runs an IN (… UNION …) sub-select once per row, which is slow on large tables.
		Returns ("", {}) when nothing restricts the reader: no condition at all."""
		names = self.portfolios(by_service)
		if names is None:
			if select == BY_NAME or not require_portfolio:
				return "", {}
			return f"{column_sql} in (select {select} from `tab{PORTFOLIO}` p)", {}
		key, values = (
			("scope_customers", names[1]) if select == BY_CUSTOMER else ("scope_portfolios", names[0])
		)
		if not values:
			return "1 = 0", {}
		return f"{column_sql} in %({key})s", {key: tuple(values)}

	def with_services(
		self, portfolio_column: str, parent_column: str, services_table: str, parent_doctype: str
	) -> tuple[list[str], dict]:
		"""`condition` for a document whose services are child rows: the portfolio condition, and with a
		Service filter, `parent_column` must name a `parent_doctype` with that service in `services_table`
		(child rows with an `it_service` field). Returns (conditions, params)."""
		cond, params = self.condition(portfolio_column, by_service=False)
		conditions = [cond]
		if self.service:
			conditions.append(
				f"{parent_column} in (select svc.`parent` from `tab{services_table}` svc"
				f" where svc.`parenttype` = '{parent_doctype}' and svc.`it_service` = %(service)s)"
			)
			params["service"] = self.service
		return conditions, params
