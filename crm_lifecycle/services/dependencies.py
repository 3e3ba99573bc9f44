"""Stores the edges between CRM documents and reads the graph of one document.

Every edge lives in "Lifecycle Document Link": our conversions write theirs, and a doc_event derives
ERPNext's own (a Quotation made from an Opportunity in plain ERPNext ...) from its link fields, so
that reading a graph needs this one table only: one query per level, one per doctype for titles.
"""

from collections.abc import Iterable

import frappe
from frappe import _
from frappe.query_builder import Order
from frappe.utils import escape_html, get_absolute_url, get_fullname, now_datetime

from crm_lifecycle.core import dependencies as core
from crm_lifecycle.core.dependencies import LINK, Edge, Node

LINKS = "Lifecycle Document Link"
# (title field, status field) shown for each node; permission-checked through get_list
DETAILS = {
	"Lead": ("title", "status"),
	"Opportunity": ("title", "status"),
	"Quotation": ("title", "status"),
	"Sales Order": ("title", "status"),
	"Sales Invoice": ("title", "status"),
	"Customer": ("customer_name", "disabled"),
	"Contact": ("full_name", "status"),
}
_COLUMNS = ("source_doctype", "source_name", "target_doctype", "target_name")


def record(edges: Iterable[Edge], user: str | None = None, timeline: bool = True) -> list[Edge]:
	"""Store the edges not stored yet, upgrade a derived edge that a conversion or link explains,
	and put a timeline entry on both sides of each new one. Returns the new edges."""
	strongest: dict[tuple[Node, Node], Edge] = {}
	for edge in edges:
		known = strongest.get(edge.pair)
		if edge.source != edge.target and (known is None or core.stronger(edge.kind, known.kind)):
			strongest[edge.pair] = edge
	if not strongest:
		return []
	user = user or frappe.session.user
	existing = _stored(strongest.values())
	new = [edge for pair, edge in strongest.items() if pair not in existing]
	upgrades: dict[str, list[str]] = {}
	for pair, (row_name, kind) in existing.items():
		if core.stronger(strongest[pair].kind, kind):
			upgrades.setdefault(strongest[pair].kind, []).append(row_name)

	now = now_datetime()
	if new:
		frappe.db.bulk_insert(
			LINKS,
			["name", "creation", "modified", "owner", "modified_by", *_COLUMNS, "kind", "user"],
			[
				(frappe.generate_hash(length=12), now, now, user, user, *_key(edge), edge.kind, user)
				for edge in new
			],
			ignore_duplicates=True,  # a concurrent save may have recorded the same pair
		)
	table = frappe.qb.DocType(LINKS)
	for kind, names in upgrades.items():
		frappe.qb.update(table).set(table.kind, kind).set(table.user, user).where(
			table.name.isin(names)
		).run()
	if timeline and new:
		_timeline(new, user, now)
	return new


def record_native(doc) -> list[Edge]:
	"""The edges ERPNext's link fields on `doc` imply (see core.dependencies.native_edges)."""
	if doc.doctype not in DETAILS or doc.is_new() or doc.flags.crm_lifecycle_edges_recorded:
		return []
	# the document itself answers .get() as its dict would, without copying every row first
	return record(core.native_edges(doc.doctype, doc.name, doc))


def forget(doctype: str, name: str) -> None:
	"""A deleted document leaves the graph (its timeline entries elsewhere stay, as history)."""
	table = frappe.qb.DocType(LINKS)
	# A plain read, then a delete by primary key: a DELETE through the name indexes would take gap
	# locks there and deadlock with concurrent saves recording their edges. Most deleted
	# documents have no edge at all and then nothing is locked.
	rows = (
		frappe.qb.from_(table)
		.select(table.name)
		.where(
			((table.source_doctype == doctype) & (table.source_name == name))
			| ((table.target_doctype == doctype) & (table.target_name == name))
		)
		.run(pluck=True)
	)
	if rows:
		frappe.qb.from_(table).delete().where(table.name.isin(rows)).run()


def linked_to(doctype: str, name: str, target_doctype: str) -> str | None:
	"""The first record of `target_doctype` the document was linked to ("Link to Existing")."""
	table = frappe.qb.DocType(LINKS)
	rows = (
		frappe.qb.from_(table)
		.select(table.target_name)
		.where(
			(table.source_doctype == doctype)
			& (table.source_name == name)
			& (table.target_doctype == target_doctype)
			& (table.kind == LINK)
		)
		.orderby(table.creation, order=Order.asc)
		.limit(1)
		.run(pluck=True)
	)
	return rows[0] if rows else None


def graph(doctype: str, name: str, max_nodes: int = 500) -> dict:
	"""Everything connected to the record, transitively, in dependency order: {"nodes", "edges"}."""
	walk = core.Walk(Node(doctype, name), max_nodes=max_nodes)
	meta: dict[tuple[Node, Node], dict] = {}
	while not walk.done:
		rows = _touching(walk.pending())
		for row in rows:
			meta[(row.edge.source, row.edge.target)] = {"user": row.user, "creation": str(row.creation)}
		walk.feed(row.edge for row in rows)
	found = walk.graph()
	details = _details(found.nodes)
	# a document the caller may not read keeps its place in the graph, not its name
	hidden = {
		node: f"hidden-{index}"
		for index, node in enumerate(sorted(n for n in found.nodes if n not in details and n != found.root))
	}
	nodes = []
	for node, generation in core.ordered(found.nodes, found.edges):
		info = details.get(node)
		nodes.append(
			{
				"doctype": node.doctype,
				"name": None if node in hidden else node.name,
				"ref": hidden.get(node),
				"title": info.get("title") if info else None,
				"status": info.get("status") if info else None,
				"docstatus": info.get("docstatus") if info else None,
				"accessible": info is not None,
				"generation": generation,
				"root": node == found.root,
			}
		)
	edges = []
	for edge in found.edges:
		row = dict(zip(_COLUMNS, _key(edge), strict=True), kind=edge.kind, **meta.get(edge.pair, {}))
		for end, node in (("source", edge.source), ("target", edge.target)):
			if node in hidden:
				row[f"{end}_name"], row[f"{end}_ref"] = None, hidden[node]
				# who linked a hidden document, and when, is as much its own as its name
				row["user"] = row["creation"] = None
		edges.append(row)
	return {"nodes": nodes, "edges": edges, "truncated": found.truncated, "hidden": len(hidden)}


class _Row:
	__slots__ = ("creation", "edge", "user")

	def __init__(self, edge: Edge, user: str, creation):
		self.edge, self.user, self.creation = edge, user, creation


def _touching(nodes: frozenset[Node]) -> list[_Row]:
	"""Every stored edge with one end among `nodes`: one query, served by the name indexes."""
	names = sorted({node.name for node in nodes})
	table = frappe.qb.DocType(LINKS)
	rows = (
		frappe.qb.from_(table)
		.select(*(table[column] for column in _COLUMNS), table.kind, table.user, table.creation)
		.where(table.source_name.isin(names) | table.target_name.isin(names))
		.orderby(table.creation, order=Order.asc)
		.run()
	)
	return [
		_Row(Edge(Node(sdt, sname), Node(tdt, tname), kind), user, creation)
		for sdt, sname, tdt, tname, kind, user, creation in rows
	]


def _stored(edges: Iterable[Edge]) -> dict[tuple[Node, Node], tuple[str, str]]:
	edges = list(edges)
	table = frappe.qb.DocType(LINKS)
	rows = (
		frappe.qb.from_(table)
		.select(table.name, *(table[column] for column in _COLUMNS), table.kind)
		.where(table.source_name.isin(sorted({e.source.name for e in edges})))
		.where(table.target_name.isin(sorted({e.target.name for e in edges})))
		.run()
	)
	wanted = {edge.pair for edge in edges}
	stored = {}
	for row_name, sdt, sname, tdt, tname, kind in rows:
		pair = (Node(sdt, sname), Node(tdt, tname))
		if pair in wanted:
			stored[pair] = (row_name, kind)
	return stored


def _details(nodes: Iterable[Node]) -> dict[Node, dict]:
	"""Title, status and docstatus of each node the user may read: one query per doctype."""
	by_doctype: dict[str, list[str]] = {}
	for node in nodes:
		by_doctype.setdefault(node.doctype, []).append(node.name)
	details = {}
	for doctype, names in by_doctype.items():
		if doctype not in DETAILS or not frappe.has_permission(doctype, "read"):
			continue
		title_field, status_field = DETAILS[doctype]
		rows = frappe.get_list(
			doctype,
			filters={"name": ("in", names)},
			fields=["name", f"{title_field} as title", f"{status_field} as status", "docstatus"],
			limit_page_length=0,
			order_by=None,
		)
		for row in rows:
			if status_field == "disabled":
				row.status = "Disabled" if row.status else "Enabled"
			details[Node(doctype, row.name)] = row
	return details


def _key(edge: Edge) -> tuple[str, str, str, str]:
	return (edge.source.doctype, edge.source.name, edge.target.doctype, edge.target.name)


def _link(node: Node) -> str:
	# relative, so the link works whatever host the desk is opened on
	return f'<a href="{get_absolute_url(node.doctype, node.name)}">{escape_html(node.name)}</a>'


def _timeline(edges: list[Edge], user: str, now) -> None:
	"""An "Info" line on each side, as ERPNext writes its own ("Quotation Q created from this ...")."""
	values = []
	full_name = get_fullname(user)
	for edge in edges:
		source, target = edge.source, edge.target
		if edge.kind == LINK:
			on_source = _("Linked to {0} {1}").format(_(target.doctype), _link(target))
			on_target = _("Linked to {0} {1}").format(_(source.doctype), _link(source))
		else:
			on_source = _("{0} {1} created from this {2}").format(
				_(target.doctype), _link(target), _(source.doctype)
			)
			# the same words whoever recorded it first: ERPNext's own link fields are recorded during
			# our conversions too, before the conversion marks the edge as its own
			on_target = _("Created from {0} {1}").format(_(source.doctype), _link(source))
		for node, content in ((source, on_source), (target, on_target)):
			values.append(
				(
					frappe.generate_hash(length=12),
					now,
					now,
					user,
					user,
					"Info",
					node.doctype,
					node.name,
					content,
					user,
					full_name,
				)
			)
	frappe.db.bulk_insert(
		"Comment",
		[
			*("name", "creation", "modified", "owner", "modified_by", "comment_type"),
			*("reference_doctype", "reference_name", "content", "comment_email", "comment_by"),
		],
		values,
	)


def backfill() -> int:
	"""Records the native edges of documents that existed before the app (or its hooks) did:
	two queries per doctype, rules from core.native_edges, no timeline entries (old history)."""
	edges = []
	for doctype, fields, tables in _BACKFILL:
		values: dict[str, dict] = {}
		if fields:
			values = {row.name: row for row in frappe.get_all(doctype, fields=["name", *fields])}
		for table, child_doctype, child_fields in tables:
			filters = {"parenttype": doctype, **_ROW_FILTER[child_doctype]}
			for row in frappe.get_all(child_doctype, fields=["parent", *child_fields], filters=filters):
				values.setdefault(row.parent, {}).setdefault(table, []).append(row)
		for name, row in values.items():
			edges += core.native_edges(doctype, name, row)
	if edges:
		frappe.db.bulk_insert(
			LINKS,
			["name", "creation", "modified", "owner", "modified_by", *_COLUMNS, "kind", "user"],
			[
				(
					frappe.generate_hash(length=12),
					now_datetime(),
					now_datetime(),
					"Administrator",
					"Administrator",
					*_key(edge),
					edge.kind,
					None,
				)
				for edge in edges
			],
			ignore_duplicates=True,
		)
	return len(edges)


_BACKFILL = (
	("Opportunity", ["opportunity_from", "party_name"], []),
	(
		"Quotation",
		["opportunity", "quotation_to", "party_name"],
		[("items", "Quotation Item", ["prevdoc_doctype", "prevdoc_docname"])],
	),
	("Sales Order", [], [("items", "Sales Order Item", ["prevdoc_docname"])]),
	("Sales Invoice", [], [("items", "Sales Invoice Item", ["sales_order"])]),
	("Customer", ["lead_name", "opportunity_name"], []),
	("Contact", [], [("links", "Dynamic Link", ["link_doctype", "link_name"])]),
)
_ROW_FILTER = {
	"Quotation Item": {"prevdoc_docname": ("is", "set")},
	"Sales Order Item": {"prevdoc_docname": ("is", "set")},
	"Sales Invoice Item": {"sales_order": ("is", "set")},
	"Dynamic Link": {"link_doctype": ("in", ("Lead", "Customer"))},
}
