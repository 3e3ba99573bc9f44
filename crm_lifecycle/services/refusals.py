"""The one place where the core's refusals (core/refusal.py) become Frappe exceptions, and so
HTTP statuses. Each capability's services translate the refusal's code into a message; what kind
of "no" it is, and which status the caller sees, is decided here."""

import frappe

from crm_lifecycle.core import refusal


class UnavailableError(frappe.ValidationError):
	"""An outside service (a business registry) could not be asked or gave no usable answer
	(HTTP 417 to API clients: the request was fine, the answer is missing)."""


EXCEPTIONS: dict[str, type[Exception]] = {
	refusal.INVALID: frappe.ValidationError,
	refusal.MISSING: frappe.MandatoryError,
	refusal.CONFLICT: frappe.DuplicateEntryError,
	refusal.FORBIDDEN: frappe.PermissionError,
	refusal.NOT_FOUND: frappe.DoesNotExistError,
	refusal.UNAVAILABLE: UnavailableError,
}


def exception(kind: str) -> type[Exception]:
	return EXCEPTIONS[kind]


def throw(error: refusal.Refused, message: str, title: str | None = None):
	"""Refuse with `message` (already translated) as the kind of `error` says."""
	frappe.throw(message, exception(error.kind), title=title)
