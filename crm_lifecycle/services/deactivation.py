"""Deactivate and reactivate customers and contacts: load, ask core, persist in one transaction."""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import cstr, formatdate, getdate, nowdate

from crm_lifecycle.core import deactivation as core
from crm_lifecycle.core import party as party_rules
from crm_lifecycle.services import invoice_hold, lifecycle_events, locking, refusals, visibility
from crm_lifecycle.services.records import customer_state, save_state
from crm_lifecycle.services.text import clean
from crm_lifecycle.services.transaction import atomic

# Documents of a customer an Auto Repeat may repeat (their party field: core/party.py).
AUTO_REPEAT_DOCTYPES = ("Sales Invoice", "Sales Order", "Delivery Note", "Quotation")


def refusal_message(error: core.DeactivationRefused) -> str:
	messages = {
		core.Refusal.NOT_A_PARTY: _("Only a Customer or a Contact can be deactivated, not {0}."),
		core.Refusal.ALREADY_INACTIVE: _("{0} {1} is already inactive."),
		core.Refusal.ALREADY_ACTIVE: _("{0} {1} is already active."),
	}
	args = [_(arg) if index == 0 else arg for index, arg in enumerate(error.details)]
	return messages[error.refusal].format(*args)


def refuse(error: core.DeactivationRefused):
	refusals.throw(error, refusal_message(error), title=_("Not Possible"))


def load_party(doctype: str, name: str, for_update: bool = False) -> core.Party:
	"""The record's state; `for_update`: held until the transaction ends, and read as committed
	(after waiting for another deactivation of it, this one sees its outcome, not the snapshot)."""
	try:
		core.check_party(doctype)
	except core.DeactivationRefused as error:
		refuse(error)
	active = frappe.db.get_value(doctype, name, "crm_active", for_update=for_update)
	if active is None:
		frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)
	return core.Party(doctype=doctype, name=name, active=bool(active))


def open_invoices(doctype: str, name: str) -> list[core.OpenInvoice]:
	return open_invoices_of(doctype, [name]).get(name, [])


def open_invoices_of(doctype: str, names: list[str]) -> dict[str, list[core.OpenInvoice]]:
	"""Submitted invoices of customers (or addressed to contacts) with something left to pay,
	per party, in one query."""
	if not names:
		return {}
	invoice = DocType("Sales Invoice")
	party_field = invoice.customer if doctype == "Customer" else invoice.contact_person
	rows = (
		frappe.qb.from_(invoice)
		.select(
			party_field,
			invoice.name,
			invoice.outstanding_amount,
			invoice.currency,
			invoice.due_date,
			invoice.crm_reminders_on_hold,
		)
		.where(party_field.isin(names) & (invoice.docstatus == 1) & (invoice.outstanding_amount > 0))
		.orderby(invoice.due_date)
		.run()
	)
	found: dict[str, list[core.OpenInvoice]] = {}
	for party, *invoice_row in rows:
		found.setdefault(party, []).append(
			core.OpenInvoice(
				name=invoice_row[0],
				outstanding_amount=float(invoice_row[1]),
				currency=invoice_row[2],
				due_date=invoice_row[3],
				on_hold=bool(invoice_row[4]),
			)
		)
	return found


def running_schedules(doctype: str, name: str) -> list[core.Schedule]:
	return running_schedules_of(doctype, [name]).get(name, [])


def running_schedules_of(doctype: str, names: list[str]) -> dict[str, list[core.Schedule]]:
	"""Running Subscriptions of customers and enabled Auto Repeats of their documents, per
	customer, in one query per doctype."""
	if doctype != "Customer" or not names:
		return {}
	found: dict[str, list[core.Schedule]] = {}
	subscription = DocType("Subscription")
	for party, name, status in (
		frappe.qb.from_(subscription)
		.select(subscription.party, subscription.name, subscription.status)
		.where(
			(subscription.party_type == "Customer")
			& subscription.party.isin(names)
			& subscription.status.isin(core.RUNNING_SUBSCRIPTION_STATUSES)
		)
		.run()
	):
		found.setdefault(party, []).append(core.Schedule("Subscription", name, status))
	auto_repeat = DocType("Auto Repeat")
	for reference_doctype in AUTO_REPEAT_DOCTYPES:
		customer_field, type_field, _fixed = party_rules.PARTY_FIELDS[reference_doctype]
		reference = DocType(reference_doctype)
		query = (
			frappe.qb.from_(auto_repeat)
			.join(reference)
			.on(reference.name == auto_repeat.reference_document)
			.select(reference[customer_field], auto_repeat.name, auto_repeat.status)
			.where(
				(auto_repeat.reference_doctype == reference_doctype)
				& (auto_repeat.disabled == 0)
				& (auto_repeat.status != "Completed")
				& reference[customer_field].isin(names)
			)
		)
		if type_field:  # a quotation's party may be a lead
			query = query.where(reference[type_field] == "Customer")
		for party, name, status in query.run():
			found.setdefault(party, []).append(core.Schedule("Auto Repeat", name, status))
	return found


def preview(doctype: str, name: str) -> dict:
	"""What a deactivation would touch. Invoices, subscriptions and auto repeats the caller may
	not read are counted, not named, and their amounts are left out of the totals."""
	party = load_party(doctype, name)
	found = core.Preview(invoices=open_invoices(doctype, name), schedules=running_schedules(doctype, name))
	readable_invoices = visibility.readable("Sales Invoice", [invoice.name for invoice in found.invoices])
	shown = core.Preview(
		invoices=[invoice for invoice in found.invoices if invoice.name in readable_invoices], schedules=[]
	)
	schedules = []
	for schedule_doctype in {s.doctype for s in found.schedules}:
		readable = visibility.readable(
			schedule_doctype, [s.name for s in found.schedules if s.doctype == schedule_doctype]
		)
		schedules += [s for s in found.schedules if s.doctype == schedule_doctype and s.name in readable]
	return {
		"doctype": doctype,
		"name": name,
		"active": party.active,
		"needs_decision": found.needs_decision,
		"open_invoices": len(found.invoices),
		"invoices_to_hold": len(found.invoices_to_hold),
		"invoices": [
			{
				"name": invoice.name,
				"outstanding_amount": invoice.outstanding_amount,
				"currency": invoice.currency,
				"due_date": invoice.due_date,
				"on_hold": invoice.on_hold,
			}
			for invoice in shown.invoices
		],
		"hidden_invoices": len(found.invoices) - len(shown.invoices),
		"outstanding_by_currency": shown.outstanding_by_currency(),
		"running_schedules": len(found.schedules),
		"subscriptions": [{"doctype": s.doctype, "name": s.name, "status": s.status} for s in schedules],
		"hidden_subscriptions": len(found.schedules) - len(schedules),
	}


def deactivate(
	doctype: str,
	name: str,
	hold_invoices: bool = False,
	cancel_subscriptions: bool = False,
	reason: str | None = None,
	held_until: str | None = None,
) -> dict:
	frappe.has_permission(doctype, "write", name, throw=True)
	# the record's row first, its invoices' next (check_can_hold), as a bulk deactivation takes
	# them: two deactivations of one customer queue up instead of deadlocking
	party = load_party(doctype, name, for_update=True)
	locking.check_write_to(doctype, name)
	found = core.Preview(invoices=open_invoices(doctype, name), schedules=running_schedules(doctype, name))
	try:
		plan = core.plan_deactivation(party, found, hold_invoices, cancel_subscriptions, clean(reason))
	except core.DeactivationRefused as error:
		refuse(error)

	if plan.invoices_to_hold:
		invoice_hold.check_can_hold(plan.invoices_to_hold)
	if plan.subscriptions_to_cancel:
		frappe.has_permission("Subscription", "write", throw=True)
	if plan.auto_repeats_to_disable:
		frappe.has_permission("Auto Repeat", "write", throw=True)

	with atomic():
		uninvoiced = [cancel_subscription(subscription) for subscription in plan.subscriptions_to_cancel]
		for auto_repeat in plan.auto_repeats_to_disable:
			doc = frappe.get_doc("Auto Repeat", auto_repeat)
			doc.disabled = 1
			doc.crm_disabled_by_deactivation = 1
			doc.save()
		held = (
			invoice_hold.hold(plan.invoices_to_hold, plan.reason, held_until) if plan.invoices_to_hold else 0
		)
		save_state(doctype, name, {"crm_active": 0})
		lifecycle_events.record(doctype, name, "Deactivated", plan.reason)
		frappe.get_doc(doctype, name).add_comment(
			"Info",
			deactivation_summary(plan, held, [period for period in uninvoiced if period]),
			comment_email=frappe.session.user,
		)
	return {
		"doctype": doctype,
		"name": name,
		"active": 0,
		"invoices_held": held,
		"subscriptions_cancelled": plan.subscriptions_to_cancel,
		"auto_repeats_disabled": plan.auto_repeats_to_disable,
	}


def cancel_subscription(name: str) -> str | None:
	"""End a subscription today, for good, the same way on every v15 minor: status Cancelled
	through a normal save (Version, hooks). Unlike ERPNext's own "Cancel Subscription", no
	closing invoice is made for the running period of a subscription that invoices at the end of
	its period (a deactivated customer is not billed by the deactivation itself; on newer v15
	minors ERPNext's own path also fails comparing dates). Returns that uninvoiced period, for
	the timeline, or None."""
	doc = frappe.get_doc("Subscription", name)
	uninvoiced = None
	if doc.status == "Active" and doc.generate_invoice_at != "Beginning of the current subscription period":
		if doc.current_invoice_start and getdate(doc.current_invoice_start) <= getdate(nowdate()):
			uninvoiced = _("{0}: {1} to {2} not invoiced").format(
				name, formatdate(doc.current_invoice_start), formatdate(nowdate())
			)
	doc.status = "Cancelled"
	doc.cancelation_date = nowdate()
	doc.crm_cancelled_by_deactivation = 1
	doc.save()
	return uninvoiced


def refuse_restart(subscription) -> None:
	"""A subscription a deactivation cancelled stays cancelled: ERPNext's "Restart Subscription"
	(or any save that makes it run again) is refused, naming the deactivation."""
	if not subscription.get("crm_cancelled_by_deactivation") or subscription.status == "Cancelled":
		return
	party = subscription.party if subscription.party_type == "Customer" else None
	frappe.throw(
		_(
			"Subscription {0} was cancelled for good when Customer {1} was deactivated; make a new subscription instead."
		).format(subscription.name, party or ""),
		frappe.ValidationError,
		title=_("Cancelled by Deactivation"),
	)


def refuse_reenable(auto_repeat) -> None:
	"""An Auto Repeat a deactivation disabled stays off while its customer is inactive."""
	if auto_repeat.disabled or not auto_repeat.get("crm_disabled_by_deactivation"):
		return
	customer = None
	if auto_repeat.reference_doctype in AUTO_REPEAT_DOCTYPES:
		field, type_field, _fixed = party_rules.PARTY_FIELDS[auto_repeat.reference_doctype]
		values = frappe.db.get_value(
			auto_repeat.reference_doctype,
			auto_repeat.reference_document,
			[field, *([type_field] if type_field else [])],
			as_dict=True,
		)
		customer = values and party_rules.customer_of(auto_repeat.reference_doctype, values)
	if customer and frappe.db.get_value("Customer", customer, "crm_active") == 0:
		frappe.throw(
			_(
				"Auto Repeat {0} was disabled when Customer {1} was deactivated; reactivate the customer first."
			).format(auto_repeat.name, customer),
			frappe.ValidationError,
			title=_("Disabled by Deactivation"),
		)
	auto_repeat.crm_disabled_by_deactivation = 0  # the customer is active again: enabled for good


def deactivation_summary(plan: core.DeactivationPlan, held: int, uninvoiced: list[str] | None = None) -> str:
	parts = [_("Deactivated by {0}").format(frappe.bold(frappe.utils.get_fullname(frappe.session.user)))]
	if plan.reason:
		parts.append(_("Reason: {0}").format(frappe.utils.escape_html(plan.reason)))
	if held:
		parts.append(_("{0} open invoices put on hold").format(held))
	if plan.subscriptions_to_cancel:
		parts.append(_("Subscriptions cancelled: {0}").format(", ".join(plan.subscriptions_to_cancel)))
	if uninvoiced:
		parts.append(_("Running periods left uninvoiced: {0}").format("; ".join(uninvoiced)))
	if plan.auto_repeats_to_disable:
		parts.append(_("Auto Repeats disabled: {0}").format(", ".join(plan.auto_repeats_to_disable)))
	return ". ".join(parts)


def reactivate(doctype: str, name: str) -> dict:
	frappe.has_permission(doctype, "write", name, throw=True)
	party = load_party(doctype, name, for_update=True)
	locking.check_write_to(doctype, name)
	try:
		core.check_reactivation(party)
	except core.DeactivationRefused as error:
		refuse(error)
	with atomic():
		save_state(doctype, name, {"crm_active": 1})
		lifecycle_events.record(doctype, name, "Reactivated")
		frappe.get_doc(doctype, name).add_comment(
			"Info",
			_("Reactivated by {0}").format(frappe.bold(frappe.utils.get_fullname(frappe.session.user))),
			comment_email=frappe.session.user,
		)
	return {"doctype": doctype, "name": name, "active": 1}


LIFECYCLE_FIELDS = ("crm_active",)


def refuse_direct_state_change(doc) -> None:
	"""The lifecycle state changes only through deactivate/reactivate, which log who and why."""
	if doc.is_new():
		doc.crm_active = 1
		return
	if doc.flags.crm_lifecycle_state_change:
		return
	before = doc.get_doc_before_save()
	if before and any(cstr(doc.get(f)) != cstr(before.get(f)) for f in LIFECYCLE_FIELDS):
		frappe.throw(
			_("Use Deactivate or Reactivate to change whether {0} {1} is active.").format(
				_(doc.doctype), doc.name
			),
			frappe.ValidationError,
		)


def check_new_transaction(doc) -> None:
	"""Sales Orders / Sales Invoices for a deactivated customer follow the Allow / Warn / Block setting."""
	if not doc.customer or doc.get("is_return"):
		return
	active = customer_state(doc.customer, "crm_active")
	if active is None or active:
		return  # an active customer's transactions are always allowed: no settings to read
	setting = frappe.get_cached_doc("CRM Lifecycle Settings").get("inactive_customer_transactions")
	policy = core.transaction_policy(setting, customer_active=False)
	if policy == "block":
		frappe.throw(
			_("Customer {0} is deactivated: new {1} are blocked by CRM Lifecycle Settings.").format(
				doc.customer, _(doc.doctype)
			),
			frappe.ValidationError,
			title=_("Inactive Customer"),
		)
	if policy == "warn" and doc.is_new():
		frappe.msgprint(
			_("Customer {0} is deactivated.").format(doc.customer),
			indicator="orange",
			alert=True,
		)
