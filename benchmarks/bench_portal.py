"""A portal user's invoice list over N invoices (default 5,000): ERPNext's own portal list
(frappe.www.list.get -> ERPNext's get_transaction_list) against the app's list for a contact
whose Credit Notes are denied, which filters the same rows per contact.

    <bench>/env/bin/python -m benchmarks.bench_portal [N]

Also counts the SQL statements of 200 permission decisions once the user's access is loaded
(expected: 0). Everything is rolled back at the end.
"""

import statistics
import sys
import time

import frappe
from frappe.www import list as www_list

from benchmarks.site import clone_invoices, connect, statements
from crm_lifecycle.overrides import portal as guard
from crm_lifecycle.overrides import portal_pages
from crm_lifecycle.services import portal
from tests import factories

PAGES = 10
ROUNDS = 7


def timed(function) -> float:
	"""Median seconds of ROUNDS runs of PAGES list pages."""
	runs = []
	for _ in range(ROUNDS):
		start = time.perf_counter()
		for page in range(PAGES):
			function(page * 20)
		runs.append(time.perf_counter() - start)
	return statistics.median(runs)


def main(count: int) -> None:
	connect()
	frappe.local.conf.throttle_user_limit = 1_000_000
	factories.seed()
	customer = factories.make_customer()
	contact = factories.make_contact(customer=customer.name, portal_user=True)
	template = factories.make_sales_invoice(customer.name)
	clone_invoices(template.name, count, f"PORTAL-{frappe.generate_hash(length=6)}")
	portal.set_access(contact.name, {"Credit Notes": {"view": 0}})
	frappe.set_user(contact.user)
	print(f"{count} invoices of one customer, {PAGES} list pages of 20, median of {ROUNDS} runs")

	def erpnext(start):
		www_list.get("Sales Invoice", limit_start=start, limit=20, pathname="invoices")

	def ours(start):
		portal.clear_access_cache()  # a new request loads the user's access again
		portal_pages.get("Sales Invoice", limit_start=start, limit=20, pathname="invoices")

	assert portal_pages.restriction("Sales Invoice") == "some"
	theirs_seconds, ours_seconds = timed(erpnext), timed(ours)
	print(f"  ERPNext's portal list:       {theirs_seconds:8.3f} s")
	print(f"  with per-contact permission: {ours_seconds:8.3f} s")
	print(f"  ratio: {ours_seconds / theirs_seconds:.3f} (at most 1.10 wanted)")

	docs = frappe.get_all("Sales Invoice", filters={"customer": customer.name}, fields=["*"], limit=200)
	portal.user_access()
	before = statements()
	decisions = [guard.denied(frappe._dict(doc, doctype="Sales Invoice")) for doc in docs]
	print(
		f"  {len(decisions)} permission decisions after loading access: {statements() - before - 1} SQL statements"
	)

	frappe.set_user("Administrator")
	frappe.db.rollback()
	frappe.destroy()


if __name__ == "__main__":
	main(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000)
