"""REST: per-contact portal sections and e-mail opt-ins."""

import frappe
from frappe import _

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


@frappe.whitelist(methods=["GET"])
def customer_access(customer: str) -> dict:
	"""The portal rights grid of a Customer: each contact's sections and e-mails, and their source."""
	params.existing("Customer", customer)
	frappe.has_permission("Customer", "read", customer, throw=True)
	return portal.customer_access(customer)


@frappe.whitelist(methods=["GET"])
def my_email_preferences() -> list[dict]:
	"""A portal user's own contacts: the e-mails each gets and which it may switch itself."""
	_logged_in()
	return portal.my_email_preferences()


@frappe.whitelist(methods=["POST"])
def set_my_email_preferences(contact: str, emails: str | dict) -> list[dict]:
	"""emails: {"Invoices": 0, "Quotations": 1}; only the user's own contact, only e-mail switches,
	switched on only where the contact's company sends them."""
	_logged_in()
	if not isinstance(contact, str) or not contact:
		frappe.throw(_("Pass the name of a {0}.").format(_("Contact")), frappe.ValidationError)
	return portal.set_my_email_preferences(contact, params.json_object(emails, "emails"))


def _logged_in() -> None:
	if frappe.session.user == "Guest":
		frappe.throw(_("Log in to change your e-mail preferences."), frappe.PermissionError)
