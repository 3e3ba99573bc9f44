"""Data of the "Customer Sheet" print format (PDF through Frappe's own Print), as a Jinja method.

Kept apart from the vCard export (vobject): every Jinja environment of the site imports this module.
"""

from collections import defaultdict

import frappe
from frappe.utils import flt, fmt_money, formatdate

from crm_lifecycle.services.links import contacts_of, linked_addresses

EMPTY_KEYS = (
	"contacts",
	"addresses",
	"quotations",
	"quotations_total",
	"orders",
	"orders_total",
	"invoices",
	"invoices_total",
	"outstanding_total",
)


def _money(amount: float, currency: str) -> str:
	return fmt_money(flt(amount), currency=currency)


def _totals(rows: list[dict], field: str) -> list[str]:
	sums = defaultdict(float)
	for row in rows:
		sums[row.currency] += flt(row.get(field))
	return [_money(amount, currency) for currency, amount in sorted(sums.items())]


def _readable_list(doctype: str, **kwargs) -> list:
	try:
		return frappe.get_list(doctype, **kwargs)
	except frappe.PermissionError:
		frappe.clear_last_message()
		return []


def crm_lifecycle_customer_sheet(customer: str) -> dict:
	"""Jinja method of the "Customer Sheet" print format: what is open with the customer. Every
	list is read with the printing user's permissions; a customer they may not read shows nothing
	(any template may call this method with any name)."""
	if not isinstance(customer, str) or not frappe.has_permission("Customer", "read", customer):
		return {key: [] for key in EMPTY_KEYS}
	linked = contacts_of("Customer", customer)
	contacts = linked and _readable_list(
		"Contact",
		filters={"name": ("in", linked)},
		fields=["name", "first_name", "last_name", "designation", "email_id", "phone", "mobile_no"],
		order_by="`tabContact`.is_primary_contact desc, `tabContact`.creation asc",
	)
	addresses = linked_addresses("Customer", [customer])[customer]
	quotations = _readable_list(
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
	orders = _readable_list(
		"Sales Order",
		filters={
			"customer": customer,
			"docstatus": 1,
			"status": ("in", ["To Deliver and Bill", "To Bill", "To Deliver", "On Hold"]),
		},
		fields=["name", "transaction_date", "delivery_date", "status", "currency", "grand_total"],
		order_by="transaction_date desc",
	)
	invoices = _readable_list(
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
