"""Automatic payment reminders: due once per invoice and rule, held invoices skipped (issue 3)."""

import json

import pytest

import frappe
from frappe.utils import add_days, nowdate

from crm_lifecycle.api.reminders import due
from crm_lifecycle.services import invoice_hold, reminders
from tests import factories


@pytest.fixture
def rules():
	"""Reminder rules at 7 and 30 days after the due date."""
	first, last = factories.make_email_template(), factories.make_email_template()
	settings = frappe.get_single("CRM Lifecycle Settings")
	settings.enable_payment_reminders = 1
	settings.set("reminder_rules", [])
	settings.append("reminder_rules", {"days_after_due": 7, "email_template": first.name})
	settings.append("reminder_rules", {"days_after_due": 30, "email_template": last.name})
	settings.save()
	return frappe._dict(first=first.name, last=last.name)


def overdue(days: int, with_contact: bool = True):
	customer = factories.make_customer()
	kwargs = {"posting_date": add_days(nowdate(), -days - 30), "due_date": add_days(nowdate(), -days)}
	if with_contact:
		contact = factories.make_contact(customer=customer.name)
		kwargs["contact_person"] = contact.name
	return factories.make_sales_invoice(customer.name, **kwargs)


def due_for(invoice, date=None):
	"""The invoice's rows of the dry run, whichever page they are on."""
	rows, after = [], None
	while True:
		page = due(date, after=after, limit=500)
		rows += [row for row in page["reminders"] if row["sales_invoice"] == invoice.name]
		if not (after := page["next"]):
			return rows


def test_dry_run_lists_the_furthest_rule_reached_and_sends_nothing(rules):
	ten_days, forty_days, three_days = overdue(10), overdue(40), overdue(3)

	assert [row["days_after_due"] for row in due_for(ten_days)] == [7]
	assert [row["email_template"] for row in due_for(forty_days)] == [rules.last]
	assert due_for(three_days) == []
	assert due_for(ten_days)[0]["recipients"] == [
		frappe.db.get_value("Contact", ten_days.contact_person, "email_id")
	]
	assert not frappe.db.exists("Lifecycle Payment Reminder", {"sales_invoice": ten_days.name})


def test_daily_run_sends_each_reminder_once_into_the_invoice_timeline(rules):
	invoice = overdue(10)
	reminders.send_due_reminders(commit=False)

	log = frappe.get_all(
		"Lifecycle Payment Reminder",
		filters={"sales_invoice": invoice.name},
		fields=["status", "days_after_due", "communication"],
	)
	assert [(row.status, row.days_after_due) for row in log] == [("Sent", 7)]
	communication = frappe.get_doc("Communication", log[0].communication)
	assert communication.reference_name == invoice.name and invoice.name in communication.subject
	assert due_for(invoice) == []  # a second run sends nothing more

	reminders.send_due_reminders(commit=False)
	assert frappe.db.count("Lifecycle Payment Reminder", {"sales_invoice": invoice.name}) == 1
	# 30 days later the next rule is due
	assert [row["days_after_due"] for row in due_for(invoice, add_days(nowdate(), 25))] == [30]


def test_the_database_refuses_a_second_reminder_for_the_same_rule(rules):
	invoice = overdue(10)
	reminder = due_for(invoice)[0]
	reminders.send(reminder)
	with pytest.raises(frappe.UniqueValidationError):
		reminders.send(reminder)


def test_held_invoices_are_skipped_and_come_back_when_released(rules):
	invoice = overdue(10)
	invoice_hold.hold([invoice.name])
	assert due_for(invoice) == []
	invoice_hold.release([invoice.name])
	assert len(due_for(invoice)) == 1


def test_invoice_without_contact_is_skipped_with_a_timeline_note(rules):
	invoice = overdue(10, with_contact=False)
	reminders.send_due_reminders(commit=False)
	assert (
		frappe.db.get_value("Lifecycle Payment Reminder", {"sales_invoice": invoice.name}, "status")
		== "Skipped"
	)
	notes = frappe.get_all(
		"Comment", filters={"reference_name": invoice.name, "comment_type": "Info"}, pluck="content"
	)
	assert any("not sent" in note for note in notes)


def test_nothing_is_due_while_reminders_are_switched_off(rules):
	invoice = overdue(10)
	frappe.db.set_single_value("CRM Lifecycle Settings", "enable_payment_reminders", 0)
	frappe.clear_document_cache("CRM Lifecycle Settings", "CRM Lifecycle Settings")
	assert due_for(invoice) == []


def test_the_dry_run_pages_through_every_due_reminder_once(rules, as_user):
	ours = [overdue(10).name for _ in range(3)]
	everything = [row["sales_invoice"] for row in reminders.due()]
	size = max(2, len(everything) // 4)
	assert set(ours) <= set(everything) and len(everything) > size  # more than one page
	paged, after, pages = [], None, 0
	with as_user("Administrator"):  # who may read every invoice: nothing is only counted
		while True:
			page = due(after=after, limit=size)
			assert len(page["reminders"]) <= size and page["hidden"] == 0
			paged += [row["sales_invoice"] for row in page["reminders"]]
			pages += 1
			if not (after := page["next"]):
				break
	assert paged == everything  # each reminder once, in the order of the invoices' names
	assert pages > 1


def test_the_dry_run_names_only_invoices_the_caller_may_read_next_included(rules, as_user):
	"""Pages count the reminders of invoices the caller may not read, and `next` is always the
	page's last readable invoice: paging never names one of the others."""
	customer = factories.make_customer().name
	dates = {"posting_date": add_days(nowdate(), -40), "due_date": add_days(nowdate(), -10)}
	mine = sorted(factories.make_sales_invoice(customer, **dates).name for _ in range(2))
	others = [overdue(10).name for _ in range(2)]
	everything = [row["sales_invoice"] for row in reminders.due()]
	user = factories.make_user(roles=["Accounts User", "CRM Lifecycle Manager"]).name
	factories.restrict(user, "Customer", customer)
	pages, after = [], None
	try:
		with as_user(user):
			while True:
				pages.append(due(after=after, limit=1))
				if not (after := pages[-1]["next"]):
					break
	finally:
		frappe.cache.hdel("user_permissions", user)
	assert [row["sales_invoice"] for page in pages for row in page["reminders"]] == mine  # control
	assert {page["next"] for page in pages} <= {*mine, None}
	assert sum(page["hidden"] for page in pages) == len(everything) - len(mine)
	assert not any(name in json.dumps(pages) for name in others)


@pytest.mark.parametrize(
	"arguments", [{"limit": 0}, {"limit": 501}, {"limit": "ten"}, {"limit": True}, {"after": ["x"]}]
)
def test_the_dry_run_refuses_a_bad_page(rules, arguments):
	assert len(due(limit="1")["reminders"]) <= 1  # control: a page of one
	with pytest.raises(frappe.ValidationError):
		due(**arguments)


def test_dry_run_needs_read_permission_on_invoices(as_user):
	website_user = factories.make_user(user_type="Website User")
	with as_user(website_user.name), pytest.raises(frappe.PermissionError):
		due()


def test_a_run_stopped_halfway_sends_the_rest_once_when_run_again(rules, monkeypatch):
	"""Five overdue invoices read two at a time; the run dies at the third reminder (what a
	killed worker leaves: the reminders before it, each with its log). Run again, every invoice
	has exactly one reminder and one mail."""
	monkeypatch.setattr(reminders, "BATCH", 2)
	invoices = [overdue(10) for _ in range(5)]
	ours = {invoice.name for invoice in invoices}
	send, sent = reminders.send, []

	def dies_at_the_third(reminder):
		if reminder["sales_invoice"] in ours:
			if len(sent) == 2:
				raise SystemExit("killed")
			sent.append(reminder["sales_invoice"])
		return send(reminder)

	monkeypatch.setattr(reminders, "send", dies_at_the_third)
	with pytest.raises(SystemExit):
		reminders.send_due_reminders(commit=False)
	logged = frappe.get_all(
		"Lifecycle Payment Reminder", {"sales_invoice": ("in", list(ours))}, pluck="sales_invoice"
	)
	assert len(logged) == 2

	monkeypatch.setattr(reminders, "send", send)
	counts = reminders.send_due_reminders(commit=False)
	assert counts["sent"] >= 3 and counts["failed"] == 0
	for invoice in invoices:
		assert frappe.db.count("Lifecycle Payment Reminder", {"sales_invoice": invoice.name}) == 1
		assert (
			frappe.db.count(
				"Communication", {"reference_doctype": "Sales Invoice", "reference_name": invoice.name}
			)
			== 1
		)
	assert not ours & {row["sales_invoice"] for row in reminders.due()}


def test_the_daily_job_queues_batches_whose_jobs_ask_again(rules, monkeypatch):
	"""One job per BATCH overdue invoices; a job sends what is due among its invoices now: one
	held (or paid) since the batch was queued gets nothing."""
	monkeypatch.setattr(reminders, "BATCH", 2)
	invoices = [overdue(10).name for _ in range(3)]
	assert reminders.daily() >= 2  # queued (no worker runs in this module; the next one empties the queues)

	invoice_hold.hold([invoices[1]])
	counts = reminders.send_reminders_for(invoices, commit=False)
	assert counts == {"sent": 2, "skipped": 0, "failed": 0}
	logged = frappe.get_all(
		"Lifecycle Payment Reminder", {"sales_invoice": ("in", invoices)}, pluck="sales_invoice"
	)
	assert sorted(logged) == sorted([invoices[0], invoices[2]])
	assert reminders.send_reminders_for(invoices, commit=False)["sent"] == 0  # once only
