"""The dependency graph between CRM documents, built from plain edges.

An edge says "target was made from (or linked to) source": one of our conversions, a link to an
existing record, or a link field ERPNext itself sets (a Quotation item's Opportunity, a Sales
Invoice item's Sales Order, a Customer's Lead ...). The graph of a document is everything
connected to it, transitively: the lead's quotation's invoice shows on the lead, and the lead shows
on the invoice.

`Walk` collects that graph one level at a time, so the service needs one query per level and no
query per node. Cycles are safe: a node is expanded once. `ordered` lays the graph out in
generations (lead, then opportunity, then quotation ...), also when the data has cycles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from crm_lifecycle.core.party import party_of

# How the funnel reads from left to right; breaks ties when ordering a generation.
FUNNEL = ("Lead", "Contact", "Customer", "Opportunity", "Quotation", "Sales Order", "Sales Invoice")

# Edge kinds, strongest first: an explicit conversion or link outranks the same pair derived later.
CONVERSION, LINK, NATIVE = "Conversion", "Link", "Native"
KINDS = (CONVERSION, LINK, NATIVE)


@dataclass(frozen=True, order=True)
class Node:
	doctype: str
	name: str


@dataclass(frozen=True)
class Edge:
	source: Node
	target: Node
	kind: str = NATIVE

	@property
	def pair(self) -> tuple[Node, Node]:
		return (self.source, self.target)


@dataclass(frozen=True)
class Graph:
	root: Node
	nodes: tuple[Node, ...]
	edges: tuple[Edge, ...]
	truncated: bool = False


def stronger(kind: str, than: str) -> bool:
	return KINDS.index(kind) < KINDS.index(than)


class Walk:
	"""The connected graph around `root`, discovered level by level.

	Loop: `pending()` names the nodes whose edges are not known yet; the caller fetches every edge
	touching them (one query) and hands them to `feed()`; stop when `done`.
	"""

	def __init__(self, root: Node, max_nodes: int = 500, max_depth: int = 50):
		self.root = root
		self.max_nodes = max_nodes
		self.max_depth = max_depth
		self.depth = 0
		self.truncated = False
		self._nodes: dict[Node, None] = {root: None}  # insertion-ordered set
		self._edges: dict[tuple[Node, Node], Edge] = {}
		self._frontier: set[Node] = {root}

	@property
	def done(self) -> bool:
		return not self._frontier

	def pending(self) -> frozenset[Node]:
		return frozenset(self._frontier)

	def feed(self, edges: Iterable[Edge]) -> None:
		expanding, self._frontier = self._frontier, set()
		self.depth += 1
		for edge in sorted(edges, key=lambda e: (e.source, e.target)):
			if edge.source not in expanding and edge.target not in expanding:
				continue  # the caller's query may return more than asked for (name collisions)
			new = [node for node in dict.fromkeys(edge.pair) if node not in self._nodes]
			if len(self._nodes) + len(new) > self.max_nodes:
				self.truncated = True
				continue
			for node in new:
				self._nodes[node] = None
				self._frontier.add(node)
			known = self._edges.get(edge.pair)
			if known is None or stronger(edge.kind, known.kind):
				self._edges[edge.pair] = edge
		if self.depth >= self.max_depth and self._frontier:
			self.truncated = True
			self._frontier = set()

	def graph(self) -> Graph:
		return Graph(self.root, tuple(self._nodes), tuple(self._edges.values()), self.truncated)


def _rank(node: Node) -> tuple[int, str, str]:
	position = FUNNEL.index(node.doctype) if node.doctype in FUNNEL else len(FUNNEL)
	return (position, node.doctype, node.name)


def ordered(nodes: Iterable[Node], edges: Iterable[Edge]) -> list[tuple[Node, int]]:
	"""Nodes in dependency order with their generation (0 = made from nothing in this graph).

	Topological over the strongly connected components, the funnel breaking ties; the members of a
	cycle come together, in funnel order, so every node appears exactly once and every edge that
	is not part of a cycle points forward.
	"""
	nodes = sorted(set(nodes), key=_rank)
	known = set(nodes)
	incoming: dict[Node, set[Node]] = {node: set() for node in nodes}
	outgoing: dict[Node, set[Node]] = {node: set() for node in nodes}
	for edge in edges:
		if edge.source in known and edge.target in known and edge.source != edge.target:
			incoming[edge.target].add(edge.source)
			outgoing[edge.source].add(edge.target)

	component = _components(nodes, outgoing, incoming)
	members: dict[int, list[Node]] = {}
	for node in nodes:
		members.setdefault(component[node], []).append(node)
	waiting = {
		index: len({component[p] for node in group for p in incoming[node]} - {index})
		for index, group in members.items()
	}
	generation: dict[Node, int] = {}
	result: list[tuple[Node, int]] = []
	while waiting:
		index = min((i for i, count in waiting.items() if count == 0), key=lambda i: _rank(members[i][0]))
		del waiting[index]
		for node in members[index]:
			parents = [generation[parent] for parent in incoming[node] if parent in generation]
			generation[node] = max(parents) + 1 if parents else 0
			result.append((node, generation[node]))
		for child in {component[c] for node in members[index] for c in outgoing[node]} - {index}:
			waiting[child] -= 1
	return result


def _components(
	nodes: list[Node], outgoing: Mapping[Node, set[Node]], incoming: Mapping[Node, set[Node]]
) -> dict[Node, int]:
	"""Strongly connected components (Kosaraju, iterative): node -> component number."""
	finished: list[Node] = []
	seen: set[Node] = set()
	for start in nodes:
		if start in seen:
			continue
		seen.add(start)
		stack = [(start, iter(sorted(outgoing[start], key=_rank)))]
		while stack:
			node, children = stack[-1]
			child = next((c for c in children if c not in seen), None)
			if child is None:
				stack.pop()
				finished.append(node)
			else:
				seen.add(child)
				stack.append((child, iter(sorted(outgoing[child], key=_rank))))
	component: dict[Node, int] = {}
	for index, start in enumerate(reversed(finished)):
		if start in component:
			continue
		todo = [start]
		component[start] = index
		while todo:
			for parent in incoming[todo.pop()]:
				if parent not in component:
					component[parent] = index
					todo.append(parent)
	return component


# Link fields ERPNext sets when it makes one document from another: (field, source doctype, kind).
_HEADER_LINKS: Mapping[str, tuple[tuple[str, str, str], ...]] = {
	"Customer": (("lead_name", "Lead", NATIVE), ("opportunity_name", "Opportunity", NATIVE)),
	"Quotation": (("opportunity", "Opportunity", NATIVE),),
}
# Child-table link fields: (table, field, source doctype or None when a `*_doctype` column says it).
_ROW_LINKS: Mapping[str, tuple[tuple[str, str, str | None], ...]] = {
	"Quotation": (("items", "prevdoc_docname", None),),
	"Sales Order": (("items", "prevdoc_docname", "Quotation"),),
	"Sales Invoice": (("items", "sales_order", "Sales Order"),),
}


def native_edges(doctype: str, name: str, values: Mapping) -> list[Edge]:
	"""The edges ERPNext's own link fields imply for one document, given its values as a dict
	(child tables as lists of dicts) or anything else answering .get() alike, the document
	itself. Only documents of the funnel count as sources."""
	target = Node(doctype, name)
	sources: dict[Node, str] = {}

	def add(source_doctype: str | None, source_name: str | None, kind: str = NATIVE) -> None:
		if source_doctype in FUNNEL and source_name:
			sources.setdefault(Node(source_doctype, source_name), kind)

	for field, source_doctype, kind in _HEADER_LINKS.get(doctype, ()):
		add(source_doctype, values.get(field), kind)
	for table, field, source_doctype in _ROW_LINKS.get(doctype, ()):
		for row in values.get(table) or ():
			add(source_doctype or row.get("prevdoc_doctype"), row.get(field))
	if doctype == "Opportunity":
		party_doctype, party = party_of(doctype, values)
		if party_doctype in ("Lead", "Customer"):
			add(party_doctype, party)
	elif doctype == "Quotation" and not sources:
		# lead.make_quotation: a quotation made straight from a lead, not through an opportunity
		party_doctype, party = party_of(doctype, values)
		if party_doctype == "Lead":
			add(party_doctype, party)
	elif doctype == "Contact":
		for row in values.get("links") or ():
			if row.get("link_doctype") == "Lead":
				add("Lead", row.get("link_name"), NATIVE)  # ERPNext makes a contact for each new lead
			elif row.get("link_doctype") == "Customer":
				add("Customer", row.get("link_name"), LINK)
	sources.pop(target, None)
	return [Edge(source, target, kind) for source, kind in sources.items()]
