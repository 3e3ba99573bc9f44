"""Saving an unlocked record of a lockable doctype while 100,000 locks are stored: with the app's
lock check on, against the same save with the check switched off (ERPNext's own save).

    <bench>/env/bin/python -m benchmarks.bench_locking [LOCKS] [SAVES]   (default 100000 500)

The saves alternate between both modes save by save, so drift and noise hit both alike; the
medians per save, their ratio, the SQL statements per save (MariaDB's own counter) and the cost
of the check alone are printed. The
100,000 lock rows are inserted set-based in the same transaction, which is rolled back at the
end; the Redis lock set built from them is dropped again.
"""

import statistics
import sys
import time

import frappe
from frappe.utils import now_datetime

from benchmarks.site import connect, statements
from crm_lifecycle.services import locking
from tests import factories


def store_locks(count: int) -> None:
	"""N locks on Customer records (names that need not exist: only the lock set's size matters),
	one multi-row INSERT per 10,000."""
	now, prefix = now_datetime(), f"BENCH-LOCK-{frappe.generate_hash(length=6)}"
	fields = ["name", "creation", "modified", "owner", "modified_by"]
	fields += ["reference_doctype", "reference_name", "locked_by", "locked_on", "reason"]
	rows = [
		(
			name,
			now,
			now,
			"Administrator",
			"Administrator",
			"Customer",
			name,
			"Administrator",
			now,
			"benchmark",
		)
		for name in (f"{prefix}-{i:06d}" for i in range(count))
	]
	frappe.db.bulk_insert("Lifecycle Lock", fields, rows, chunk_size=10_000)


def timed_save(customer, check_off: bool) -> tuple[float, int]:
	"""One save with the check on or off: wall seconds and SQL statements sent."""
	frappe.flags.crm_lifecycle_skip_lock_check = check_off
	try:
		customer.customer_details = f"benchmark {check_off} {time.perf_counter()}"
		before, start = statements(), time.perf_counter()
		customer.save()
		return time.perf_counter() - start, statements() - before - 1
	finally:
		frappe.flags.crm_lifecycle_skip_lock_check = False


def check_cost(customer, calls: int = 5000) -> float:
	"""Seconds per call of the check itself, as the "*" before_validate hook runs it."""
	start = time.perf_counter()
	for _ in range(calls):
		locking.check_write(customer)
	return (time.perf_counter() - start) / calls


def main(lock_count: int, saves: int) -> None:
	connect()
	factories.seed()
	try:
		assert locking.enforcement_on() and "Customer" in locking.lockable_doctypes()
		store_locks(lock_count)
		stored = frappe.db.count("Lifecycle Lock", {"reference_doctype": "Customer"})
		customer = factories.make_customer()
		print(f"{stored} Customer locks stored; saving unlocked customer {customer.name}")

		locking.forget_cache("Customer")
		start = time.perf_counter()
		assert locking.cached_lock("Customer", customer.name) is None  # builds the Redis lock set
		print(f"  building the Redis lock set once: {time.perf_counter() - start:.3f} s")

		for check_off in (False, True) * 5:  # warm-up: document, meta and permission caches
			timed_save(customer, check_off)
		times: dict[bool, list[float]] = {False: [], True: []}
		counts: dict[bool, list[int]] = {False: [], True: []}
		# alternate on/off save by save (order flipped every pair): drift and noise from other
		# processes on the machine hit both modes alike
		for index in range(saves):
			for check_off in (False, True) if index % 2 == 0 else (True, False):
				seconds, sent = timed_save(customer, check_off)
				times[check_off].append(seconds)
				counts[check_off].append(sent)

		ours, theirs = statistics.median(times[False]), statistics.median(times[True])
		ours_sql, theirs_sql = statistics.mean(counts[False]), statistics.mean(counts[True])
		per_check = check_cost(customer)
		print(f"Saving an unlocked Customer, {saves} saves per mode, alternating (median per save)")
		print(f"  lock check on  (crm_lifecycle): {ours * 1000:8.3f} ms  {ours_sql:6.2f} SQL statements")
		print(f"  lock check off (ERPNext save):  {theirs * 1000:8.3f} ms  {theirs_sql:6.2f} SQL statements")
		print(f"  ratio on/off: {ours / theirs:.4f} (overhead {100 * (ours / theirs - 1):+.2f} %)")
		print(f"  extra SQL statements per save: {ours_sql - theirs_sql:+.2f}")
		print(
			f"  the check alone: {per_check * 1e6:.1f} us per save "
			f"= {100 * per_check / theirs:.2f} % of a save (one Redis HMGET, no SQL)"
		)
	finally:
		frappe.db.rollback()
		locking.forget_cache("Customer")  # built from rows that no longer exist
		frappe.destroy()


if __name__ == "__main__":
	main(
		int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
		int(sys.argv[2]) if len(sys.argv) > 2 else 500,
	)
