"""Automatic payment reminders: each due reminder is mailed once per invoice and rule.

The daily job only splits the overdue invoices into batches (a keyset over their names) and
queues one job per batch on the long queue: making one reminder's mail takes Frappe about a
tenth of a second, so 100,000 overdue invoices would outlast any single job's timeout. Each
batch job asks again what is due among its invoices (paid or held since: nothing) and sends
every reminder as its own unit, committed with its log; a job killed halfway leaves the
reminders it sent, and the next run sends exactly the others (the logs' unique key refuses a
second one for the same invoice and rule).
"""

from collections.abc import Iterator

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


BATCH = 500  # overdue invoices per read and per job: memory and a job's time stay bounded
PAGE = 100  # reminders per page of the dry run (at most BATCH)


def _active_rules() -> list[core.ReminderRule]:
	return [rule for rule in rules() if rule.enabled]  # none: switched off, or only shipped ones


def due(date: str | None = None) -> list[dict]:
	"""What the daily run would send on `date` (default today): a dry run, nothing is sent."""
	return [reminder for batch in due_batches(date) for reminder in batch]


def due_batches(
	date: str | None = None, invoices: list[str] | None = None, after: str = ""
) -> Iterator[list[dict]]:
	"""The due reminders (among `invoices`, if given; of invoices named after `after`), BATCH
	overdue invoices at a time."""
	today, active_rules = getdate(date or nowdate()), _active_rules()
	for batch in overdue_batches(today, active_rules, invoices, after):
		yield _due_among(batch, active_rules, today)


def overdue_batches(
	today, active_rules: list[core.ReminderRule], invoices: list[str] | None = None, after: str = ""
):
	"""Unpaid, unheld invoices past the first rule's day (named after `after`), BATCH at a time
	in the order of their names: a keyset, not an offset, so a batch costs the same however far
	the run has got."""
	if not active_rules:
		return
	last_day = frappe.utils.add_days(today, -min(rule.days_after_due for rule in active_rules))
	filters = [
		["docstatus", "=", 1],
		["outstanding_amount", ">", 0],
		["crm_reminders_on_hold", "=", 0],
		["due_date", "<=", last_day],
	]
	if invoices is not None:
		filters.append(["name", "in", invoices or [""]])
	while True:
		batch = frappe.get_all(
			"Sales Invoice",
			filters=[*filters, ["name", ">", after]],
			fields=["name", "customer", "due_date", "outstanding_amount"],
			order_by="name asc",
			limit=BATCH,
		)
		if not batch:
			return
		after = batch[-1].name
		yield batch
		if len(batch) < BATCH:
			return


def _due_among(invoices: list, active_rules: list[core.ReminderRule], today) -> list[dict]:
	by_name = {invoice.name: invoice for invoice in invoices}
	furthest: dict[str, int] = {
		row.sales_invoice: row.days
		for row in frappe.get_all(
			"Lifecycle Payment Reminder",
			filters={"sales_invoice": ("in", list(by_name))},
			fields=["sales_invoice", "max(days_after_due) as days"],
			group_by="sales_invoice",
		)
	}
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


def due_for_caller(date=None, after: str = "", limit: int = PAGE) -> dict:
	"""A page of `due`, told to a person: the next `limit` reminders of invoices they may read
	(after the invoice `after`, in the order of the invoices' names), with addresses only of
	contacts they may read; the reminders of other invoices in between are counted. `next`, the
	invoice to ask the following page after, is the page's last one: one the caller may read."""
	shown, hidden, following = [], 0, None
	for found in due_batches(date, after=after):
		allowed = visibility.readable("Sales Invoice", [row["sales_invoice"] for row in found])
		for row in found:
			if row["sales_invoice"] not in allowed:
				hidden += 1
				continue
			shown.append(row)
			if len(shown) == limit:
				following = row["sales_invoice"]
				break
		if following:
			break
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
	return {"reminders": shown, "hidden": hidden, "next": following}


def recipients(invoice) -> list[str]:
	"""Who gets a payment reminder: the customer's contacts that opted in to payment reminders."""
	return [row["email"] for row in portal.opted_in_contacts(invoice.customer, "Payment Reminders")]


def daily(date: str | None = None) -> int:
	"""Scheduler: one job per BATCH overdue invoices on the long queue; returns how many."""
	today, active_rules = getdate(date or nowdate()), _active_rules()
	jobs = 0
	for batch in overdue_batches(today, active_rules):
		frappe.enqueue(
			send_reminders_for,
			queue="long",
			# queued at once, not after commit: the daily job writes nothing the batch jobs need,
			# and its memory stays one batch however many invoices are overdue
			# a second run of the same day does not queue a batch still waiting
			job_id=f"crm_lifecycle_reminders::{today}::{batch[0].name}",
			deduplicate=True,
			invoices=[invoice.name for invoice in batch],
			date=str(today),
		)
		jobs += 1
	return jobs


def send_reminders_for(invoices: list[str], date: str | None = None, commit: bool = True) -> dict:
	"""Job: the reminders due among `invoices`, asked again now."""
	return _send_all(due_batches(date, invoices), commit)


def send_due_reminders(date: str | None = None, commit: bool = True) -> dict:
	"""Every due reminder in this process (the CLI, tests); the scheduler uses `daily`."""
	return _send_all(due_batches(date), commit)


def _send_all(batches: Iterator[list[dict]], commit: bool) -> dict:
	"""Each reminder its own unit, committed with its log (`commit`; tests pass False): one
	failing mail does not stop the others. Returns how many were sent, skipped, failed."""
	counts = {"Sent": 0, "Skipped": 0, "Failed": 0}
	for batch in batches:
		for reminder in batch:
			try:
				with atomic():
					counts[send(reminder)["status"]] += 1
			except Exception:
				counts["Failed"] += 1
				frappe.log_error(title=_("Payment reminder for {0} failed").format(reminder["sales_invoice"]))
			if commit:
				frappe.db.commit()
	return {status.lower(): count for status, count in counts.items()}


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
