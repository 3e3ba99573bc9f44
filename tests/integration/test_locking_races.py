"""A lock taken while a write of its record is under way, on real database connections.

A write checks for locks, then writes. Whoever locks the record in between must wait for the
write to end, or the write must see the lock: a record is never written over a lock committed
before the write. Each test holds a row in one connection to stop a write in a second connection
at a known point, locks the record from a third, then lets the write go on.
"""

# ruff: noqa: F811  (tests take the imported `people` fixture as a parameter)
import threading
import time

import pytest

import frappe

from crm_lifecycle.services import accounts, deactivation, deactivation_bulk, locking
from tests.integration.test_locking import people  # noqa: F401  (a fixture)
from tests.site import bench_path, site_name

WAIT = 30  # seconds a thread waits for another at most: far longer than any step here takes


def connected(user: str, work, results: dict, key: str) -> threading.Thread:
	"""`work()` in a connection of its own, as `user`, then committed; results[key] is its answer
	(or the error it raised) and the moment it ended."""

	def run():
		bench = bench_path()
		frappe.init(site=site_name(bench), sites_path=str(bench / "sites"))
		frappe.connect()
		try:
			frappe.set_user(user)
			answer = work()
			frappe.db.commit()
		except Exception as error:
			frappe.db.rollback()
			answer = error
		finally:
			results[key] = (answer, time.monotonic())
			frappe.destroy()

	thread = threading.Thread(target=run, name=key)
	thread.start()
	return thread


def holding_row(doctype: str, name: str, release: threading.Event) -> threading.Thread:
	"""A connection that holds the record's row (FOR UPDATE, as a save in progress holds it)
	until `release` is set, then rolls back."""
	held = threading.Event()

	def hold():
		frappe.db.sql(f"select `name` from `tab{doctype}` where `name` = %s for update", name)
		held.set()
		release.wait(WAIT)

	thread = connected("Administrator", hold, {}, "holder of the row")
	assert held.wait(WAIT)
	return thread


def still_waiting(results: dict, key: str, seconds: float = 1.0) -> bool:
	time.sleep(seconds)
	return key not in results


@pytest.fixture
def unlocked_afterwards():
	"""The records the test locked, unlocked again (their lock rows, history and comments gone)."""
	names: list[str] = []
	yield names
	frappe.db.rollback()
	for name in names:
		for doctype in ("Lifecycle Lock", "Lifecycle Lock Log", "Comment"):
			frappe.db.delete(doctype, {"reference_name": name})
	frappe.db.commit()
	locking.forget_cache("Customer")


def test_a_lock_waits_for_a_write_of_its_record_in_progress(committed, people, unlocked_afterwards):
	"""A save holds its record's row from its timestamp check to its commit and checks for locks
	in between: a lock asked for meanwhile waits for the save to end."""
	customer = committed.make_customer().name
	unlocked_afterwards.append(customer)
	release, results = threading.Event(), {}
	row = holding_row("Customer", customer, release)
	locker = connected(people["holder"], lambda: locking.lock("Customer", customer), results, "lock")
	try:
		assert still_waiting(results, "lock"), results  # before: locked at once, under the save
	finally:
		release.set()
		row.join(WAIT)
		locker.join(WAIT)
	answer, _ended = results["lock"]
	assert isinstance(answer, dict) and answer["locked_by"] == people["holder"], answer


def test_deactivating_many_never_writes_over_a_lock_taken_meanwhile(committed, people, unlocked_afterwards):
	"""The bulk deactivation checks the customers' locks, then writes them and holds their
	invoices. Stopped before the invoices (a colleague's connection holds one) while the holder
	locks the customer: the lock waits for the deactivation, or the deactivation refuses."""
	customer = committed.make_customer().name
	invoice = committed.make_sales_invoice(customer).name
	unlocked_afterwards.append(customer)
	release, results = threading.Event(), {}
	row = holding_row("Sales Invoice", invoice, release)

	def deactivate():
		return deactivation_bulk.deactivate_many("Customer", [customer], hold_invoices=True, reason="race")

	bulk = connected(people["other"], deactivate, results, "deactivate")
	locker = None
	try:
		assert still_waiting(results, "deactivate"), results  # it waits for the invoice
		locker = connected(people["holder"], lambda: locking.lock("Customer", customer), results, "lock")
		still_waiting(results, "lock")
	finally:
		release.set()
		row.join(WAIT)
		bulk.join(WAIT)
		if locker:
			locker.join(WAIT)
	(deactivated, deactivated_at), (locked, locked_at) = results["deactivate"], results["lock"]
	assert isinstance(deactivated, list) and isinstance(locked, dict), results
	assert locked["locked_by"] == people["holder"]
	frappe.db.rollback()  # a new snapshot: what the other connections committed
	if deactivated[0]["ok"]:
		# before: locked while the deactivation waited, then deactivated all the same
		assert locked_at > deactivated_at, results
		assert frappe.db.get_value("Customer", customer, "crm_active") == 0
	else:
		assert deactivated[0]["error"].startswith("Locked by"), deactivated
		assert frappe.db.get_value("Customer", customer, "crm_active") == 1


def test_a_transfer_never_writes_over_a_lock_taken_meanwhile(committed, people, unlocked_afterwards):
	"""The mass transfer checks the accounts' locks, then moves them. Stopped by a save in
	progress on the account while the holder locks it: whichever the database lets go first,
	the account is never moved over a committed lock."""
	customer = committed.make_customer().name
	unlocked_afterwards.append(customer)
	release, results = threading.Event(), {}
	row = holding_row("Customer", customer, release)

	def transfer():
		return accounts.transfer([customer], people["manager"])

	mover = connected(people["other"], transfer, results, "transfer")
	locker = None
	try:
		assert still_waiting(results, "transfer"), results  # it waits for the save
		locker = connected(people["holder"], lambda: locking.lock("Customer", customer), results, "lock")
		still_waiting(results, "lock")
	finally:
		release.set()
		row.join(WAIT)
		mover.join(WAIT)
		if locker:
			locker.join(WAIT)
	(moved, moved_at), (locked, locked_at) = results["transfer"], results["lock"]
	assert isinstance(moved, dict) and isinstance(locked, dict), results
	assert locked["locked_by"] == people["holder"]
	[result] = moved["results"]
	frappe.db.rollback()
	owner = frappe.db.get_value("Customer", customer, "account_manager")
	if result["ok"]:
		# before: locked while the transfer waited for the save, then moved all the same
		assert locked_at > moved_at, results
		assert owner == people["manager"]
	else:
		assert result["error"].startswith("Locked by"), result
		assert not owner


def test_one_and_many_deactivations_of_a_customer_at_once_queue_up(committed, people):
	"""Both take the customer's row before its invoices' rows: the second waits for the first and
	finds the customer inactive, where taking them in opposite orders deadlocked one of them."""
	customer = committed.make_customer().name
	invoice = committed.make_sales_invoice(customer).name
	release, results = threading.Event(), {}
	row = holding_row("Sales Invoice", invoice, release)

	def one():
		return deactivation.deactivate("Customer", customer, hold_invoices=True, reason="one")

	def many():
		return deactivation_bulk.deactivate_many("Customer", [customer], hold_invoices=True, reason="many")

	threads = [connected(people["other"], one, results, "one")]
	try:
		assert still_waiting(results, "one", 0.5), results  # it waits for the invoice
		threads.append(connected(people["holder"], many, results, "many"))
		still_waiting(results, "many", 0.5)
	finally:
		release.set()
		row.join(WAIT)
		for thread in threads:
			thread.join(WAIT)
	(single, _at), (bulk, _at) = results["one"], results["many"]
	assert isinstance(single, dict) and isinstance(bulk, list), results  # before: a deadlock error
	assert single["active"] == 0
	assert not bulk[0]["ok"] and "inactive" in bulk[0]["error"], bulk
	frappe.db.rollback()
	assert frappe.db.get_value("Sales Invoice", invoice, "crm_reminders_on_hold") == 1


def test_a_bulk_deactivation_under_way_holds_up_only_its_own_records(committed, people, unlocked_afterwards):
	"""While a deactivation waits (a colleague holds its invoice), what it holds is its customer
	and that customer's lock entry: another customer is saved and locked meanwhile without waiting."""
	customer, other = committed.make_customer().name, committed.make_customer().name
	invoice = committed.make_sales_invoice(customer).name
	unlocked_afterwards.append(other)
	release, results = threading.Event(), {}
	row = holding_row("Sales Invoice", invoice, release)

	def deactivate():
		return deactivation_bulk.deactivate_many("Customer", [customer], hold_invoices=True, reason="busy")

	def save_and_lock():
		doc = frappe.get_doc("Customer", other)
		doc.customer_details = "saved meanwhile"
		doc.save()
		return locking.lock("Customer", other)

	threads = [connected(people["other"], deactivate, results, "deactivate")]
	try:
		assert still_waiting(results, "deactivate", 0.5), results
		threads.append(connected(people["holder"], save_and_lock, results, "other customer"))
		threads[-1].join(WAIT / 2)
		assert "other customer" in results, "held up by the deactivation"
		assert "deactivate" not in results
	finally:
		release.set()
		row.join(WAIT)
		for thread in threads:
			thread.join(WAIT)
	assert results["other customer"][0]["locked_by"] == people["holder"], results
	assert results["deactivate"][0] == [{"name": customer, "ok": True}], results
