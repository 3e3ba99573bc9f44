"""Data of the "Customer Sheet" print format (PDF through Frappe's own Print), as a Jinja method.

Kept apart from the vCard export (vobject): every Jinja environment of the site imports this module.
"""

from collections import defaultdict

import frappe
from frappe.query_builder import Order
from frappe.utils import flt, fmt_money, formatdate


def linked_addresses(doctype: str, names: list[str]) -> dict[str, list[dict]]:
	"""The enabled Addresses linked to each record, primary first (also used by the vCard export)."""
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
	by_record = defaultdict(list)
	for row in rows:
		by_record[row.link_name].append(row)
	return by_record


def _money(amount: float, currency: str) -> str:
	return fmt_money(flt(amount), currency=currency)


def _totals(rows: list[dict], field: str) -> list[str]:
	sums = defaultdict(float)
	for row in rows:
		sums[row.currency] += flt(row.get(field))
	return [_money(amount, currency) for currency, amount in sorted(sums.items())]


def crm_lifecycle_customer_sheet(customer: str) -> dict:
	"""Jinja method of the "Customer Sheet" print format: what is open with the customer. Lists are
	read with the printing user's permissions."""
	link_filters = [
		["Dynamic Link", "link_doctype", "=", "Customer"],
		["Dynamic Link", "link_name", "=", customer],
	]
	contacts = frappe.get_list(
		"Contact",
		filters=link_filters,
		fields=["name", "first_name", "last_name", "designation", "email_id", "phone", "mobile_no"],
		order_by="`tabContact`.is_primary_contact desc, `tabContact`.creation asc",
	)
	addresses = linked_addresses("Customer", [customer])[customer]
	quotations = frappe.get_list(
		"Quotation",
		filters={
			"quotation_to": "Customer",
			"party_name": customer,
			"docstatus": 1,
			"status": ("in", ["Open", "Replied", "Partially Ordered"]),
		},
		fields=["name", "transaction_date", "valid_till", "status", "currency", "grand_total"],
		order_by="transaction_date desc",
	)
	orders = frappe.get_list(
		"Sales Order",
		filters={
			"customer": customer,
			"docstatus": 1,
			"status": ("in", ["To Deliver and Bill", "To Bill", "To Deliver", "On Hold"]),
		},
		fields=["name", "transaction_date", "delivery_date", "status", "currency", "grand_total"],
		order_by="transaction_date desc",
	)
	invoices = frappe.get_list(
		"Sales Invoice",
		filters={"customer": customer, "docstatus": 1, "outstanding_amount": (">", 0)},
		fields=[
			"name",
			"posting_date",
			"due_date",
			"status",
			"currency",
			"grand_total",
			"outstanding_amount",
		],
		order_by="posting_date desc",
	)
	for row in quotations + orders + invoices:
		row.grand_total_text = _money(row.grand_total, row.currency)
		row.date_text = formatdate(row.get("transaction_date") or row.get("posting_date"))
		row.due_text = formatdate(row.get("valid_till") or row.get("delivery_date") or row.get("due_date"))
	for row in invoices:
		row.outstanding_text = _money(row.outstanding_amount, row.currency)
	for address in addresses:
		address.display = ", ".join(
			filter(
				None,
				(
					address.address_line1,
					address.address_line2,
					address.pincode,
					address.city,
					address.country,
				),
			)
		)
	return {
		"contacts": contacts,
		"addresses": addresses,
		"quotations": quotations,
		"quotations_total": _totals(quotations, "grand_total"),
		"orders": orders,
		"orders_total": _totals(orders, "grand_total"),
		"invoices": invoices,
		"invoices_total": _totals(invoices, "grand_total"),
		"outstanding_total": _totals(invoices, "outstanding_amount"),
	}
