"""The dependency graph on the real site: ERPNext's own conversions are recorded, the graph is
transitive in both directions, permission-aware, and costs one query per level."""

import itertools

import pytest

import frappe
from frappe.utils import nowdate

from erpnext.crm.doctype.lead import lead as erpnext_lead
from erpnext.crm.doctype.opportunity.opportunity import make_quotation
from erpnext.selling.doctype.quotation.quotation import make_sales_order
from erpnext.selling.doctype.sales_order.sales_order import make_sales_invoice

from crm_lifecycle.api import dependencies as dependencies_api
from crm_lifecycle.core.dependencies import Edge, Node
from crm_lifecycle.services import conversion, dependencies
from tests import factories as f
from tests.integration.test_conversion import edge_kind as kind

LINKS = "Lifecycle Document Link"


def names(graph: dict) -> set[tuple[str, str]]:
	return {(node["doctype"], node["name"]) for node in graph["nodes"]}


def native_funnel():
	"""Lead -> Customer, Opportunity -> Quotation -> Sales Order -> Sales Invoice, all made with
	ERPNext's own mappers, as a desk user clicking its Create buttons would."""
	lead = f.make_lead()
	customer = erpnext_lead.make_customer(lead.name)
	customer.insert()
	opportunity = erpnext_lead.make_opportunity(lead.name)
	opportunity.append("items", {"item_code": f.TEST_ITEM, "qty": 2, "rate": 50, "uom": "Nos"})
	opportunity.insert()
	quotation = make_quotation(opportunity.name)
	quotation.insert()
	quotation.submit()
	order = make_sales_order(quotation.name)
	# ERPNext 15.18's mapper set today's delivery date, newer v15 mappers leave it to the user
	order.delivery_date = order.delivery_date or nowdate()
	order.insert()
	order.submit()
	invoice = make_sales_invoice(order.name)
	invoice.insert()
	return frappe._dict(
		lead=lead,
		customer=customer,
		opportunity=opportunity,
		quotation=quotation,
		order=order,
		invoice=invoice,
	)


def test_erpnexts_own_conversions_are_recorded_from_its_link_fields():
	funnel = native_funnel()
	[contact] = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "link_doctype": "Lead", "link_name": funnel.lead.name},
		pluck="parent",
	)
	contact = frappe.get_doc("Contact", contact)

	assert kind(funnel.lead, funnel.customer) == "Native"
	assert kind(funnel.lead, funnel.opportunity) == "Native"
	assert kind(funnel.opportunity, funnel.quotation) == "Native"
	assert kind(funnel.quotation, funnel.order) == "Native"
	assert kind(funnel.order, funnel.invoice) == "Native"
	assert kind(funnel.lead, contact) == "Native"
	assert kind(funnel.customer, contact) == "Link"  # ERPNext linked the lead's contact to it
	assert kind(funnel.opportunity, funnel.invoice) is None  # control: no edge that ERPNext did not set
	entries = frappe.get_all(
		"Comment",
		filters={
			"reference_doctype": "Quotation",
			"reference_name": funnel.quotation.name,
			"comment_type": "Info",
		},
		pluck="content",
	)
	assert any(funnel.order.name in entry and "created from this Quotation" in entry for entry in entries)
	assert any(funnel.opportunity.name in entry and entry.startswith("Created from") for entry in entries)


def test_the_leads_quotations_invoice_is_on_the_lead_and_the_lead_on_the_invoice():
	funnel = native_funnel()
	everything = {(doc.doctype, doc.name) for doc in funnel.values()}

	on_lead = dependencies.graph("Lead", funnel.lead.name)
	on_invoice = dependencies.graph("Sales Invoice", funnel.invoice.name)

	assert everything <= names(on_lead)
	assert names(on_lead) == names(on_invoice)
	order = [(node["doctype"], node["name"]) for node in on_lead["nodes"]]
	assert order[0] == ("Lead", funnel.lead.name)
	assert order.index(("Quotation", funnel.quotation.name)) < order.index(
		("Sales Invoice", funnel.invoice.name)
	)
	by_name = {node["name"]: node for node in on_invoice["nodes"]}
	assert by_name[funnel.invoice.name]["root"] and not by_name[funnel.lead.name]["root"]
	assert by_name[funnel.invoice.name]["status"] == "Draft"
	assert by_name[funnel.order.name]["docstatus"] == 1
	assert by_name[funnel.lead.name]["title"] == funnel.lead.company_name
	generations = {node["name"]: node["generation"] for node in on_lead["nodes"]}
	assert generations[funnel.lead.name] == 0
	assert (
		generations[funnel.opportunity.name]
		< generations[funnel.quotation.name]
		< generations[funnel.order.name]
		< generations[funnel.invoice.name]
	)
	assert {
		"source_doctype": "Sales Order",
		"source_name": funnel.order.name,
		"target_doctype": "Sales Invoice",
		"target_name": funnel.invoice.name,
		"kind": "Native",
	}.items() <= next(e for e in on_lead["edges"] if e["target_name"] == funnel.invoice.name).items()


def test_graph_mixes_our_conversions_and_erpnexts_transitively():
	lead = f.make_lead()
	opportunity = conversion.convert("Lead", lead.name, ["Opportunity"])["records"][0]["name"]
	doc = frappe.get_doc("Opportunity", opportunity)
	doc.append("items", {"item_code": f.TEST_ITEM, "qty": 1, "rate": 10, "uom": "Nos"})
	doc.save()
	quotation = conversion.convert("Opportunity", opportunity, ["Quotation"])["records"][0]["name"]
	frappe.get_doc("Quotation", quotation).submit()
	invoice = conversion.convert("Quotation", quotation, ["Sales Invoice"])
	invoice_name = {r["doctype"]: r["name"] for r in invoice["records"]}["Sales Invoice"]

	graph = dependencies_api.graph("Lead", lead.name)

	assert ("Sales Invoice", invoice_name) in names(graph)
	kinds = {(e["source_name"], e["target_name"]): e["kind"] for e in graph["edges"]}
	assert kinds[(lead.name, opportunity)] == "Conversion"
	assert kinds[(opportunity, quotation)] == "Conversion"
	assert kinds[(quotation, invoice_name)] == "Conversion"


def test_nodes_the_user_may_not_read_are_shown_without_details(as_user):
	funnel = native_funnel()
	sales_user = f.make_user(roles=["Sales User"])  # reads leads and orders, not invoices

	with as_user(sales_user.name):
		graph = dependencies_api.graph("Lead", funnel.lead.name)
	by_name = {node["name"]: node for node in graph["nodes"]}
	# the invoice keeps its place in the graph, counted, not named (nor in any edge)
	assert funnel.invoice.name not in by_name and funnel.invoice.name not in frappe.as_json(graph)
	[hidden] = [node for node in graph["nodes"] if node["doctype"] == "Sales Invoice"]
	assert hidden["name"] is None and hidden["accessible"] is False and hidden["title"] is None
	assert graph["hidden"] == 1
	assert any(edge["target_ref"] == hidden["ref"] for edge in graph["edges"] if edge.get("target_ref"))
	# nor who linked it, nor when: an edge to a hidden document keeps only its place
	to_hidden = [e for e in graph["edges"] if hidden["ref"] in (e.get("source_ref"), e.get("target_ref"))]
	assert to_hidden and all(e["user"] is None and e["creation"] is None for e in to_hidden)
	assert all(e["user"] and e["creation"] for e in graph["edges"] if e not in to_hidden)  # control
	assert by_name[funnel.order.name]["accessible"] is True  # control: what the user may read
	assert dependencies_api.graph("Lead", funnel.lead.name)["nodes"][-1][
		"accessible"
	]  # Administrator sees all


def test_a_deleted_document_leaves_the_graph():
	lead = f.make_lead()
	opportunity = conversion.convert("Lead", lead.name, ["Opportunity"])["records"][0]["name"]
	assert ("Opportunity", opportunity) in names(dependencies.graph("Lead", lead.name))

	frappe.delete_doc("Opportunity", opportunity)

	assert ("Opportunity", opportunity) not in names(dependencies.graph("Lead", lead.name))
	assert not frappe.db.exists(LINKS, {"target_name": opportunity})


def test_backfill_records_what_erpnext_made_before_the_app():
	funnel = native_funnel()
	frappe.db.delete(
		LINKS, {"target_name": ("in", [funnel.quotation.name, funnel.order.name, funnel.invoice.name])}
	)
	assert kind(funnel.quotation, funnel.order) is None

	dependencies.backfill()

	assert kind(funnel.opportunity, funnel.quotation) == "Native"
	assert kind(funnel.quotation, funnel.order) == "Native"
	assert kind(funnel.order, funnel.invoice) == "Native"
	count = frappe.db.count(LINKS)
	dependencies.backfill()
	assert frappe.db.count(LINKS) == count  # idempotent


def _queries() -> int:
	return int(frappe.db.sql("show session status like 'Questions'")[0][1])


def _synthetic_funnel(width: int) -> Node:
	"""A lead with `width` opportunity -> quotation -> invoice chains, stored as edges only."""
	lead = Node("Lead", f.unique("LEAD"))
	edges = []
	for i in range(width):
		chain = [
			lead,
			*(Node(dt, f"{lead.name}-{dt}-{i}") for dt in ("Opportunity", "Quotation", "Sales Invoice")),
		]
		edges += [Edge(a, b, "Conversion") for a, b in itertools.pairwise(chain)]
	dependencies.record(edges, timeline=False)
	return lead


@pytest.mark.parametrize("width", [60])
def test_graph_queries_grow_with_depth_not_with_size(width):
	small, big = _synthetic_funnel(2), _synthetic_funnel(width)
	dependencies.graph("Lead", small.name)  # warm metadata caches

	before = _queries()
	small_graph = dependencies.graph("Lead", small.name)
	small_cost = _queries() - before - 1
	before = _queries()
	big_graph = dependencies.graph("Lead", big.name)
	big_cost = _queries() - before - 1

	assert len(small_graph["nodes"]) == 7 and len(big_graph["nodes"]) == 3 * width + 1
	assert big_cost == small_cost
	assert small_cost <= 4 + 4 + 1  # 4 levels (+1 empty), one detail query per doctype
