"""A portal user's invoice list over N invoices of one customer (default 50,000, every tenth a
credit note): ERPNext's own portal list (frappe.www.list.get -> ERPNext's get_transaction_list)
against the app's list for a contact whose Credit Notes are denied, which filters per contact
in the query itself.

    <bench>/env/bin/python -m benchmarks.bench_portal [N]

Checks that paging stays exact with the restriction: every page has its full 20 rows, no
invoice shows twice, no credit note shows, and the last page ends exactly at the number of
invoices allowed. Prints both lists' medians and their ratio (at most 1.05 wanted), and the SQL
statements of 200 permission decisions once the user's access is loaded (expected: 0).
Everything is rolled back at the end.
"""

import statistics
import sys
import time

import frappe
from frappe.utils import add_to_date, now_datetime
from frappe.www import list as www_list

from benchmarks.site import clone, connect, statements
from crm_lifecycle.overrides import portal as guard
from crm_lifecycle.overrides import portal_pages
from crm_lifecycle.services import portal
from tests import factories

PAGES = 10
ROUNDS = 15


def timed(erpnext, ours) -> tuple[float, float]:
	"""Median seconds per page of each list, over ROUNDS x PAGES pages asked alternately (the
	order swapped each time), so drift and noise hit both alike."""
	times = {erpnext: [], ours: []}
	for round_ in range(ROUNDS):
		for page in range(PAGES):
			pair = (erpnext, ours) if (round_ + page) % 2 else (ours, erpnext)
			for function in pair:
				start = time.perf_counter()
				function(page * 20)
				times[function].append(time.perf_counter() - start)
	return statistics.median(times[erpnext]), statistics.median(times[ours])


def check_paging(allowed: int) -> None:
	"""The first PAGES pages and the last one, as the portal user pages through them."""
	seen = set()
	for page in range(PAGES):
		rows = portal_pages.get_list_data("Sales Invoice", limit_start=page * 20, limit=20)
		assert len(rows) == 20, (page, len(rows))
		assert not any(row.is_return for row in rows), page
		seen.update(row.name for row in rows)
	assert len(seen) == PAGES * 20
	last = portal_pages.get_list_data("Sales Invoice", limit_start=allowed - 5, limit=20)
	assert len(last) == 5, len(last)
	print(f"  paging exact: {PAGES} full pages, no credit note, the last page ends at invoice {allowed}")


def main(count: int) -> None:
	connect()
	frappe.local.conf.throttle_user_limit = 1_000_000
	factories.seed()
	customer = factories.make_customer()
	contact = factories.make_contact(customer=customer.name, portal_user=True)
	template = factories.make_sales_invoice(customer.name)
	# Every tenth a credit note, each a second older than the one before, as real invoices come
	# (copies sharing one timestamp would put all credit notes at the top of the list).
	prefix, start = f"PORTAL-{frappe.generate_hash(length=6)}", now_datetime()
	rows = [
		(f"{prefix}-{index:06d}", int(index % 10 == 9), add_to_date(start, seconds=-index))
		for index in range(count)
	]
	clone("Sales Invoice", template.name, rows, ("is_return", "modified"))
	returns = sum(row[1] for row in rows)
	portal.set_access(contact.name, {"Credit Notes": {"view": 0}})
	frappe.set_user(contact.user)
	print(f"{count} invoices of one customer, {PAGES} list pages of 20 x {ROUNDS} rounds, alternated")

	def erpnext(start):
		www_list.get("Sales Invoice", limit_start=start, limit=20, pathname="invoices")

	def ours(start):
		portal.clear_access_cache()  # a new request loads the user's access again
		portal_pages.get("Sales Invoice", limit_start=start, limit=20, pathname="invoices")

	assert portal_pages.restriction("Sales Invoice") == "some"
	check_paging(count - returns + 1)  # and the template
	theirs_seconds, ours_seconds = timed(erpnext, ours)
	print(f"  ERPNext's portal list:       {theirs_seconds * 1000:8.1f} ms per page")
	print(f"  with per-contact permission: {ours_seconds * 1000:8.1f} ms per page")
	print(f"  ratio: {ours_seconds / theirs_seconds:.3f} (at most 1.05 wanted)")

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
	main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
