"""Conversions and the dependency graph on the real site.

1. Lead -> Opportunity + Contact + Customer in one `convert` call, against ERPNext's own three
   conversions one after the other (Lead.create_contact, make_customer, make_opportunity, each
   inserted). Target: at most 1.2x ERPNext's time.
2. The graph of one lead in a funnel of N records (N/4 leads, each with opportunity -> quotation ->
   invoice edges), against walking the same edges with one query per node. Target: under 50 ms,
   and a statement count that does not grow with N.

    <bench>/env/bin/python -m benchmarks.bench_conversion [conversions] [funnel records]

Everything runs in one transaction that is rolled back at the end: the site is left unchanged.
"""

import itertools
import sys

import frappe

from erpnext.crm.doctype.lead import lead as erpnext_lead

from benchmarks.site import connect, measure, report
from crm_lifecycle.core.dependencies import Edge, Node
from crm_lifecycle.services import conversion, dependencies
from tests import factories


def erpnext_three_conversions(lead) -> None:
	contact = lead.create_contact()
	contact.append("links", {"link_doctype": "Lead", "link_name": lead.name})
	contact.save()
	erpnext_lead.make_customer(lead.name).insert()
	erpnext_lead.make_opportunity(lead.name).insert()


def bench_conversions(count: int) -> None:
	leads = [factories.make_lead(with_contact=False) for _ in range(2 * count + 2)]
	# one of each first: whichever runs first pays for cold caches
	conversion.convert("Lead", leads.pop().name, ["Opportunity", "Contact", "Customer"])
	erpnext_three_conversions(leads.pop())
	totals = {key: {"seconds": 0.0, "statements": 0} for key in ("ours", "theirs")}
	for index in range(count):  # interleaved, so load on a shared machine hits both alike
		results = {}
		with measure(results, "theirs"):
			erpnext_three_conversions(leads[2 * index])
		with measure(results, "ours"):
			conversion.convert("Lead", leads[2 * index + 1].name, ["Opportunity", "Contact", "Customer"])
		for key, result in results.items():
			totals[key]["seconds"] += result["seconds"]
			totals[key]["statements"] += result["statements"]
	report(
		f"Lead -> Opportunity + Contact + Customer, {count} leads",
		totals["ours"],
		totals["theirs"],
		"ERPNext, 3 conversions",
	)
	print(f"  ours / ERPNext: {totals['ours']['seconds'] / totals['theirs']['seconds']:.2f} (target <= 1.2)")


def synthetic_funnel(records: int) -> Node:
	"""records/4 leads, each Lead -> Opportunity -> Quotation -> Sales Invoice; returns one lead."""
	edges, leads = [], []
	for index in range(records // 4):
		chain = [
			Node(dt, f"BENCH-{dt}-{index}") for dt in ("Lead", "Opportunity", "Quotation", "Sales Invoice")
		]
		edges += [Edge(a, b, "Conversion") for a, b in itertools.pairwise(chain)]
		leads.append(chain[0])
	dependencies.record(edges, timeline=False)
	return leads[len(leads) // 2]


def walk_per_node(root: Node) -> set:
	"""The naive way: one query per node for the links that touch it."""
	seen, todo = {root}, [root]
	while todo:
		node = todo.pop()
		rows = frappe.get_all(
			dependencies.LINKS,
			filters=[["source_name", "=", node.name]],
			fields=["target_doctype", "target_name"],
		) + frappe.get_all(
			dependencies.LINKS,
			filters=[["target_name", "=", node.name]],
			fields=["source_doctype as target_doctype", "source_name as target_name"],
		)
		for row in rows:
			other = Node(row.target_doctype, row.target_name)
			if other not in seen:
				seen.add(other)
				todo.append(other)
	return seen


def bench_graph(records: int) -> None:
	small_root = synthetic_funnel(4)
	dependencies.graph("Lead", small_root.name)  # warm metadata caches
	small = {}
	with measure(small, "ours"):
		dependencies.graph("Lead", small_root.name)
	root = synthetic_funnel(records)
	results = {}
	with measure(results, "ours"):
		graph = dependencies.graph("Lead", root.name)
	with measure(results, "theirs"):
		walked = walk_per_node(root)
	assert len(graph["nodes"]) == len(walked) == 4, (len(graph["nodes"]), len(walked))
	report(
		f"Graph of one lead in a {records}-record funnel",
		results["ours"],
		results["theirs"],
		"one query per node",
	)
	print(
		f"  {results['ours']['seconds'] * 1000:.1f} ms (target < 50 ms); statements: "
		f"{results['ours']['statements']} here, {small['ours']['statements']} in a 4-record funnel"
	)


def main(conversions: int, records: int) -> None:
	connect()
	factories.seed()
	try:
		bench_conversions(conversions)
		bench_graph(records)
	finally:
		frappe.db.rollback()
		frappe.destroy()


if __name__ == "__main__":
	main(
		int(sys.argv[1]) if len(sys.argv) > 1 else 20,
		int(sys.argv[2]) if len(sys.argv) > 2 else 1000,
	)
