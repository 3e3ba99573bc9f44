"""Scheduled jobs as a production bench runs them: Frappe's scheduler tick (what `bench
schedule` runs every minute) enqueues the app's due jobs and a real `frappe worker` runs them.
An expired hold and an expired lock are released and a due payment reminder is sent; a second
run of the same day sends nothing twice (issue 22)."""

import subprocess
import sys

import pytest

import frappe
from frappe.utils import add_days, add_to_date, now_datetime, nowdate
from frappe.utils.background_jobs import get_queue

from crm_lifecycle.services import invoice_hold, locking
from tests.site_fixtures import BENCH, SITE, eventually

pytestmark = pytest.mark.http

APP_JOBS = (
	"crm_lifecycle.services.invoice_hold.release_expired",
	"crm_lifecycle.services.reminders.daily",
	"crm_lifecycle.services.locking.release_expired",
)


def long_queue_idle() -> bool:
	"""The daily reminder job queues its batches on the long queue: all of them ran."""
	queue = get_queue("long")
	return queue.count == 0 and queue.started_job_registry.count == 0


def _completed(method: str) -> int:
	job_type = frappe.db.get_value("Scheduled Job Type", {"method": method})
	return frappe.db.count("Scheduled Job Log", {"scheduled_job_type": job_type, "status": "Complete"})


@pytest.fixture
def scheduler(queue_worker):
	"""The site's scheduler switched on for the app's jobs only (ERPNext's own daily jobs are not
	this test's to run); `run()` makes them due as a new day would and lets one tick enqueue them,
	then waits until the worker completed each. Everything is put back afterwards."""
	job_types = frappe.get_all("Scheduled Job Type", fields=["name", "method", "stopped", "last_execution"])
	assert {row.method for row in job_types} >= set(APP_JOBS), "migrate syncs the app's scheduler_events"
	others = [row.name for row in job_types if row.method not in APP_JOBS and not row.stopped]
	enabled = frappe.db.get_single_value("System Settings", "enable_scheduler")
	table = frappe.qb.DocType("Scheduled Job Type")
	frappe.qb.update(table).set(table.stopped, 1).where(table.name.isin(others)).run()
	frappe.db.set_single_value("System Settings", "enable_scheduler", 1)
	frappe.db.commit()

	def run() -> None:
		(
			frappe.qb.update(table)
			.set(table.last_execution, add_to_date(now_datetime(), days=-2))
			.where(table.method.isin(APP_JOBS))
			.run()
		)
		frappe.db.commit()
		before = {method: _completed(method) for method in APP_JOBS}
		subprocess.run(
			[
				sys.executable,
				"-c",
				f"from frappe.utils.scheduler import enqueue_events_for_site as tick; tick({SITE!r})",
			],
			cwd=BENCH / "sites",
			check=True,
			capture_output=True,
		)
		eventually(
			lambda: all(_completed(method) > before[method] for method in APP_JOBS),
			what="the scheduled jobs",
		)

	try:
		yield run
	finally:
		frappe.db.rollback()
		frappe.qb.update(table).set(table.stopped, 0).where(table.name.isin(others)).run()
		for row in job_types:
			if row.method in APP_JOBS:
				frappe.db.set_value("Scheduled Job Type", row.name, "last_execution", row.last_execution)
		frappe.db.set_single_value("System Settings", "enable_scheduler", enabled)
		frappe.db.commit()


@pytest.fixture
def reminder_rule(committed):
	"""A committed reminder rule at 7 days after the due date; the settings are put back after."""
	template = committed.make_email_template().name
	settings = frappe.get_single("CRM Lifecycle Settings")
	before = (settings.enable_payment_reminders, [row.as_dict() for row in settings.reminder_rules])
	settings.enable_payment_reminders = 1
	settings.set("reminder_rules", [{"days_after_due": 7, "email_template": template}])
	settings.save()
	frappe.db.commit()
	yield template
	frappe.db.rollback()
	settings = frappe.get_single("CRM Lifecycle Settings")
	settings.enable_payment_reminders = before[0]
	settings.set(
		"reminder_rules",
		[
			{
				"enabled": row.enabled,
				"days_after_due": row.days_after_due,
				"email_template": row.email_template,
			}
			for row in before[1]
		],
	)
	settings.save()
	frappe.db.commit()


def test_the_scheduler_runs_the_daily_and_hourly_jobs_and_a_second_run_sends_nothing_twice(
	scheduler, committed, reminder_rule
):
	customer = committed.make_customer().name
	contact = committed.make_contact(customer=customer).name
	overdue = committed.make_sales_invoice(
		customer,
		posting_date=add_days(nowdate(), -40),
		due_date=add_days(nowdate(), -10),
		contact_person=contact,
	).name
	held = committed.make_sales_invoice(customer).name
	invoice_hold.hold([held], reason="Until yesterday", held_until=nowdate())
	frappe.db.set_value("Sales Invoice", held, "crm_held_until", add_days(nowdate(), -1))  # time passed
	locked = committed.make_customer().name
	locking.lock("Customer", locked, expires_on=str(add_to_date(now_datetime(), hours=1)))
	frappe.db.set_value(
		"Lifecycle Lock", {"reference_name": locked}, "expires_on", add_to_date(now_datetime(), hours=-1)
	)
	frappe.db.commit()
	try:
		scheduler()
		assert frappe.db.get_value("Sales Invoice", held, "crm_reminders_on_hold") == 0
		assert not frappe.db.exists(
			"Lifecycle Lock", {"reference_doctype": "Customer", "reference_name": locked}
		)
		assert frappe.db.get_all(
			"Lifecycle Lock Log", {"reference_name": locked, "action": "Released"}, pluck="action"
		) == ["Released"]
		sent = eventually(
			lambda: frappe.get_all("Lifecycle Payment Reminder", {"sales_invoice": overdue}, pluck="status"),
			what="the reminder job the daily job queued",
		)
		assert sent == ["Sent"]
		mails = frappe.db.count(
			"Communication", {"reference_doctype": "Sales Invoice", "reference_name": overdue}
		)
		assert mails == 1

		scheduler()  # the same day, once more: nothing is sent twice
		eventually(long_queue_idle, what="the reminder jobs the daily job queued")
		assert frappe.db.count("Lifecycle Payment Reminder", {"sales_invoice": overdue}) == 1
		assert (
			frappe.db.count(
				"Communication", {"reference_doctype": "Sales Invoice", "reference_name": overdue}
			)
			== 1
		)
	finally:
		frappe.db.rollback()
		frappe.db.delete("Lifecycle Payment Reminder", {"sales_invoice": overdue})
		for doctype in ("Communication", "Email Queue"):  # the invoice's name may be given out again
			frappe.db.delete(doctype, {"reference_doctype": "Sales Invoice", "reference_name": overdue})
		frappe.db.delete("Lifecycle Lock Log", {"reference_name": locked})
		frappe.db.commit()
