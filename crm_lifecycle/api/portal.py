"""REST: per-contact portal sections and e-mail opt-ins."""

import frappe

from crm_lifecycle.api import params
from crm_lifecycle.services import portal


@frappe.whitelist(methods=["GET", "POST"])
def get_access(contact: str) -> dict:
	"""For each section: view allowed?, e-mail on?, and whether it comes from a template or the contact."""
	params.existing("Contact", contact)
	frappe.has_permission("Contact", "read", contact, throw=True)
	return portal.get_access(contact)


@frappe.whitelist(methods=["POST"])
def set_access(contact: str, access: str | dict) -> dict:
	"""access: {"Invoices": {"view": 1, "email": 0}, ...}; sections not named keep their value."""
	params.existing("Contact", contact)
	frappe.has_permission("Contact", "write", contact, throw=True)
	return portal.set_access(contact, params.json_object(access, "access"))


@frappe.whitelist(methods=["GET", "POST"])
def recipients(doctype: str, name: str) -> dict:
	"""The addresses preselected in New Email and used for automatic mail of that document."""
	params.existing(doctype, name)
	frappe.has_permission(doctype, "read", name, throw=True)
	return portal.recipients(doctype, name)
