"""The daily payment-reminder job at N overdue invoices (default 100,000).

    <bench>/env/bin/python -m benchmarks.bench_reminders [N] [SEND]   (default 100000 2000)

1. Finding what is due: the overdue invoices are read BATCH at a time (a keyset over their
   names), as the daily job does to queue one job per batch. Prints the time per 10,000
   invoices and the peak Python memory of the whole pass (tracemalloc), next to the peak of
   reading every overdue invoice at once, as the job did before.
2. Sending: SEND of those reminders are sent by the jobs the daily job queues
   (`send_reminders_for`, BATCH invoices each: log, Communication, e-mail queued, each reminder
   its own unit); prints the time per 10,000 and per job (which must stay well inside the long
   queue's timeout).
3. Stopped halfway: on 200 more invoices the run dies after 100 reminders (an exception out of
   the job, which leaves what a killed worker leaves: the reminders before it, each with its
   log), then runs again; every invoice must have exactly one reminder.

The invoices are copies of one real invoice of one customer with an opted-in contact, made
set-based; everything is rolled back at the end (the job's commits are switched off).
"""

import sys
import time
import tracemalloc

import frappe
from frappe.utils import add_days, nowdate

from benchmarks.site import clone_invoices, connect
from crm_lifecycle.services import reminders
from tests import factories


def enable_one_rule() -> None:
	settings = frappe.get_single("CRM Lifecycle Settings")
	settings.enable_payment_reminders = 1
	settings.set("reminder_rules", [])
	settings.append(
		"reminder_rules", {"days_after_due": 7, "email_template": factories.make_email_template().name}
	)
	settings.save()


def overdue_invoices(customer: str, contact: str, count: int) -> list[str]:
	template = factories.make_sales_invoice(
		customer,
		posting_date=add_days(nowdate(), -40),
		due_date=add_days(nowdate(), -10),
		contact_person=contact,
	)
	return clone_invoices(template.name, count, f"BENCH-REM-{frappe.generate_hash(length=6)}")


def peak_mb(function) -> tuple[float, float]:
	"""Seconds and peak traced Python memory (MB) of `function()`."""
	tracemalloc.start()
	start = time.perf_counter()
	function()
	seconds = time.perf_counter() - start
	peak = tracemalloc.get_traced_memory()[1]
	tracemalloc.stop()
	return seconds, peak / 1e6


def main(count: int, send: int) -> None:
	connect()
	factories.seed()
	enable_one_rule()
	customer = factories.make_customer()
	contact = factories.make_contact(customer=customer.name)
	ours = overdue_invoices(customer.name, contact.name, count - 1)
	due = len(reminders.due())
	print(f"{due} reminders due (N = {count} overdue invoices), batches of {reminders.BATCH}")

	def batched():
		for _batch in reminders.due_batches():
			pass

	def at_once():  # what the job read before: every overdue invoice in one list
		frappe.get_all(
			"Sales Invoice",
			filters={"docstatus": 1, "outstanding_amount": (">", 0), "crm_reminders_on_hold": 0},
			fields=["name", "customer", "due_date", "outstanding_amount"],
			limit=0,
		)

	seconds, batched_peak = peak_mb(batched)
	_seconds, at_once_peak = peak_mb(at_once)
	print(f"  finding what is due: {seconds / due * 10_000:6.2f} s per 10,000 invoices")
	print(
		f"  peak memory: {batched_peak:7.1f} MB in batches, {at_once_peak:7.1f} MB reading them all at once"
	)

	batch = reminders.BATCH
	start = time.perf_counter()
	for first in range(0, send, batch):  # what the daily job's queued jobs run, one after the other
		counts = reminders.send_reminders_for(ours[first : first + batch], commit=False)
		assert counts["sent"] == min(batch, send - first) and not counts["failed"], counts
	seconds = time.perf_counter() - start
	print(
		f"  sending: {send} reminders in {seconds:7.1f} s, {seconds / send * 10_000:7.1f} s per 10,000, "
		f"{seconds / send * batch:5.1f} s per job of {batch}"
	)

	stopped = overdue_invoices(customer.name, contact.name, 200)
	send_one, done = reminders.send, []

	def dies_halfway(reminder):
		if reminder["sales_invoice"] in stopped_set:
			if len(done) == 100:
				raise SystemExit("stopped halfway")
			done.append(reminder)
		return send_one(reminder)

	stopped_set = set(stopped)
	reminders.send = dies_halfway
	try:
		reminders.send_reminders_for(stopped, commit=False)
	except SystemExit:
		pass
	reminders.send = send_one
	reminders.send_reminders_for(stopped, commit=False)
	logs = frappe.db.sql(
		"select sales_invoice, count(*) from `tabLifecycle Payment Reminder` where sales_invoice in %s "
		"group by sales_invoice",
		(tuple(stopped),),
	)
	assert len(logs) == 200 and all(number == 1 for _name, number in logs), logs[:5]
	print("  stopped after 100 of 200 and run again: each of the 200 reminded exactly once")
	frappe.db.rollback()
	frappe.destroy()


if __name__ == "__main__":
	args = [int(arg) for arg in sys.argv[1:]]
	main(args[0] if args else 100_000, args[1] if len(args) > 1 else 2_000)
