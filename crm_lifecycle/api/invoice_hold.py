"""REST: put Sales Invoices on hold (no dunning, notification or payment reminder) and release them.

POST /api/method/crm_lifecycle.api.invoice_hold.<method>
"""

import frappe
from frappe import _

from crm_lifecycle.api import params
from crm_lifecycle.services import invoice_hold


@frappe.whitelist(methods=["POST"])
def hold_invoices(invoices: str | list, reason: str | None = None, held_until: str | None = None) -> dict:
	"""Put single invoices on hold from the invoice form or list."""
	names = params.name_list(invoices)
	frappe.has_permission("Sales Invoice", "write", throw=True)
	reason, held_until = params.text(reason, "reason"), params.date(held_until, "held_until")
	invoice_hold.check_can_hold(names)
	invoice_hold.check_open(names)
	return {"held": invoice_hold.hold(names, reason, held_until)}


@frappe.whitelist(methods=["POST"])
def release_invoices(invoices: str | list) -> dict:
	"""Release held invoices (a JSON list of names); those not on hold are reported back."""
	names = params.name_list(invoices)
	frappe.has_permission("Sales Invoice", "write", throw=True)
	return invoice_hold.release(names)


@frappe.whitelist(methods=["POST"])
def release_customer_invoices(customer: str) -> dict:
	"""'Release all held invoices' of a customer."""
	params.existing("Customer", customer)
	frappe.has_permission("Customer", "read", customer, throw=True)
	frappe.has_permission("Sales Invoice", "write", throw=True)
	held = invoice_hold.held_invoices_of(customer)
	if not held:
		frappe.throw(_("Customer {0} has no invoices on hold.").format(customer), frappe.ValidationError)
	return invoice_hold.release(held)
