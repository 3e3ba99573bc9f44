"""Deactivating N customers at once, each with open invoices to hold: the set-based bulk action
(`deactivation_bulk.deactivate_many`, what the list's "Deactivate" runs on the queue) against a
loop of the single-record call (`deactivation.deactivate`) over a sample of other customers.

    <bench>/env/bin/python -m benchmarks.bench_deactivation_many [N ...] [--loop SAMPLE]
    (default N = 1000 10000, SAMPLE = 200)

Per N it prints the bulk action's time and SQL statements, both per customer, so that a cost
growing with N shows, and the ratio against the loop's cost per customer (target >= 20x). The
loop runs over SAMPLE customers only: at about a tenth of a second per customer, 10,000 would
take a quarter of an hour, and its cost per customer does not depend on how many there are.
Customers and invoices are copied set-based from one real customer and invoice; everything
runs in one transaction that is rolled back at the end.
"""

import sys
import time

import frappe

from benchmarks.site import clone, connect, statements
from crm_lifecycle.services import deactivation, deactivation_bulk
from tests import factories

INVOICES_PER_CUSTOMER = 2


def customers_with_invoices(count: int) -> list[str]:
	"""`count` active customers, each with INVOICES_PER_CUSTOMER submitted unpaid invoices."""
	customer = factories.make_customer()
	invoice = factories.make_sales_invoice(customer.name)
	prefix = f"BENCH-DEACT-{frappe.generate_hash(length=6)}"
	names = [f"{prefix}-{index:06d}" for index in range(count)]
	clone("Customer", customer.name, [(name, name) for name in names], ("customer_name",))
	clone(
		"Sales Invoice",
		invoice.name,
		[(f"{name}-SI{n}", name) for name in names for n in range(INVOICES_PER_CUSTOMER)],
		("customer",),
	)
	return names


def timed(function) -> tuple[float, int]:
	before, start = statements(), time.perf_counter()
	function()
	return time.perf_counter() - start, statements() - before - 1


def main(counts: list[int], sample: int) -> None:
	connect()
	factories.seed()
	loop_names = customers_with_invoices(sample)

	def loop():
		for name in loop_names:
			deactivation.deactivate("Customer", name, hold_invoices=True, reason="benchmark")

	loop_seconds, loop_statements = timed(loop)
	per_loop = loop_seconds / sample
	print(f"{INVOICES_PER_CUSTOMER} open invoices per customer, hold_invoices=1")
	print(
		f"  loop of deactivate() over {sample}: {per_loop * 1000:8.2f} ms and "
		f"{loop_statements / sample:7.1f} SQL statements per customer"
	)
	for count in counts:
		names = customers_with_invoices(count)
		seconds, sent = timed(
			lambda names=names: deactivation_bulk.deactivate_many(
				"Customer", names, hold_invoices=True, reason="benchmark"
			)
		)
		done = frappe.db.count("Customer", {"name": ("in", names), "crm_active": 0})
		held = frappe.db.count("Sales Invoice", {"customer": ("in", names), "crm_reminders_on_hold": 1})
		assert (done, held) == (count, count * INVOICES_PER_CUSTOMER), (done, held)
		print(
			f"  deactivate_many, N = {count:6d}: {seconds:7.2f} s, {seconds / count * 1000:6.2f} ms and "
			f"{sent / count:5.2f} SQL statements per customer; ratio {per_loop / (seconds / count):6.1f}x"
		)
	frappe.db.rollback()
	frappe.destroy()


if __name__ == "__main__":
	args = sys.argv[1:]
	sample = 200
	if "--loop" in args:
		index = args.index("--loop")
		sample = int(args[index + 1])
		del args[index : index + 2]
	main([int(arg) for arg in args] or [1_000, 10_000], sample)
