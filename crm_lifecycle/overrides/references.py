"""The app's own records about other documents (locks and their log, lifecycle events, the
dependency graph's links, payment reminders, a contact's portal switches) are read only by who
may read the documents they name: a role that may read these doctypes never reads past the User
Permissions, shares and permission conditions of those documents. Hooked as `has_permission`
(which only denies) and `permission_query_conditions` (which only adds a condition) for each
doctype below."""

import frappe

from crm_lifecycle.core.references import REFERENCES
from crm_lifecycle.services import visibility


def has_permission(doc, ptype=None, user=None, debug=False):
	"""False when the record names a document the user may not read; else no opinion (None)."""
	if isinstance(doc, str) or doc is None:
		return None
	user = user or frappe.session.user
	if user == "Administrator":
		return None
	for reference in REFERENCES.get(doc.doctype, ()):
		doctype = reference.doctype or doc.get(reference.doctype_field)
		if not (doctype and visibility.can_read(doctype, doc.get(reference.name_field), user)):
			return False
	return None


# Frappe 15.19 passes a permission_query_conditions hook the user only: one function per doctype.
def lock_conditions(user=None):
	return conditions("Lifecycle Lock", user)


def lock_log_conditions(user=None):
	return conditions("Lifecycle Lock Log", user)


def event_conditions(user=None):
	return conditions("Lifecycle Event", user)


def document_link_conditions(user=None):
	return conditions("Lifecycle Document Link", user)


def payment_reminder_conditions(user=None):
	return conditions("Lifecycle Payment Reminder", user)


def portal_access_conditions(user=None):
	return conditions("Lifecycle Portal Access", user)


def conditions(doctype: str, user: str | None = None) -> str:
	"""Rows whose every referenced document the user may read (one subquery per doctype named)."""
	user = user or frappe.session.user
	if user == "Administrator":
		return ""
	table = f"`tab{doctype}`"
	readable: dict[str, str | None] = {}  # a doctype named by two references is asked once
	parts = []
	for reference in REFERENCES[doctype]:
		if reference.doctype:
			doctypes = [reference.doctype]
		elif reference.among:
			doctypes = list(reference.among)  # a row naming any other doctype is nobody's
		else:
			# the doctypes its rows name: each doctype field heads an index (no scan of the log)
			column = frappe.qb.DocType(doctype)[reference.doctype_field]
			doctypes = (
				frappe.qb.from_(doctype).select(column).distinct().where(column.isnotnull()).run(pluck=True)
			)
		alternatives = []
		for referenced in doctypes:
			if referenced not in readable:
				readable[referenced] = visibility.readable_query(referenced, user)
			query = readable[referenced]
			if not query:
				continue
			kind = (
				f"{table}.`{reference.doctype_field}` = {frappe.db.escape(referenced)} and "
				if reference.doctype_field
				else ""
			)
			alternatives.append(f"({kind}{table}.`{reference.name_field}` in ({query}))")
		parts.append(f"({' or '.join(alternatives)})" if alternatives else "1=0")
	return " and ".join(parts)
