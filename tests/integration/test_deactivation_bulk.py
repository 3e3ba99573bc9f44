"""Deactivating many customers at once, set-based (issue 17.4), on the real site."""

import json

import pytest

import frappe
from frappe.utils import now_datetime

from crm_lifecycle.services import deactivation, deactivation_bulk, locking
from tests import factories

REASON = "Closing the region<script>alert(1)</script>"


def with_invoices(count: int = 2):
	customer = factories.make_customer()
	invoices = [factories.make_sales_invoice(customer.name, rate=100 + index).name for index in range(count)]
	return customer.name, invoices


def active(name: str) -> int:
	return frappe.db.get_value("Customer", name, "crm_active")


def on_hold(names: list[str]) -> list[int]:
	return [frappe.db.get_value("Sales Invoice", name, "crm_reminders_on_hold") for name in names]


def versions_changing(doctype: str, name: str, field: str, since) -> int:
	"""Versions since `since` (a deleted record's Versions stay, and names come back)."""
	rows = frappe.get_all(
		"Version", {"ref_doctype": doctype, "docname": name, "creation": (">=", since)}, pluck="data"
	)
	return sum(
		1 for data in rows for changed, *_values in json.loads(data).get("changed", []) if changed == field
	)


def timeline(name: str) -> list[str]:
	return frappe.get_all(
		"Comment",
		{"reference_doctype": "Customer", "reference_name": name, "comment_type": "Info"},
		pluck="content",
	)


def test_many_leave_what_one_by_one_leaves(monkeypatch):
	monkeypatch.setattr(deactivation_bulk, "CHUNK", 2)  # three chunks for five customers
	start = now_datetime()
	customers = [with_invoices() for _ in range(5)]
	single, single_invoices = with_invoices()
	deactivation.deactivate("Customer", single, hold_invoices=True, reason=REASON)

	names = [name for name, _invoices in customers]
	results = deactivation_bulk.deactivate_many("Customer", names, hold_invoices=True, reason=REASON)

	assert results == [{"name": name, "ok": True} for name in names]
	for name, invoices in [*customers, (single, single_invoices)]:
		assert frappe.db.get_value("Customer", name, "crm_active") == 0
		[event] = factories.lifecycle_events("Customer", name)
		assert (event.event, event.user) == ("Deactivated", "Administrator") and event.creation
		assert on_hold(invoices) == [1, 1]
		assert versions_changing("Customer", name, "crm_active", start) == 1
		assert all(
			versions_changing("Sales Invoice", invoice, "crm_reminders_on_hold", start) == 1
			for invoice in invoices
		)
		assert len(timeline(name)) == 1 and "2 open invoices put on hold" in timeline(name)[0]
	reasons = {factories.lifecycle_events("Customer", name)[0].reason for name in [*names, single]}
	assert len(reasons) == 1 and "<script" not in reasons.pop()  # stored sanitised, the same both ways


def test_each_refused_record_is_reported_and_the_rest_goes_on(as_user):
	free, free_invoices = with_invoices()
	locked, locked_invoices = with_invoices()
	already = factories.make_customer().name
	deactivation.deactivate("Customer", already)
	colleague, seller = (factories.make_user(roles=["Sales User", "Accounts User"]) for _ in range(2))
	with as_user(colleague.name):
		locking.lock("Customer", locked, reason="negotiating")

	with as_user(seller.name):  # not a lock manager
		results = deactivation_bulk.deactivate_many(
			"Customer", [free, locked, already, "No Such Customer"], hold_invoices=True
		)
	rows = {row["name"]: row for row in results}
	assert rows[free] == {"name": free, "ok": True}
	assert not rows[locked]["ok"] and "Locked by" in rows[locked]["error"]
	assert not rows[already]["ok"] and "already inactive" in rows[already]["error"]
	assert not rows["No Such Customer"]["ok"] and "not found" in rows["No Such Customer"]["error"]
	assert (active(free), active(locked)) == (0, 1)
	assert on_hold(free_invoices) == [1, 1] and on_hold(locked_invoices) == [0, 0]


def test_without_rights_on_invoices_only_customers_with_invoices_to_hold_are_refused(as_user):
	sales = factories.make_user(roles=["Sales User"])  # writes customers, only reads invoices
	reader = factories.make_user(roles=["Accounts User"])  # reads customers, writes none
	with_business, invoices = with_invoices()
	without = factories.make_customer().name

	with as_user(reader.name):
		results = deactivation_bulk.deactivate_many("Customer", [with_business, without])
	assert [row["ok"] for row in results] == [False, False]
	assert all("not permitted" in row["error"] for row in results)

	with as_user(sales.name):
		results = deactivation_bulk.deactivate_many("Customer", [with_business, without], hold_invoices=True)
	assert [row["ok"] for row in results] == [False, True]
	assert "Sales Invoice" in results[0]["error"]
	assert (active(with_business), active(without)) == (1, 0) and on_hold(invoices) == [0, 0]

	# control: the same user, not asked to hold invoices, deactivates the customer
	with as_user(sales.name):
		assert deactivation_bulk.deactivate_many("Customer", [with_business])[0]["ok"]
	assert active(with_business) == 0 and on_hold(invoices) == [0, 0]


def test_subscriptions_to_cancel_take_the_single_record_path():
	subscribed = factories.make_customer()
	subscription = factories.make_subscription(subscribed.name)
	plain, _invoices = with_invoices(1)

	results = deactivation_bulk.deactivate_many(
		"Customer", [subscribed.name, plain], hold_invoices=True, cancel_subscriptions=True
	)
	assert [row["ok"] for row in results] == [True, True]
	assert frappe.db.get_value("Subscription", subscription.name, "status") == "Cancelled"
	assert (active(subscribed.name), active(plain)) == (0, 0)
	assert "Subscriptions cancelled" in timeline(subscribed.name)[0]


def test_contacts_and_bad_doctypes():
	customer = factories.make_customer()
	contact = factories.make_contact(customer=customer.name)
	assert deactivation_bulk.deactivate_many("Contact", [contact.name])[0]["ok"]
	assert frappe.db.get_value("Contact", contact.name, "crm_active") == 0
	assert active(customer.name) == 1
	with pytest.raises(frappe.ValidationError):
		deactivation_bulk.deactivate_many("Supplier", [customer.name])


def test_names_are_matched_exactly():
	"""The column's collation matches another case too; the action does not: a name that is not
	a record's own is reported and nothing is changed under the record's name."""
	customer = factories.make_customer().name
	results = deactivation_bulk.deactivate_many("Customer", [customer.upper(), f"{customer} "])
	assert [row["ok"] for row in results] == [False, False]
	assert all("not found" in row["error"] for row in results)
	assert active(customer) == 1
	assert deactivation_bulk.deactivate_many("Customer", [customer])[0]["ok"]  # control
	assert active(customer) == 0


def test_a_job_stopped_by_an_error_keeps_the_chunks_done_and_reports_the_rest(committed, monkeypatch):
	"""The job commits chunk by chunk: an unexpected error in the second chunk leaves the first
	deactivated, undoes the second, and every record still gets its result."""
	monkeypatch.setattr(deactivation_bulk, "CHUNK", 2)
	names = [committed.make_customer().name for _ in range(5)]
	frappe.db.commit()
	chunk, calls = deactivation_bulk.deactivate_chunk, []

	def fails_in_the_second(doctype, chunk_names, *args):
		calls.append(chunk_names)
		chunk(doctype, chunk_names, *args)  # its writes are made, then undone by the rollback
		if len(calls) == 2:
			raise RuntimeError("disk full")
		return {}

	monkeypatch.setattr(deactivation_bulk, "deactivate_chunk", fails_in_the_second)
	since = now_datetime()
	results = deactivation_bulk.deactivate_many("Customer", names, commit_chunks=True)

	assert [row["ok"] for row in results] == [True, True, False, False, False]
	assert {row["error"] for row in results[2:]} == {
		"Not done: the job stopped at an error (see the Error Log)."
	}
	assert [active(name) for name in names] == [0, 0, 1, 1, 1]
	assert len(calls) == 2  # nothing after the error
	assert frappe.db.exists(
		"Error Log", {"method": "Deactivating Customer stopped", "creation": (">=", since)}
	)
	frappe.db.delete("Error Log", {"method": "Deactivating Customer stopped", "creation": (">=", since)})
	frappe.db.commit()


def test_invoices_after_a_bulk_deactivation_see_the_customer_inactive():
	"""The invoice checks read the customer from Frappe's document cache (where ERPNext's own
	party check has put it): the set-based write clears it as a save would."""
	frappe.db.set_single_value("CRM Lifecycle Settings", "inactive_customer_transactions", "Allow")
	frappe.db.set_single_value("CRM Lifecycle Settings", "hold_invoices_of_inactive_customers", 1)
	name = factories.make_customer().name

	def held() -> int:
		invoice = factories.make_sales_invoice(name)
		return frappe.db.get_value("Sales Invoice", invoice.name, "crm_reminders_on_hold")

	assert held() == 0  # control: active
	assert frappe.get_cached_value("Customer", name, "crm_active") == 1  # and cached meanwhile
	deactivation_bulk.deactivate_many("Customer", [name])
	assert held() == 1
