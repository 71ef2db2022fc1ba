"""NULL for "no data" in the portfolio's stored health (docs/design.md "Customer Portfolio", derived health).

A portfolio without survey responses has no CSAT; without tickets, no SLA compliance; without any data, no
health score. Those are stored as NULL and shown empty, never as 0, which would read as a measured zero.
frappe 15 creates every Float / Percent / Int column `not null default 0`, so the health columns are made
nullable here, idempotently, on install and on every migrate (frappe's schema sync only redefines a column
whose type changes, and then this puts NULL back in place). Saving the document keeps NULL too:
CustomerPortfolio.get_valid_dict leaves these fields None where frappe would write 0.
"""

import frappe
from frappe.database.schema import get_definition

PORTFOLIO = "Customer Portfolio"
# the snapshots keep the same figures, "no data" included (docs/health-over-time.md)
HEALTH_DOCTYPES = (PORTFOLIO, "Customer Health Snapshot")
# the health job's figures that have a "no data" value (health_rag is a Select: already nullable)
NULLABLE_HEALTH_FIELDS = (
	"health_score",
	"csat_score",
	"nps_score",
	"sla_compliance",
	"open_complaints",
	"agreement_coverage",
)


def not_nullable_columns(doctype: str = PORTFOLIO) -> list[str]:
	"""The health columns of `doctype` that still refuse NULL."""
	rows = frappe.db.sql(
		"""
		select column_name from information_schema.columns
		where table_schema = database() and table_name = %(table)s and column_name in %(columns)s
			and is_nullable = 'NO'
		""",
		{"table": f"tab{doctype}", "columns": NULLABLE_HEALTH_FIELDS},
	)
	return [row[0] for row in rows]


def ensure_nullable_health_columns() -> None:
	"""Make the health columns nullable (default NULL) where they are not yet (one ALTER per table)."""
	for doctype in HEALTH_DOCTYPES:
		columns = not_nullable_columns(doctype)
		if not columns:
			continue
		meta = frappe.get_meta(doctype)
		changes = []
		for fieldname in columns:
			df = meta.get_field(fieldname)
			column_type = get_definition(df.fieldtype, precision=df.precision, length=df.length)
			changes.append(f"modify `{fieldname}` {column_type} null default null")
		frappe.db.sql_ddl(f"alter table `tab{doctype}` {', '.join(changes)}")
