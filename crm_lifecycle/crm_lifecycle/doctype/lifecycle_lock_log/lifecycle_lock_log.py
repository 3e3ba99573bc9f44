# Copyright (c) 2026, crm_lifecycle developers
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class LifecycleLockLog(Document):
	"""History of locks: written by crm_lifecycle.services.locking, never edited."""

	pass


def on_doctype_update():
	frappe.db.add_index("Lifecycle Lock Log", ["reference_doctype", "reference_name"])
