"""Change impact across customers (docs/renewals-and-change-impact.md).

*Customers affected* by one or more IT Services: the customers whose portfolio uses a service (Portfolio
Service) or whose running agreement covers it (Agreement Service, with its SLA and availability target),
and the stakeholders of their portfolios to inform. Row-level: a restricted relationship manager gets the
customers of the portfolios they may see (brm_app.access.rules) with their details, and only a count of
the others ("N other customers"), never their names, agreements or stakeholders.

A Service Change or Retirement opportunity notifies the relationship managers of every affected customer
(`notify_managers`: once per manager, a ToDo and an e-mail); a delivered Retirement retires its services and
flags the agreements that cover them (`retire_delivered`).
"""

from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import escape_html, get_url_to_form, nowdate

from brm_app.access.rules import allowed_portfolio_names
from brm_app.notifications.mail import send_service_change_notice

OPPORTUNITY = "Service Opportunity"
AGREEMENT = "Customer Agreement"
IT_SERVICE = "IT Service"
RETIRED = "Retired"
RETIREMENT = "Retirement"
DELIVERED = "Delivered"
IMPACT_TYPES = ("Service Change", RETIREMENT)
# Comment.subject of the once-only marks (a comment's subject is not shown on the timeline; its content is)
NOTICE_MARK = "brm-service-change-notice:"
RETIREMENT_MARK = "brm-retirement-flag:"
# agreements that still cover their services: drafts and running agreements
ENDED_AGREEMENT_STATUSES = ("Expired", "Terminated", "Cancelled")


def affected_customers(services: list[str], user: str | None = None) -> dict:
	"""The customers affected by `services`, as far as `user` (default: the session user) may see them:
	{"customers": [{customer, customer_name, portfolio, relationship_manager, services, agreements,
	stakeholders}], "other_customers": how many affected customers are hidden from the user}."""
	customers = _collect(services)
	allowed = allowed_portfolio_names(user or frappe.session.user)
	visible = [c for c in customers.values() if allowed is None or (c.portfolio and c.portfolio in allowed)]
	_add_stakeholders(visible)
	visible.sort(key=lambda c: (c.customer_name or c.customer or "").lower())
	return {"customers": visible, "other_customers": len(customers) - len(visible)}


def _collect(services: list[str]) -> dict[str, frappe._dict]:
	"""Every affected customer (no access check), keyed by customer."""
	services = sorted({s for s in services or [] if s})
	customers: dict[str, frappe._dict] = {}
	if not services:
		return customers

	def entry(customer, customer_name, portfolio, manager):
		row = customers.get(customer)
		if row is None:
			row = customers[customer] = frappe._dict(
				customer=customer,
				customer_name=customer_name,
				portfolio=portfolio,
				relationship_manager=manager,
				services=[],
				agreements=[],
				stakeholders=[],
			)
		if not row.portfolio and portfolio:
			row.portfolio, row.relationship_manager = portfolio, manager
		return row

	for row in frappe.db.sql(
		"""
		select p.`name` as portfolio, p.`customer`, p.`customer_name`, p.`relationship_manager`,
			ps.`it_service`, ps.`business_criticality`, ps.`user_count`
		from `tabPortfolio Service` ps
		join `tabCustomer Portfolio` p on p.`name` = ps.`parent`
		where ps.`parenttype` = 'Customer Portfolio' and ps.`it_service` in %(services)s
		order by p.`customer`, ps.`idx`
		""",
		{"services": services},
		as_dict=True,
	):
		entry(row.customer, row.customer_name, row.portfolio, row.relationship_manager).services.append(
			frappe._dict(
				it_service=row.it_service,
				business_criticality=row.business_criticality,
				user_count=row.user_count or None,
			)
		)

	for row in frappe.db.sql(
		"""
		select ca.`name` as agreement, ca.`agreement_title`, ca.`customer`, ca.`customer_name`,
			ca.`status`, ca.`end_date`, ca.`renewal`, ca.`relationship_manager` as agreement_manager,
			p.`name` as portfolio, p.`relationship_manager`,
			ags.`it_service`, ags.`service_level_agreement`, ags.`availability_target`
		from `tabAgreement Service` ags
		join `tabCustomer Agreement` ca on ca.`name` = ags.`parent`
		left join `tabCustomer Portfolio` p on p.`customer` = ca.`customer`
		where ags.`parenttype` = 'Customer Agreement' and ags.`it_service` in %(services)s
			and ca.`docstatus` < 2 and ca.`status` not in %(ended)s
		order by ca.`customer`, ca.`end_date`, ca.`name`
		""",
		{"services": services, "ended": ENDED_AGREEMENT_STATUSES},
		as_dict=True,
	):
		entry(
			row.customer,
			row.customer_name,
			row.portfolio,
			row.relationship_manager or row.agreement_manager,
		).agreements.append(
			frappe._dict(
				agreement=row.agreement,
				agreement_title=row.agreement_title,
				status=row.status,
				end_date=row.end_date,
				renewal=row.renewal,
				relationship_manager=row.relationship_manager or row.agreement_manager,
				it_service=row.it_service,
				service_level_agreement=row.service_level_agreement,
				availability_target=row.availability_target or None,
			)
		)
	return customers


def _add_stakeholders(customers: list[frappe._dict]) -> None:
	portfolios = {c.portfolio: c for c in customers if c.portfolio}
	if not portfolios:
		return
	for row in frappe.get_all(
		"Portfolio Stakeholder",
		filters={"parenttype": "Customer Portfolio", "parent": ("in", list(portfolios))},
		fields=["parent", "contact", "full_name", "email_id", "stakeholder_role", "influence", "interest"],
		order_by="parent asc, idx asc",
	):
		portfolios[row.pop("parent")].stakeholders.append(row)


def opportunity_services(opportunity) -> list[str]:
	return [row.it_service for row in opportunity.get("impacted_services") or [] if row.it_service]


def opportunity_impact(opportunity, user: str | None = None) -> dict:
	"""`affected_customers` of the opportunity's impacted services (empty for other opportunity types)."""
	if opportunity.opportunity_type not in IMPACT_TYPES:
		return {"customers": [], "other_customers": 0}
	return affected_customers(opportunity_services(opportunity), user)


# --- notifying the relationship managers -----------------------------------------------------------------


def notify_managers(opportunity) -> dict:
	"""Tell the relationship manager of every affected customer (visible to the caller or not) about the
	change: one ToDo on the first impacted service they are affected by and one e-mail per manager, once per
	opportunity (a later call tells only managers not told yet, e.g. of a customer that started using the
	service since). Returns counts only (names of other customers stay hidden): {"notified", "already",
	"without_manager"}."""
	customers = _collect(opportunity_services(opportunity))
	by_manager: dict[str, list[frappe._dict]] = defaultdict(list)
	without_manager = 0
	for customer in customers.values():
		if customer.relationship_manager:
			by_manager[customer.relationship_manager].append(customer)
		else:
			without_manager += 1
	told = {
		subject[len(NOTICE_MARK) :]
		for subject in frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": OPPORTUNITY,
				"reference_name": opportunity.name,
				"comment_type": "Info",
				"subject": ("like", NOTICE_MARK + "%"),
			},
			pluck="subject",
		)
	}
	notified = already = 0
	for manager, rows in sorted(by_manager.items()):
		if manager in told:
			already += 1
			continue
		_notify(opportunity, manager, rows)
		notified += 1
	return {"notified": notified, "already": already, "without_manager": without_manager}


def _notify(opportunity, manager: str, customers: list[frappe._dict]) -> None:
	services = opportunity_services(opportunity)
	mine = sorted({s.it_service for c in customers for s in c.services + c.agreements})
	service = next((s for s in services if s in mine), services[0])
	names = ", ".join(sorted(c.customer_name or c.customer for c in customers))
	context = {
		"opportunity_name": escape_html(opportunity.name),
		"opportunity_title": escape_html(opportunity.opportunity_title or ""),
		"opportunity_type": escape_html(_(opportunity.opportunity_type)),
		"services": escape_html(", ".join(services)),
		"customers": escape_html(names),
		"service_link": get_url_to_form(IT_SERVICE, service),
	}
	frappe.get_doc(
		{
			"doctype": "ToDo",
			"allocated_to": manager,
			# the service, not the opportunity: a manager of another customer may read the service only
			"reference_type": IT_SERVICE,
			"reference_name": service,
			# no customer names: the ToDo's "Assigned" comment shows the text on the service's timeline,
			# which every relationship manager reads; the names go only in the manager's own e-mail
			"description": escape_html(
				_(
					"{0} {1} ({2}) affects {3} of your customers (see Customers Affected on the IT Service): inform them."
				).format(
					_(opportunity.opportunity_type), opportunity.name, ", ".join(services), len(customers)
				)
			),
			"priority": "High" if opportunity.opportunity_type == RETIREMENT else "Medium",
			"date": nowdate(),
			# not the caller: assigned_by may read every ToDo it assigned (docs/renewals-and-change-impact.md)
			"assigned_by": "Administrator",
		}
	).insert(ignore_permissions=True)
	if manager_has_mail(manager):
		send_service_change_notice(manager, context, (OPPORTUNITY, opportunity.name))
	# the timeline log, and the mark that this manager has been told (subject, not shown); the content names
	# neither the manager nor their customers (the opportunity's readers may not see them)
	frappe.get_doc(
		{
			"doctype": "Comment",
			"comment_type": "Info",
			"reference_doctype": OPPORTUNITY,
			"reference_name": opportunity.name,
			"subject": NOTICE_MARK + manager,
			"content": escape_html(
				_("A relationship manager of affected customers was told about the change.")
			),
		}
	).insert(ignore_permissions=True)


def manager_has_mail(user: str) -> bool:
	from brm_app.signoff.notify import can_send_mail

	return bool(frappe.db.get_value("User", user, "enabled")) and can_send_mail()


# --- a delivered Retirement ------------------------------------------------------------------------------


def retire_delivered(opportunity_name: str) -> int:
	"""A Retirement opportunity that is Delivered: each impacted service becomes Retired, and every agreement
	still covering it (draft or running) gets a timeline comment and a ToDo for its relationship manager,
	once per agreement and opportunity. Returns how many agreements were flagged (0 for anything else)."""
	opportunity = frappe.get_doc(OPPORTUNITY, opportunity_name)
	if opportunity.opportunity_type != RETIREMENT or opportunity.status != DELIVERED:
		return 0
	services = []
	for service in opportunity_services(opportunity):
		doc = frappe.get_doc(IT_SERVICE, service)
		if doc.lifecycle_status == RETIRED:
			services.append(service)
		elif frappe.has_permission(IT_SERVICE, "write", doc=doc, user=frappe.session.user):
			# only a user who may write the service retires it, whatever the path that delivered the
			# opportunity (form, project, acceptance): docs/renewals-and-change-impact.md
			doc.db_set("lifecycle_status", RETIRED)
			doc.add_comment("Info", escape_html(_("Retired by Retirement {0}.").format(opportunity.name)))
			services.append(service)
		else:
			_ask_to_retire(opportunity, doc)
	flagged = 0
	for customer in _collect(services).values():
		by_agreement: dict[str, list[frappe._dict]] = defaultdict(list)
		for row in customer.agreements:
			by_agreement[row.agreement].append(row)
		for agreement, rows in by_agreement.items():
			if _flag_agreement(opportunity, agreement, rows):
				flagged += 1
	return flagged


def _ask_to_retire(opportunity, service) -> None:
	"""The user who delivered the Retirement may not write the service: a ToDo (once per service and
	opportunity) for its service owner, else the BRM Process Managers, who retire it or not."""
	from brm_app.jobs.agreements import reminder_recipients

	owner = service.service_owner
	users = (
		[owner]
		if owner and frappe.db.get_value("User", owner, "enabled")
		else reminder_recipients(frappe._dict())
	)
	text = escape_html(
		_("Retirement {0} was delivered: retire this service if it is to be retired.").format(
			opportunity.name
		)
	)
	for user in users:
		if frappe.db.exists(
			"ToDo",
			{
				"allocated_to": user,
				"reference_type": IT_SERVICE,
				"reference_name": service.name,
				"description": text,
			},
		):
			continue
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": user,
				"reference_type": IT_SERVICE,
				"reference_name": service.name,
				"description": text,
				"priority": "High",
				"date": nowdate(),
				"assigned_by": "Administrator",
			}
		).insert(ignore_permissions=True)


def _flag_agreement(opportunity, agreement: str, rows: list[frappe._dict]) -> bool:
	if frappe.db.exists(
		"Comment",
		{
			"reference_doctype": AGREEMENT,
			"reference_name": agreement,
			"comment_type": "Info",
			"subject": RETIREMENT_MARK + opportunity.name,
		},
	):
		return False
	services = ", ".join(sorted({row.it_service for row in rows}))
	text = _("Covers retired service {0} (Retirement {1}): amend or renew the agreement without it.").format(
		services, opportunity.name
	)
	frappe.get_doc(
		{
			"doctype": "Comment",
			"comment_type": "Info",
			"reference_doctype": AGREEMENT,
			"reference_name": agreement,
			"subject": RETIREMENT_MARK + opportunity.name,
			"content": escape_html(text),
		}
	).insert(ignore_permissions=True)
	manager = rows[0].relationship_manager
	if manager:
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": manager,
				"reference_type": AGREEMENT,
				"reference_name": agreement,
				"description": escape_html(text),
				"priority": "High",
				"date": nowdate(),
			}
		).insert(ignore_permissions=True)
	return True
