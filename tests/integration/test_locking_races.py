"""A lock taken while a write of its record is under way, on real database connections.

A write checks for locks, then writes. Whoever locks the record in between must wait for the
write to end, or the write must see the lock: a record is never written over a lock committed
before the write. Each test holds a row in one connection to stop a write in a second connection
at a known point, waits until the database shows that connection inside its statement, locks
the record from a third, then lets the write go on.
"""

# ruff: noqa: F811  (tests take the imported `people` fixture as a parameter)
import threading
import time

import pytest

import frappe

from crm_lifecycle.services import accounts, deactivation, deactivation_bulk, locking
from tests import factories
from tests.integration.test_locking import people  # noqa: F401  (a fixture)
from tests.site import bench_path, site_name

WAIT = 30  # seconds a thread waits for another at most: far longer than any step here takes
STUCK_MS = 300  # a statement running this long here waits for a row lock: each takes milliseconds


class Worker(threading.Thread):
	"""`work()` in a database connection of its own, as `user`, then committed: its answer (or
	the error it raised) and the moment it ended."""

	def __init__(self, user: str, work):
		super().__init__(daemon=True)
		self.user, self.work = user, work
		self.connection = self.answer = self.ended = None
		self.ready = threading.Event()
		self.start()
		assert self.ready.wait(WAIT)

	def run(self):
		bench = bench_path()
		frappe.init(site=site_name(bench), sites_path=str(bench / "sites"))
		frappe.connect()
		try:
			frappe.set_user(self.user)
			self.connection = frappe.db.sql("select connection_id()")[0][0]
			self.ready.set()
			self.answer = self.work()
			frappe.db.commit()
		except Exception as error:
			frappe.db.rollback()
			self.answer = error
		finally:
			self.ended = time.monotonic()
			self.ready.set()
			frappe.destroy()

	def stuck(self) -> bool:
		"""Whether it is inside a statement that waits (the database's process list says; a
		connection sees its own user's), polled until it is, it ends, or WAIT passes."""
		deadline = time.monotonic() + WAIT
		while self.is_alive() and time.monotonic() < deadline:
			running = frappe.db.sql(
				"""select 1 from information_schema.processlist
				where id = %s and command = 'Query' and time_ms > %s""",
				(self.connection, STUCK_MS),
			)
			if running:
				return True
			time.sleep(0.05)
		return False

	def finish(self):
		self.join(WAIT)
		assert not self.is_alive()
		return self.answer


class RowHolder:
	"""A connection holding a record's row (FOR UPDATE, as a save in progress holds it) until
	released, then rolling back."""

	def __init__(self, doctype: str, name: str):
		self.release = threading.Event()
		held = threading.Event()

		def hold():
			frappe.db.sql(f"select `name` from `tab{doctype}` where `name` = %s for update", name)
			held.set()
			self.release.wait(WAIT)

		self.worker = Worker("Administrator", hold)
		assert held.wait(WAIT)

	def let_go(self) -> float:
		self.release.set()
		self.worker.finish()
		return time.monotonic()


def locked_after_written(doctype: str, name: str) -> bool:
	"""Whether the record's lock row was made after the record's last write, as the database
	recorded both (a new snapshot first: what the other connections committed)."""
	frappe.db.rollback()
	locked = frappe.db.get_value(
		"Lifecycle Lock", {"reference_doctype": doctype, "reference_name": name}, "creation"
	)
	return locked > frappe.db.get_value(doctype, name, "modified")


def in_turn(held: tuple[str, str], first: tuple, second: tuple) -> tuple:
	"""While another connection holds the row `held` (doctype, name): (user, work) `first` runs
	until it waits in a statement, then `second` until it waits too; then all go on. Their
	answers, in that order."""
	row = RowHolder(*held)
	try:
		earlier = Worker(*first)
		assert earlier.stuck(), earlier.answer
		later = Worker(*second)
		assert later.stuck(), later.answer  # a lock, before the fix: taken at once, under the write
	finally:
		row.let_go()
	return earlier.finish(), later.finish()


@pytest.fixture
def unlocked_afterwards():
	"""The records the test locked, unlocked again (their lock rows, history and comments gone)."""
	names: list[str] = []
	yield names
	factories.delete_locks(names, comments=True)


def test_a_lock_waits_for_a_write_of_its_record_in_progress(committed, people, unlocked_afterwards):
	"""A save holds its record's row from its timestamp check to its commit and checks for locks
	in between: a lock asked for meanwhile waits for the save to end."""
	customer = committed.make_customer().name
	unlocked_afterwards.append(customer)
	row = RowHolder("Customer", customer)
	locker = Worker(people["holder"], lambda: locking.lock("Customer", customer))
	try:
		assert locker.stuck(), locker.answer  # before: locked at once, under the save
	finally:
		released = row.let_go()
	answer = locker.finish()
	assert isinstance(answer, dict) and answer["locked_by"] == people["holder"], answer
	assert locker.ended > released


def test_deactivating_many_never_writes_over_a_lock_taken_meanwhile(committed, people, unlocked_afterwards):
	"""The bulk deactivation checks the customers' locks, then writes them and holds their
	invoices. Stopped at the invoices (a colleague's connection holds one) while the holder
	locks the customer: the lock waits for the deactivation, or the deactivation refuses."""
	customer = committed.make_customer().name
	invoice = committed.make_sales_invoice(customer).name
	unlocked_afterwards.append(customer)

	def deactivate():
		return deactivation_bulk.deactivate_many("Customer", [customer], hold_invoices=True, reason="race")

	deactivated, locked = in_turn(
		("Sales Invoice", invoice),
		(people["other"], deactivate),
		(people["holder"], lambda: locking.lock("Customer", customer)),
	)
	assert isinstance(deactivated, list) and isinstance(locked, dict), (deactivated, locked)
	assert locked["locked_by"] == people["holder"]
	if deactivated[0]["ok"]:
		# before: locked while the deactivation waited, then deactivated all the same
		assert locked_after_written("Customer", customer)
		assert frappe.db.get_value("Customer", customer, "crm_active") == 0
	else:
		assert deactivated[0]["error"].startswith("Locked by"), deactivated
		frappe.db.rollback()
		assert frappe.db.get_value("Customer", customer, "crm_active") == 1


def test_a_transfer_never_writes_over_a_lock_taken_meanwhile(committed, people, unlocked_afterwards):
	"""The mass transfer checks the accounts' locks, then moves them. Stopped by a save in
	progress on the account while the holder locks it: whichever the database lets go first,
	the account is never moved over a committed lock."""
	customer = committed.make_customer().name
	unlocked_afterwards.append(customer)
	moved, locked = in_turn(
		("Customer", customer),
		(people["other"], lambda: accounts.transfer([customer], people["manager"])),
		(people["holder"], lambda: locking.lock("Customer", customer)),
	)
	assert isinstance(moved, dict) and isinstance(locked, dict), (moved, locked)
	assert locked["locked_by"] == people["holder"]
	[result] = moved["results"]
	if result["ok"]:
		# before: locked while the transfer waited for the save, then moved all the same
		assert locked_after_written("Customer", customer)
		assert frappe.db.get_value("Customer", customer, "account_manager") == people["manager"]
	else:
		assert result["error"].startswith("Locked by"), result
		frappe.db.rollback()
		assert not frappe.db.get_value("Customer", customer, "account_manager")


def deactivations(customer: str) -> tuple:
	def one():
		return deactivation.deactivate("Customer", customer, hold_invoices=True, reason="one")

	def many():
		return deactivation_bulk.deactivate_many("Customer", [customer], hold_invoices=True, reason="many")

	return one, many


def test_one_then_many_deactivations_of_a_customer_queue_up(committed, people):
	"""Both take the customer's row before its invoices' rows: the second waits for the first and
	finds the customer inactive, where taking them in opposite orders deadlocked one of them."""
	customer = committed.make_customer().name
	invoice = committed.make_sales_invoice(customer).name
	one, many = deactivations(customer)
	done, refused = in_turn(("Sales Invoice", invoice), (people["other"], one), (people["holder"], many))
	assert isinstance(done, dict) and isinstance(refused, list), (done, refused)  # before: a deadlock
	assert done["active"] == 0
	assert not refused[0]["ok"] and "already inactive" in refused[0]["error"], refused
	frappe.db.rollback()
	assert frappe.db.get_value("Sales Invoice", invoice, "crm_hold_reason") == "one"


def test_many_then_one_deactivations_of_a_customer_queue_up(committed, people):
	"""The other way round: the single deactivation waits for the bulk one and then reads the
	customer as committed, inactive, instead of deactivating it again from its old snapshot."""
	customer = committed.make_customer().name
	invoice = committed.make_sales_invoice(customer).name
	one, many = deactivations(customer)
	done, refused = in_turn(("Sales Invoice", invoice), (people["holder"], many), (people["other"], one))
	assert done == [{"name": customer, "ok": True}], done
	# before: deactivated a second time, its invoice's hold written over
	assert isinstance(refused, frappe.ValidationError) and "already inactive" in str(refused), refused
	frappe.db.rollback()
	assert frappe.db.get_value("Sales Invoice", invoice, "crm_hold_reason") == "many"
	assert len(frappe.get_all("Lifecycle Event", {"reference_name": customer, "event": "Deactivated"})) == 1


def test_a_bulk_deactivation_under_way_holds_up_only_its_own_records(committed, people, unlocked_afterwards):
	"""While a deactivation waits (a colleague holds its invoice), what it holds is its customer
	and that customer's lock entry: another customer is saved and locked meanwhile without waiting."""
	customer, other = committed.make_customer().name, committed.make_customer().name
	invoice = committed.make_sales_invoice(customer).name
	unlocked_afterwards.append(other)
	row = RowHolder("Sales Invoice", invoice)

	def save_and_lock():
		doc = frappe.get_doc("Customer", other)
		doc.customer_details = "saved meanwhile"
		doc.save()
		return locking.lock("Customer", other)

	bulk = Worker(people["other"], deactivations(customer)[1])
	try:
		assert bulk.stuck(), bulk.answer
		elsewhere = Worker(people["holder"], save_and_lock)
		elsewhere.join(WAIT / 2)
		assert not elsewhere.is_alive(), "held up by the deactivation"
		assert bulk.is_alive()
	finally:
		row.let_go()
	assert elsewhere.finish()["locked_by"] == people["holder"]
	assert bulk.finish() == [{"name": customer, "ok": True}]


def test_a_bulk_action_sees_a_lock_newer_than_its_snapshot_when_redis_cannot_tell(
	committed, people, unlocked_afterwards
):
	"""The Redis lock set is gone (expired, say) and the deactivation's transaction read before a
	lock was committed: the database decides, read as committed, not the old snapshot."""
	customer = committed.make_customer().name
	unlocked_afterwards.append(customer)
	snapshot, go = threading.Event(), threading.Event()

	def deactivate():
		frappe.db.get_value("Customer", customer, "crm_active")  # this transaction's snapshot
		snapshot.set()
		go.wait(WAIT)
		return deactivation_bulk.deactivate_many("Customer", [customer], reason="after the lock")

	bulk = Worker(people["other"], deactivate)
	try:
		assert snapshot.wait(WAIT)
		locker = Worker(people["holder"], lambda: locking.lock("Customer", customer))
		assert locker.finish()["locked_by"] == people["holder"]
		locking.forget_cache("Customer")
	finally:
		go.set()
	[result] = bulk.finish()
	assert not result["ok"] and result["error"].startswith("Locked by"), result  # before: deactivated
	frappe.db.rollback()
	assert frappe.db.get_value("Customer", customer, "crm_active") == 1
