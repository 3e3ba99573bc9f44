"""Automatic payment reminders: a daily job mails each due reminder once per invoice and rule."""

import frappe
from frappe import _
from frappe.core.doctype.communication.email import make as make_communication
from frappe.utils import getdate, nowdate

from crm_lifecycle.core import reminders as core
from crm_lifecycle.services import portal, visibility
from crm_lifecycle.services.transaction import atomic


def rules() -> list[core.ReminderRule]:
	settings = frappe.get_cached_doc("CRM Lifecycle Settings")
	if not settings.enable_payment_reminders:
		return []
	return [
		core.ReminderRule(row.days_after_due, row.email_template, bool(row.enabled))
		for row in settings.reminder_rules
	]


def due(date: str | None = None) -> list[dict]:
	"""What the daily run would send on `date` (default today): a dry run, nothing is sent."""
	today = getdate(date or nowdate())
	active_rules = [rule for rule in rules() if rule.enabled]
	if not active_rules:  # switched off, or only the shipped rules, still disabled
		return []
	first_day = min(rule.days_after_due for rule in active_rules)
	invoices = frappe.get_all(
		"Sales Invoice",
		filters={
			"docstatus": 1,
			"outstanding_amount": (">", 0),
			"crm_reminders_on_hold": 0,
			"due_date": ("<=", frappe.utils.add_days(today, -first_day)),
		},
		fields=["name", "customer", "due_date", "outstanding_amount"],
		limit=0,
	)
	by_name = {invoice.name: invoice for invoice in invoices}
	furthest: dict[str, int] = {}
	if invoices:
		for row in frappe.get_all(
			"Lifecycle Payment Reminder",
			filters={"sales_invoice": ("in", list(by_name))},
			fields=["sales_invoice", "max(days_after_due) as days"],
			group_by="sales_invoice",
		):
			furthest[row.sales_invoice] = row.days
	found = core.due_reminders(
		[core.ReminderInvoice(i.name, getdate(i.due_date), float(i.outstanding_amount)) for i in invoices],
		active_rules,
		furthest,
		today,
	)
	# Recipients depend on the customer only: look them up once per customer, not per invoice.
	by_customer = {
		customer: recipients(frappe._dict(customer=customer))
		for customer in {by_name[reminder.invoice].customer for reminder in found}
	}
	return [
		{
			"sales_invoice": reminder.invoice,
			"customer": by_name[reminder.invoice].customer,
			"days_overdue": reminder.days_overdue,
			"days_after_due": reminder.rule.days_after_due,
			"email_template": reminder.rule.email_template,
			"recipients": by_customer[by_name[reminder.invoice].customer],
		}
		for reminder in found
	]


def due_for_caller(date=None) -> dict:
	"""`due`, told to a person: only reminders of invoices they may read, and only addresses of
	contacts they may read; the rest is counted."""
	found = due(date)
	shown, hidden = visibility.split("Sales Invoice", found, lambda row: row["sales_invoice"])
	customers = {row["customer"] for row in shown}
	contacts = {customer: portal.opted_in_contacts(customer, "Payment Reminders") for customer in customers}
	readable_contacts = visibility.readable(
		"Contact", [row["contact"] for rows in contacts.values() for row in rows]
	)
	for row in shown:
		row["recipients"] = [
			contact["email"]
			for contact in contacts[row["customer"]]
			if contact["contact"] in readable_contacts
		]
		row["hidden_recipients"] = len(contacts[row["customer"]]) - len(row["recipients"])
	return {"reminders": shown, "hidden": hidden}


def recipients(invoice) -> list[str]:
	"""Who gets a payment reminder: the customer's contacts that opted in to payment reminders."""
	return [row["email"] for row in portal.opted_in_contacts(invoice.customer, "Payment Reminders")]


def send_due_reminders(date: str | None = None, commit: bool = True) -> list[dict]:
	"""Daily job. Each reminder is its own unit: one failing mail does not stop the others."""
	results = []
	for reminder in due(date):
		try:
			with atomic():
				results.append(send(reminder))
		except Exception:
			frappe.log_error(title=_("Payment reminder for {0} failed").format(reminder["sales_invoice"]))
		if commit:
			frappe.db.commit()
	return results


def send(reminder: dict) -> dict:
	invoice = frappe.get_doc("Sales Invoice", reminder["sales_invoice"])
	log = frappe.get_doc(
		{
			"doctype": "Lifecycle Payment Reminder",
			"sales_invoice": invoice.name,
			"customer": invoice.customer,
			"days_after_due": reminder["days_after_due"],
			"reminder_key": f"{invoice.name}::{reminder['days_after_due']}",
			"email_template": reminder["email_template"],
		}
	)
	if not reminder["recipients"]:
		log.status = "Skipped"
		log.recipients = _("No contact opted in to payment reminders")
		log.insert(ignore_permissions=True)
		invoice.add_comment(
			"Info",
			_(
				"Payment reminder ({0} days after due date) not sent: no contact opted in to payment reminders"
			).format(reminder["days_after_due"]),
		)
		return log.as_dict()

	template = frappe.get_doc("Email Template", reminder["email_template"])
	context = invoice.as_dict()
	log.status = "Sent"
	log.recipients = ", ".join(reminder["recipients"])
	log.insert(ignore_permissions=True)  # the unique key refuses a second reminder before any mail
	communication = make_communication(
		doctype="Sales Invoice",
		name=invoice.name,
		subject=frappe.render_template(template.subject, context),
		content=frappe.render_template(
			(template.response_html if template.use_html else template.response) or "", context
		),
		recipients=reminder["recipients"],
		send_email=True,
		email_template=template.name,
	)
	log.db_set("communication", communication.get("name"))
	return log.as_dict()
