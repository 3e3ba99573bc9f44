"""Deactivating a customer with N open invoices and hold_invoices=1, against a loop of
`frappe.get_doc(...).db_set(...)` over the same invoices (the ERPNext way to flag documents).

    <bench>/env/bin/python -m benchmarks.bench_deactivation [N]   (default 10000)

Everything runs in one transaction that is rolled back at the end: the site is left unchanged.
"""

import sys

import frappe
from frappe.utils import now_datetime

from benchmarks.site import clone_invoices, connect, measure, report
from crm_lifecycle.services import deactivation
from tests import factories


def main(count: int) -> None:
	connect()
	factories.seed()
	customer = factories.make_customer()
	template = factories.make_sales_invoice(customer.name)
	other = factories.make_customer()
	other_template = factories.make_sales_invoice(other.name)
	clone_invoices(template.name, count, f"BENCH-{frappe.generate_hash(length=6)}")
	theirs_names = clone_invoices(other_template.name, count, f"BENCH-{frappe.generate_hash(length=6)}")
	print(f"{count} open invoices per customer")

	results = {}
	with measure(results, "ours"):
		deactivation.deactivate("Customer", customer.name, hold_invoices=True, reason="benchmark")
	held = frappe.db.count("Sales Invoice", {"customer": customer.name, "crm_reminders_on_hold": 1})
	assert held == count + 1, held

	with measure(results, "theirs"):
		now, user = now_datetime(), frappe.session.user
		for name in [other_template.name, *theirs_names]:
			frappe.get_doc("Sales Invoice", name).db_set(
				{
					"crm_reminders_on_hold": 1,
					"crm_held_by": user,
					"crm_held_on": now,
					"crm_hold_reason": "benchmark",
				}
			)
	report(
		f"Deactivate with hold_invoices=1, {count} invoices",
		results["ours"],
		results["theirs"],
		"get_doc().db_set loop",
	)
	frappe.db.rollback()
	frappe.destroy()


if __name__ == "__main__":
	main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
