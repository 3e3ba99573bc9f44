"""Transferring N customers with their open documents to a new account owner: the app's
set-based transfer against Frappe's own bulk edit of the same fields (the per-document loop of
frappe.desk.doctype.bulk_update.bulk_update._bulk_action with action "update": get_doc, update,
save, publish_progress), on Customer.account_manager, Opportunity.opportunity_owner and
ToDo.allocated_to (whose save rewrites `_assign` on the assigned record, as ours does).

    <bench>/env/bin/python -m benchmarks.bench_accounts [N] [THEIRS]   (default 10000, all N)

Each customer has one open Opportunity, one draft Quotation and three open assignments (on the
customer, the opportunity and the quotation) of the previous owner, cloned set-based (multi-row
INSERTs). Ours transfers all N in one call and one transaction, as a Sales user (the set-based
permission check included). Frappe's loop runs as Administrator, without its commit per
document, in batches of 100 customers (500 documents, the most one Frappe bulk edit takes), each
batch made, timed and rolled back on its own, so that no transaction holds row locks for minutes
on a shared site; the batch times are summed. With THEIRS < N, Frappe's loop runs on THEIRS
customers and is scaled to N (printed as such). Every transaction is rolled back: the site is
left unchanged.
"""

import json
import sys

import frappe
from frappe.utils import now_datetime

from benchmarks.site import connect, measure, report
from crm_lifecycle.services import accounts
from tests import factories

BATCH = 100  # customers per batch of Frappe's loop: 500 documents, Frappe's bulk-edit maximum


def clone_rows(doctype: str, template: str, rows: list[tuple[str, str]], overrides: dict[str, str]) -> None:
	"""Copies of one row by multi-row INSERTs (10,000 a statement): `rows` are (new name,
	customer) pairs, `overrides` maps a column to "name", "customer" or a fixed value.

	The template is read by a plain SELECT: an INSERT ... SELECT would keep shared locks on the
	rows it reads for the whole (long) transaction and block other sessions' inserts."""
	values = frappe.db.sql(f"select * from `tab{doctype}` where name = %s", template, as_dict=True)[0]
	columns = [column for column in values if column != "name"]
	pick = {"name": 0, "customer": 1}
	frappe.db.bulk_insert(
		doctype,
		["name", *columns],
		(
			(
				row[0],
				*(
					row[pick[overrides[c]]] if overrides.get(c) in pick else overrides.get(c, values[c])
					for c in columns
				),
			)
			for row in rows
		),
	)


def accounts_with_documents(count: int, owner: str, prefix: str) -> dict[str, list[str]]:
	customer = factories.make_customer(account_manager=owner).name
	# templates named by us: a naming series would keep its counter row locked by this long
	# transaction, and every other process making an Opportunity or Quotation would wait for it
	opportunity = frappe.get_doc(
		{
			"doctype": "Opportunity",
			"opportunity_from": "Customer",
			"party_name": customer,
			"opportunity_owner": owner,
			"company": factories.company(),
		}
	).insert(set_name=f"{prefix}-O-TEMPLATE")
	quotation = frappe.get_doc(
		{
			"doctype": "Quotation",
			"quotation_to": "Customer",
			"party_name": customer,
			"company": factories.company(),
			"transaction_date": frappe.utils.nowdate(),
			"items": [{"item_code": factories.TEST_ITEM, "qty": 1, "rate": 100}],
		}
	)
	quotation.set_missing_values()
	quotation.insert(set_name=f"{prefix}-Q-TEMPLATE")
	opportunity, quotation = opportunity.name, quotation.name
	customers = [f"{prefix}-C-{index:06d}" for index in range(count)]
	opportunities = [f"{prefix}-O-{index:06d}" for index in range(count)]
	quotations = [f"{prefix}-Q-{index:06d}" for index in range(count)]
	assigned = json.dumps([owner])
	clone_rows(
		"Customer",
		customer,
		[(name, name) for name in customers],
		{"customer_name": "customer", "account_manager": owner, "_assign": assigned},
	)
	clone_rows(
		"Opportunity",
		opportunity,
		list(zip(opportunities, customers, strict=True)),
		{"party_name": "customer", "_assign": assigned},
	)
	clone_rows(
		"Quotation",
		quotation,
		list(zip(quotations, customers, strict=True)),
		{"party_name": "customer", "_assign": assigned},
	)
	now = now_datetime()
	fields = ["name", "creation", "modified", "owner", "modified_by", "status", "priority", "date"]
	fields += ["allocated_to", "description", "reference_type", "reference_name", "assigned_by"]
	todos = [
		(
			f"{prefix}-T-{doctype[0]}-{index:06d}",
			now,
			now,
			"Administrator",
			"Administrator",
			"Open",
			"Medium",
			now.date(),
			owner,
			"follow up",
			doctype,
			name,
			"Administrator",
		)
		for doctype, names in (
			("Customer", customers),
			("Opportunity", opportunities),
			("Quotation", quotations),
		)
		for index, name in enumerate(names)
	]
	frappe.db.bulk_insert("ToDo", fields, todos, chunk_size=5000)
	return {"Customer": customers, "Opportunity": opportunities, "ToDo": [row[0] for row in todos]}


def system_user(roles: list[str]) -> str:
	"""A user row and its roles, inserted directly: User.on_update rewrites a global default,
	whose row this long transaction would keep locked against every other user creation."""
	name, now = f"bench-{frappe.generate_hash(length=8)}@crm-lifecycle.test", now_datetime()
	common = {"creation": now, "modified": now, "owner": "Administrator", "modified_by": "Administrator"}
	frappe.db.bulk_insert(
		"User",
		["name", "email", "first_name", "enabled", "user_type", *common],
		[(name, name, name.split("@")[0], 1, "System User", *common.values())],
	)
	frappe.db.bulk_insert(
		"Has Role",
		["name", "parent", "parenttype", "parentfield", "role", *common],
		[(frappe.generate_hash(length=10), name, "User", "roles", role, *common.values()) for role in roles],
	)
	return name


def frappe_bulk_edit(doctype: str, names: list[str], data: dict) -> None:
	"""The loop frappe.desk...bulk_update._bulk_action runs for action "update", minus its
	commit per document (submit_cancel_or_update_docs itself refuses more than 500)."""
	for index, name in enumerate(names, 1):
		doc = frappe.get_doc(doctype, name)
		doc.update(data)
		doc.save()
		frappe.publish_progress(percent=index / len(names) * 100, title="Updating", description=name)


def measure_ours(count: int) -> dict:
	"""The app's transfer of `count` customers, as a Sales user, in one transaction."""
	old, new, seller = (system_user(["Sales User", "Sales Manager"]) for _ in range(3))
	ours = accounts_with_documents(count, old, f"BENCH-{frappe.generate_hash(length=6)}")
	results = {}
	frappe.set_user(seller)
	with measure(results, "ours"):
		result = accounts.transfer(ours["Customer"], new, include_open_documents=True)
	frappe.set_user("Administrator")
	assert result["moved"] == count and result["refused"] == 0, result["refused"]
	assert result["documents_moved"] == count and result["assignments_moved"] == 3 * count
	moved = frappe.db.count("Customer", {"name": ("in", ours["Customer"]), "account_manager": new})
	assert moved == count, moved
	frappe.db.rollback()
	return results["ours"]


def measure_theirs(count: int) -> dict:
	"""Frappe's loop over `count` customers in batches of BATCH, each made, edited and rolled back
	on its own: Frappe's bulk edit takes at most 500 documents a call and commits each one, and
	one transaction of many minutes would hold its row locks against every other session."""
	total = {"seconds": 0.0, "statements": 0}
	for start in range(0, count, BATCH):
		results = retrying(frappe_batch, min(BATCH, count - start))
		total["seconds"] += results["seconds"]
		total["statements"] += results["statements"]
	return total


def frappe_batch(size: int) -> dict:
	old, new = system_user(["Sales User"]), system_user(["Sales User"])
	theirs = accounts_with_documents(size, old, f"BENCH-{frappe.generate_hash(length=6)}")
	results = {}
	with measure(results, "theirs"):
		frappe_bulk_edit("Customer", theirs["Customer"], {"account_manager": new})
		frappe_bulk_edit("Opportunity", theirs["Opportunity"], {"opportunity_owner": new})
		frappe_bulk_edit("ToDo", theirs["ToDo"], {"allocated_to": new})
	assert frappe.db.count("ToDo", {"name": ("in", theirs["ToDo"]), "allocated_to": new}) == 3 * size
	frappe.db.rollback()
	return results["theirs"]


def retrying(run, *args, attempts: int = 3):
	"""Other sessions work on the same site: a deadlock costs the attempt, not the benchmark."""
	for attempt in range(attempts):
		try:
			return run(*args)
		except frappe.QueryDeadlockError:
			frappe.db.rollback()
			frappe.set_user("Administrator")
			if attempt == attempts - 1:
				raise


def main(count: int, theirs_count: int) -> None:
	connect()
	factories.seed()
	print(f"{count} customers, each with an open opportunity, a draft quotation and 3 open assignments")
	ours = retrying(measure_ours, count)
	print(f"  crm_lifecycle done: {ours['seconds']:.3f} s", flush=True)
	theirs = measure_theirs(theirs_count)
	label = "Frappe bulk edit loop"
	if theirs_count != count:
		scale = count / theirs_count
		print(
			f"  (Frappe's loop ran on {theirs_count} customers; its time and statements are scaled x{scale:g})"
		)
		theirs = {"seconds": theirs["seconds"] * scale, "statements": int(theirs["statements"] * scale)}
		label = "Frappe bulk edit (scaled)"
	report(f"Transfer {count} customers with their open documents", ours, theirs, label)
	frappe.db.rollback()
	frappe.destroy()


if __name__ == "__main__":
	n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
	main(n, int(sys.argv[2]) if len(sys.argv) > 2 else n)
