"""The bulk demo writer's opportunities, business cases, surveys and Issues (brm_app.demo.bulk.World): the
rows of one customer's plan with every field their controllers would set."""

from datetime import timedelta

import frappe
from frappe.utils import flt

from brm_app.brm_app.doctype.business_case.business_case import irr_label, payback_label
from brm_app.controllers import company_currency
from brm_app.demo import recipe
from brm_app.demo.bulk_tables import child, stamps
from brm_app.services import approval_rules as rules
from brm_app.services import opportunity_status, survey_scoring
from brm_app.services.finance import compute_business_case
from brm_app.signoff.digests import case_digest, requirement_digest


def opportunity(world, ctx, opportunity_type: str, source: str, status: str) -> dict:
	rng = ctx.rng
	name = next(world.names["Service Opportunity"])
	created = world.now - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1440))
	origin = {}
	if source == recipe.FEEDBACK_SOURCE and ctx.feedback:
		# raised from one of the customer's complaints or detractor responses, a few days after it
		field, source_name, at = rng.choice(ctx.feedback)
		origin[field] = source_name
		created = min(at + timedelta(days=rng.randint(1, 14)), world.now - timedelta(minutes=1))
	parent_stamps = stamps(created, ctx.manager)
	row = world.t["Service Opportunity"].add(
		{
			"name": name,
			"naming_series": world.series["Service Opportunity"],
			"opportunity_title": recipe.opportunity_title(opportunity_type, ctx.customer_name),
			**world.linked(ctx),
			"opportunity_type": opportunity_type,
			"source": source,
			**origin,
			# a case's opportunity gets its status (and its link) from the case, below
			"status": status,
			"status_since": created,  # as the controller sets it on insert (docs/alerts.md)
			"priority": rng.choice(recipe.PRIORITIES),
			"business_impact": recipe.BUSINESS_IMPACT,
			"estimated_value": float(rng.randint(100, 5000) * 1_000_000),
			"estimated_cost": float(rng.randint(50, 2000) * 1_000_000),
			**parent_stamps,
		}
	)
	world.t["Opportunity Impacted Service"].add(
		{
			"it_service": ctx.services[0],
			**child(name, "Service Opportunity", "impacted_services", 1, parent_stamps),
		}
	)
	return row


def business_case(world, ctx, opportunity: dict, state: str) -> None:
	rng = ctx.rng
	name = next(world.names["Business Case"])
	horizon, discount_rate, costs, benefits = recipe.case_figures(rng)
	finance = compute_business_case(costs, benefits, discount_rate, horizon)
	levels = rules.approval_levels(finance.total_cost, world.two_level_threshold)
	created = opportunity["creation"] + timedelta(days=rng.randint(1, 20))
	if created > world.now - timedelta(days=30):
		created = world.now - timedelta(days=30, minutes=rng.randint(0, 1440))
	parent_stamps = stamps(created, ctx.manager)
	beyond_review = state not in (rules.DRAFT, rules.UNDER_REVIEW)
	steps = []
	if state != rules.DRAFT:
		steps.append((rules.SUBMIT_FOR_REVIEW, rules.DRAFT, rules.UNDER_REVIEW, ctx.manager))
	if beyond_review:
		# the customer's sign-off (brm_app.signoff.flow): sent by the relationship manager, accepted by the
		# signatory through the e-mailed link, the system step taken in the session that recorded it
		steps.append(
			(rules.SEND_FOR_CUSTOMER_SIGN_OFF, rules.UNDER_REVIEW, rules.CUSTOMER_SIGN_OFF, ctx.manager)
		)
		steps.append((rules.CUSTOMER_ACCEPTED, rules.CUSTOMER_SIGN_OFF, rules.PENDING_APPROVAL, ctx.manager))
	if state == rules.APPROVED and levels == 2:
		steps.append(
			(rules.APPROVE, rules.PENDING_APPROVAL, rules.PENDING_FINAL_APPROVAL, world.process_manager)
		)
		steps.append((rules.APPROVE, rules.PENDING_FINAL_APPROVAL, rules.APPROVED, world.process_owner))
	elif state == rules.APPROVED:
		steps.append((rules.APPROVE, rules.PENDING_APPROVAL, rules.APPROVED, world.process_manager))
	elif state == rules.REJECTED:
		steps.append((rules.REJECT, rules.PENDING_APPROVAL, rules.REJECTED, world.process_manager))
	decided = state in (rules.APPROVED, rules.REJECTED)
	docstatus = 1 if decided else 0
	# the log's times are the audit fields' times
	at = created
	times = []
	for _step in steps:
		at = at + timedelta(days=rng.randint(1, 4), minutes=rng.randint(0, 600))
		times.append(at)
	row = {
		"name": name,
		"naming_series": world.series["Business Case"],
		"title": recipe.case_title(opportunity["opportunity_title"]),
		"service_opportunity": opportunity["name"],
		**world.linked(ctx),
		"prepared_by": ctx.manager,
		"funding_status": "Requested" if beyond_review else rng.choice(["Not Requested", "Requested"]),
		"budget_holder": ctx.contacts[0].name,
		"objectives": recipe.CASE_OBJECTIVES,
		"discount_rate": discount_rate,
		"horizon_years": horizon,
		"total_cost": finance.total_cost,
		"total_benefit": finance.total_benefit,
		"net_benefit": finance.net_benefit,
		"npv": finance.npv,
		"roi_percent": finance.roi_percent,
		"payback_years": finance.payback_years or 0,
		"payback_label": payback_label(finance.payback_years),
		"irr_percent": finance.irr_percent,
		"irr_label": irr_label(finance.irr_percent),
		"workflow_state": state,
		"approval_levels": levels,
		**_conversion(world, created, finance.total_cost),
		**parent_stamps,
		"docstatus": docstatus,
	}
	if beyond_review:
		sent_on, signed_on = times[1], times[2]
		row.update(
			submitted_for_approval_on=signed_on,
			first_approval_levels=levels,
			customer_sign_off_started_on=sent_on,
			customer_signed_off_on=signed_on,
			customer_sign_off_days=round((signed_on - sent_on).total_seconds() / 86400, 2),
		)
	if state == rules.APPROVED and levels == 2:
		row.update(first_approver=world.process_manager, first_approved_on=times[3])
	if decided:
		decided_on = times[-1]
		row.update(
			decision=state,
			approver=steps[-1][3],
			decided_on=decided_on,
			cycle_time_days=rules.cycle_time_days(created, decided_on),
		)
		if state == rules.REJECTED:
			row["decision_notes"] = recipe.REJECTION_NOTE
	world.t["Business Case"].add(row)
	signatory = ctx.contacts[recipe.SIGNATORY_INDEX]
	sign_off = next(world.names["Customer Sign-off"]) if beyond_review else None
	requirements = []
	for idx, (requirement, kind, priority) in enumerate(recipe.REQUIREMENTS, 1):
		requirements.append(
			world.t["Business Case Requirement"].add(
				{
					"requirement": requirement,
					"requirement_type": kind,
					"moscow_priority": priority,
					# results of the customer's sign-off (brm_app.signoff.flow.refresh_case)
					"signed_off_by": signatory.full_name if beyond_review else None,
					"signed_off_on": times[2] if beyond_review else None,
					"sign_off_evidence": sign_off,
					**child(name, "Business Case", "requirements", idx, parent_stamps),
					"docstatus": docstatus,
				}
			)
		)
	world.t["Business Case Signatory"].add(
		{
			"contact": signatory.name,
			"full_name": signatory.full_name,
			"email_id": signatory.email_id,
			"stakeholder_role": recipe.STAKEHOLDER_ROLES[recipe.SIGNATORY_INDEX],
			"sign_off_status": "Accepted" if beyond_review else None,
			"signed_off_on": times[2] if beyond_review else None,
			**child(name, "Business Case", "signatories", 1, parent_stamps),
			"docstatus": docstatus,
		}
	)
	if beyond_review:
		customer_sign_off(world, ctx, sign_off, row, requirements, costs, benefits, times[1], times[2])
	for table, lines, fieldname in (
		("Business Case Cost", costs, "costs"),
		("Business Case Benefit", benefits, "benefits"),
	):
		for idx, line in enumerate(lines, 1):
			world.t[table].add(
				{
					**line,
					**child(name, "Business Case", fieldname, idx, parent_stamps),
					"docstatus": docstatus,
				}
			)
	for idx, (step, at) in enumerate(zip(steps, times, strict=True), 1):
		world.approval_log_row(name, "Business Case", idx, step, at, docstatus, parent_stamps)
	# what brm_app.approvals does to the opportunity: linked, its status following the case
	opportunity.update(
		business_case=name,
		status=opportunity_status.status_for_case(state, "New") or opportunity_status.BUSINESS_CASE,
	)
	world.t["Service Opportunity"].used.add("business_case")


def customer_sign_off(world, ctx, name, case, requirements, costs, benefits, sent_on, signed_on) -> None:
	"""The signatory's accepted Customer Sign-off of the case, as brm_app.signoff.records writes it: the
	requirements' snapshots with their digests (brm_app.signoff.digests), the case's money digest, an
	Accepted decision per requirement; asked through the e-mailed link (its token's hash stays)."""
	rng = ctx.rng
	signatory = ctx.contacts[recipe.SIGNATORY_INDEX]
	money = {
		"currency": case.get("currency") or world.t["Business Case"].base.get("currency"),
		"costs": costs,
		"benefits": benefits,
		"discount_rate": case["discount_rate"],
		"horizon_years": case["horizon_years"],
	}
	parent_stamps = stamps(sent_on, ctx.manager)
	world.t["Customer Sign-off"].add(
		{
			"name": name,
			"naming_series": world.series["Customer Sign-off"],
			"business_case": case["name"],
			"purpose": "Requirements",
			"status": "Accepted",
			"customer": ctx.customer,
			"portfolio": ctx.customer,
			"relationship_manager": ctx.manager,
			"signatory_contact": signatory.name,
			"signatory_name": signatory.full_name,
			"email": signatory.email_id,
			"channel": "E-mail Link",
			"requested_on": sent_on,
			"expires_on": sent_on + timedelta(days=world.sign_off_link_days),
			"decided_on": signed_on,
			"case_digest": case_digest(money),
			# stands in for the sha256 of the e-mailed link's token (the token itself is never stored)
			"token_hash": f"{rng.getrandbits(256):064x}",
			**parent_stamps,
		}
	)
	for idx, requirement in enumerate(requirements, 1):
		world.t["Customer Sign-off Decision"].add(
			{
				"requirement_row": requirement["name"],
				"requirement_idx": requirement["idx"],
				"requirement": requirement["requirement"],
				"requirement_type": requirement["requirement_type"],
				"moscow_priority": requirement["moscow_priority"],
				"decision": "Accepted",
				"digest": requirement_digest(requirement),
				**child(name, "Customer Sign-off", "decisions", idx, parent_stamps),
			}
		)


def survey(world, ctx, n: int, status: str, issue: dict | None) -> dict:
	rng = ctx.rng
	name = next(world.names["Satisfaction Survey"])
	contact = ctx.contacts[n % len(ctx.contacts)]
	if status == "Sent":
		sent = world.now - timedelta(days=rng.randint(0, 10), minutes=rng.randint(1, 600))
	elif issue is not None:
		sent = issue["resolution_date"] + timedelta(days=1)
	else:
		sent = world.now - timedelta(days=rng.randint(15, 360), minutes=rng.randint(0, 1440))
		# a relationship survey follows the portfolio's cadence (issue 18)
		cadenced = recipe.relationship_survey_sent(
			world.now, ctx.survey_months, ctx.relationship_surveys, (world.now - sent).days
		)
		if cadenced is not None:
			sent = cadenced
			ctx.relationship_surveys += 1
	responded = status == "Responded"
	values = recipe.survey_answers(rng, [q.question_type for q in world.questions]) if responded else None
	answers, pairs = [], []
	for k, q in enumerate(world.questions[: recipe.ANSWERS_PER_SURVEY]):
		value = None
		if responded:
			value = survey_scoring.validate_answer(q.question_type, values[k], mandatory=bool(q.mandatory))
		pairs.append((q.question_type, value))
		answers.append((q, value))
	parent_stamps = stamps(sent - timedelta(minutes=30), "Administrator")
	row = {
		"name": name,
		"naming_series": world.series["Satisfaction Survey"],
		"template": world.template.name,
		**world.linked(ctx),
		"contact": contact.name,
		"email": contact.email_id,
		"status": status,
		"trigger": "Ticket Closed" if issue is not None else "Periodic Relationship Review",
		"reference_doctype": "Issue" if issue is not None else None,
		"reference_name": issue["name"] if issue is not None else None,
		"scheduled_for": sent,
		"sent_on": sent,
		"expires_on": sent + timedelta(days=14),
		# stands in for the sha256 of an e-mailed survey token (the token itself is never stored)
		"token_hash": None if responded else f"{rng.getrandbits(256):064x}",
		**parent_stamps,
	}
	if responded:
		result = survey_scoring.score(pairs)
		responded_on = sent + timedelta(days=rng.randint(0, 10), minutes=rng.randint(1, 600))
		row.update(
			responded_on=min(responded_on, world.now - timedelta(minutes=1)),
			csat_percent=result.csat_percent,
			rating_mean=result.rating_mean,
			rating_count=result.rating_count,
			satisfied_count=result.satisfied_count,
			nps_score=result.nps_score,
			nps_category=result.nps_category,
			needs_follow_up=int(survey_scoring.needs_follow_up(result, world.low_score)),
		)
	row = world.t["Satisfaction Survey"].add(row)
	for idx, (q, value) in enumerate(answers, 1):
		world.t["Satisfaction Survey Answer"].add(
			{
				"question": q.question,
				"question_type": q.question_type,
				"mandatory": q.mandatory,
				"answer": None if value is None else str(value),
				"score": value if q.question_type in ("Rating", "NPS") else None,
				**child(name, "Satisfaction Survey", "answers", idx, parent_stamps),
			}
		)
	return row


def issue(world, ctx, issue_type: str, status: str) -> dict:
	rng = ctx.rng
	name = next(world.names["Issue"])
	contact = rng.choice(ctx.contacts)
	# a resolved ticket was opened long enough ago for its resolution (up to 10 days) to be past
	oldest = 11 if status in ("Resolved", "Closed") else 1
	opened = world.now - timedelta(days=rng.randint(oldest, 360), minutes=rng.randint(0, 1440))
	first_response = rng.randint(300, 4 * 3600)
	row = {
		"name": name,
		"naming_series": world.series["Issue"],
		"subject": recipe.issue_subject(rng, issue_type),
		"customer": ctx.customer,
		"customer_name": ctx.customer_name,
		"raised_by": contact.email_id,
		"contact": contact.name,
		"issue_type": issue_type,
		"priority": rng.choice(world.priorities),
		"status": status,
		"company": world.company,
		"opening_date": opened.date(),
		"opening_time": opened.time().replace(microsecond=0),
		**stamps(opened, "Administrator"),
	}
	if status in ("Resolved", "Closed"):
		resolution = rng.randint(first_response + 600, 10 * 24 * 3600)
		row.update(
			first_responded_on=opened + timedelta(seconds=first_response),
			first_response_time=float(first_response),
			avg_response_time=float(first_response),
			resolution_date=opened + timedelta(seconds=resolution),
			resolution_time=float(resolution),
			user_resolution_time=float(resolution),
			agreement_status=recipe.pick(rng, recipe.SLA_WEIGHTS),
			modified=opened + timedelta(seconds=resolution),
		)
	elif status == "Replied":
		row.update(
			first_responded_on=opened + timedelta(seconds=first_response),
			first_response_time=float(first_response),
			avg_response_time=float(first_response),
			agreement_status="Resolution Due",
		)
	else:
		row["agreement_status"] = rng.choice(["First Response Due", "Resolution Due"])
	return world.t["Issue"].add(row)


def _conversion(world, created, total_cost: float) -> dict:
	"""The case's amounts in the company's currency, as BusinessCase.convert_to_company_currency computes
	them on its first save (the demo's cases are in the company's currency unless the template says not)."""
	target = getattr(frappe.local, "brm_demo_company_currency", None)
	if target is None:
		target = frappe.local.brm_demo_company_currency = company_currency.company_currency() or ""
	currency = world.t["Business Case"].base.get("currency") or target
	rate = company_currency.exchange_rate(currency, target, created) if target else None
	return {
		"exchange_rate_date": created.date(),
		"company_currency": target or None,
		"exchange_rate": rate or 0,
		"total_cost_company_currency": flt(flt(total_cost) * rate, 2) if rate else 0,
	}
