"""The dependency graph from plain edges: transitive, cycle safe, one batch per level, ordered."""

from hypothesis import given
from hypothesis import strategies as st

from crm_lifecycle.core.dependencies import (
	CONVERSION,
	LINK,
	NATIVE,
	Edge,
	Node,
	Walk,
	native_edges,
	ordered,
)

LEAD = Node("Lead", "L1")
OPP = Node("Opportunity", "O1")
QTN = Node("Quotation", "Q1")
SINV = Node("Sales Invoice", "S1")
CUST = Node("Customer", "C1")
OTHER = Node("Lead", "L2")

FUNNEL_EDGES = [Edge(LEAD, OPP), Edge(OPP, QTN), Edge(QTN, SINV), Edge(LEAD, CUST)]


def walk(root, edges, **kwargs):
	"""Plays the service: each round returns every edge touching the pending nodes."""
	w = Walk(root, **kwargs)
	rounds = 0
	while not w.done:
		pending = w.pending()
		w.feed([e for e in edges if e.source in pending or e.target in pending])
		rounds += 1
	return w.graph(), rounds


def test_the_leads_quotations_invoice_is_on_the_lead_and_the_lead_on_the_invoice():
	graph, _ = walk(LEAD, [*FUNNEL_EDGES, Edge(OTHER, Node("Opportunity", "O2"))])
	assert set(graph.nodes) == {LEAD, OPP, QTN, SINV, CUST}
	graph, _ = walk(SINV, FUNNEL_EDGES)
	assert set(graph.nodes) == {LEAD, OPP, QTN, SINV, CUST}
	assert len(graph.edges) == 4


def test_one_round_per_level_not_per_node():
	# a lead with 50 opportunities, each with a quotation: 3 levels, so 3 rounds (+1 empty)
	edges = []
	for i in range(50):
		opp, qtn = Node("Opportunity", f"O{i}"), Node("Quotation", f"Q{i}")
		edges += [Edge(LEAD, opp), Edge(opp, qtn)]
	graph, rounds = walk(LEAD, edges)
	assert len(graph.nodes) == 101
	assert rounds == 3


def test_cycles_terminate_and_every_node_is_ordered_once():
	edges = [Edge(OPP, QTN), Edge(QTN, OPP), Edge(QTN, SINV)]
	graph, _ = walk(OPP, edges)
	assert set(graph.nodes) == {OPP, QTN, SINV}
	order = ordered(graph.nodes, graph.edges)
	assert [node for node, _ in order] == [OPP, QTN, SINV]
	assert [gen for _, gen in order] == [0, 1, 2]


def test_ordering_follows_dependencies_then_the_funnel():
	order = ordered([SINV, QTN, CUST, OPP, LEAD], FUNNEL_EDGES)
	assert order == [(LEAD, 0), (CUST, 1), (OPP, 1), (QTN, 2), (SINV, 3)]


def test_walk_stops_at_max_nodes_and_says_so():
	edges = [Edge(LEAD, Node("Opportunity", f"O{i}")) for i in range(10)]
	graph, _ = walk(LEAD, edges, max_nodes=5)
	assert len(graph.nodes) == 5
	assert graph.truncated
	assert not walk(LEAD, edges)[0].truncated


def test_an_explicit_kind_outranks_the_native_one_for_the_same_pair():
	graph, _ = walk(LEAD, [Edge(LEAD, OPP, NATIVE), Edge(LEAD, OPP, CONVERSION)])
	assert [e.kind for e in graph.edges] == [CONVERSION]


def test_edges_not_touching_the_frontier_are_ignored():
	# a name collision in the service's query (a Contact and a Customer both named "Acme")
	graph, _ = walk(CUST, [Edge(Node("Lead", "X"), Node("Contact", "C1"))])
	assert graph.nodes == (CUST,)


@given(
	st.lists(
		st.tuples(st.integers(0, 12), st.integers(0, 12)),
		max_size=40,
	)
)
def test_walk_finds_exactly_the_connected_component(pairs):
	nodes = [Node("Opportunity", str(i)) for i in range(13)]
	edges = [Edge(nodes[a], nodes[b]) for a, b in pairs]
	graph, _ = walk(nodes[0], edges)
	# reference: plain undirected reachability
	reach, todo = {nodes[0]}, [nodes[0]]
	while todo:
		node = todo.pop()
		for e in edges:
			for a, b in ((e.source, e.target), (e.target, e.source)):
				if a == node and b not in reach:
					reach.add(b)
					todo.append(b)
	assert set(graph.nodes) == reach
	order = ordered(graph.nodes, graph.edges)
	assert sorted(n for n, _ in order) == sorted(reach)
	position = {node: i for i, (node, _) in enumerate(order)}
	acyclic = [e for e in graph.edges if not _on_cycle(e, graph.edges)]
	assert all(position[e.source] < position[e.target] for e in acyclic)


def _on_cycle(edge, edges):
	"""True when edge.target reaches edge.source (so the edge closes a cycle)."""
	seen, todo = set(), [edge.target]
	while todo:
		node = todo.pop()
		if node == edge.source:
			return True
		if node in seen:
			continue
		seen.add(node)
		todo += [e.target for e in edges if e.source == node]
	return False


def test_native_edges_from_erpnext_link_fields():
	assert native_edges("Opportunity", "O1", {"opportunity_from": "Lead", "party_name": "L1"}) == [
		Edge(LEAD, OPP)
	]
	assert native_edges("Opportunity", "O1", {"opportunity_from": "Prospect", "party_name": "P"}) == []
	quotation = {
		"quotation_to": "Lead",
		"party_name": "L1",
		"opportunity": None,
		"items": [{"prevdoc_doctype": "Opportunity", "prevdoc_docname": "O1"}, {"prevdoc_docname": None}],
	}
	assert native_edges("Quotation", "Q1", quotation) == [Edge(OPP, QTN)]
	quotation["items"] = []
	assert native_edges("Quotation", "Q1", quotation) == [Edge(LEAD, QTN)]
	order = {"items": [{"prevdoc_docname": "Q1"}, {"prevdoc_docname": "Q1"}]}
	assert native_edges("Sales Order", "SO1", order) == [Edge(QTN, Node("Sales Order", "SO1"))]
	invoice = {"items": [{"sales_order": "SO1"}, {"sales_order": ""}]}
	assert native_edges("Sales Invoice", "S1", invoice) == [Edge(Node("Sales Order", "SO1"), SINV)]
	customer = {"lead_name": "L1", "opportunity_name": "O1"}
	assert native_edges("Customer", "C1", customer) == [Edge(LEAD, CUST), Edge(OPP, CUST)]
	contact = {
		"links": [
			{"link_doctype": "Lead", "link_name": "L1"},
			{"link_doctype": "Customer", "link_name": "C1"},
		]
	}
	assert native_edges("Contact", "P1", contact) == [
		Edge(LEAD, Node("Contact", "P1"), NATIVE),
		Edge(CUST, Node("Contact", "P1"), LINK),
	]
	assert native_edges("Lead", "L1", {"customer": "C1"}) == []
