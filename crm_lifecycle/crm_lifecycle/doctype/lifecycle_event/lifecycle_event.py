# Copyright (c) 2026, crm_lifecycle developers
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class LifecycleEvent(Document):
	"""Written by crm_lifecycle.services.lifecycle_events, never edited; goes with its record."""

	pass


def on_doctype_update():
	frappe.db.add_index("Lifecycle Event", ["reference_doctype", "reference_name", "creation"])
