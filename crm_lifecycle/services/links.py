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
