"""Contacts and addresses of a record through Frappe's Dynamic Link rows: the one place that
reads them, and only ever hands out those the session user may read.
"""

from collections import defaultdict

import frappe
from frappe.query_builder import Order

from crm_lifecycle.services import visibility


def linked_addresses(doctype: str, names: list[str]) -> dict[str, list[dict]]:
	"""The enabled Addresses linked to each record that the user may read, primary first."""
	Address, Link = frappe.qb.DocType("Address"), frappe.qb.DocType("Dynamic Link")
	rows = (
		frappe.qb.from_(Address)
		.join(Link)
		.on((Link.parent == Address.name) & (Link.parenttype == "Address"))
		.select(
			Link.link_name,
			Address.name,
			Address.address_type,
			Address.address_line1,
			Address.address_line2,
			Address.city,
			Address.state,
			Address.pincode,
			Address.country,
			Address.phone,
			Address.email_id,
			Address.is_primary_address,
		)
		.where((Link.link_doctype == doctype) & Link.link_name.isin(names) & (Address.disabled == 0))
		.orderby(Address.is_primary_address, order=Order.desc)
		.orderby(Address.creation)
		.run(as_dict=True)
	)
	allowed = visibility.readable("Address", [row.name for row in rows])
	by_record = defaultdict(list)
	for row in rows:
		if row.name in allowed:
			by_record[row.link_name].append(row)
	return by_record


def linked_contacts(doctype: str, names: list[str]) -> dict[str, list[str]]:
	"""The Contacts linked to each record that the user may read, oldest link first."""
	rows = frappe.get_all(
		"Dynamic Link",
		filters={"parenttype": "Contact", "link_doctype": doctype, "link_name": ("in", names)},
		fields=["parent", "link_name"],
		order_by="creation",
	)
	allowed = visibility.readable("Contact", [row.parent for row in rows])
	by_record = defaultdict(list)
	for row in rows:
		if row.parent in allowed:
			by_record[row.link_name].append(row.parent)
	return by_record


# Internal lookups: for decisions the app makes itself (which customer a portal user is, who
# gets an e-mail), not for handing out. Callers that return names filter them (`visibility`).


def contact_links(
	contacts: list[str] | None = None, link_doctype: str = "Customer", linked: list[str] | None = None
) -> list[tuple[str, str]]:
	"""(contact, linked record) pairs of `link_doctype` from the contacts' links: of the given
	`contacts`, or of the contacts linked to one of the records `linked`."""
	if not contacts and not linked:
		return []
	Link = frappe.qb.DocType("Dynamic Link")
	chosen = Link.parent.isin(contacts) if contacts else Link.link_name.isin(linked)
	return (
		frappe.qb.from_(Link)
		.select(Link.parent, Link.link_name)
		.where((Link.parenttype == "Contact") & (Link.link_doctype == link_doctype) & chosen)
		.run()
	)


def contacts_of(doctype: str, name: str) -> list[str]:
	"""The Contacts linked to one record, in the order of their names."""
	Link = frappe.qb.DocType("Dynamic Link")
	return (
		frappe.qb.from_(Link)
		.select(Link.parent)
		.where((Link.parenttype == "Contact") & (Link.link_doctype == doctype) & (Link.link_name == name))
		.orderby(Link.parent)
		.run(pluck=True)
	)


def records_of(doctype: str, name: str, parenttypes=("Contact", "Address")) -> list[tuple[str, str]]:
	"""(doctype, name) of each Contact and Address linked to one record."""
	Link = frappe.qb.DocType("Dynamic Link")
	return (
		frappe.qb.from_(Link)
		.select(Link.parenttype, Link.parent)
		.where(Link.parenttype.isin(parenttypes) & (Link.link_doctype == doctype) & (Link.link_name == name))
		.orderby(Link.parenttype, Link.parent)
		.run()
	)


def first_contact_of(doctype: str, name: str) -> str:
	"""The Contact linked to the record first (ERPNext makes one with each new lead), or ""."""
	Link = frappe.qb.DocType("Dynamic Link")
	rows = (
		frappe.qb.from_(Link)
		.select(Link.parent)
		.where((Link.parenttype == "Contact") & (Link.link_doctype == doctype) & (Link.link_name == name))
		.orderby(Link.creation)
		.limit(1)
		.run(pluck=True)
	)
	return rows[0] if rows else ""


def is_linked(parenttype: str, parent: str, doctype: str, name: str) -> bool:
	"""Whether the Contact or Address `parent` is linked to the record."""
	return bool(
		frappe.db.exists(
			"Dynamic Link",
			{"parenttype": parenttype, "parent": parent, "link_doctype": doctype, "link_name": name},
		)
	)


def primary_address(doctype: str, name: str, address_type: str = "Billing") -> str | None:
	"""The record's enabled primary Address of that type (the registered seat is the billing one)."""
	Address, Link = frappe.qb.DocType("Address"), frappe.qb.DocType("Dynamic Link")
	rows = (
		frappe.qb.from_(Address)
		.join(Link)
		.on((Link.parent == Address.name) & (Link.parenttype == "Address"))
		.select(Address.name)
		.where(
			(Link.link_doctype == doctype)
			& (Link.link_name == name)
			& (Address.disabled == 0)
			& (Address.address_type == address_type)
			& (Address.is_primary_address == 1)
		)
		.orderby(Address.creation)
		.limit(1)
		.run(pluck=True)
	)
	return rows[0] if rows else None
