# Copyright (c) 2026, crm_lifecycle developers
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class LifecycleLock(Document):
	"""One row per locked record; locking and unlocking go through crm_lifecycle.api.locking."""

	def on_trash(self):
		# A lock manager deleting the row in the list is an admin unlock: logged, holder told.
		from crm_lifecycle.services import locking

		locking.on_lock_deleted(self.as_dict())


def on_doctype_update():
	# The database, not a read-then-write in Python, decides who wins when two users lock at once.
	frappe.db.add_unique(
		"Lifecycle Lock", ["reference_doctype", "reference_name"], constraint_name="unique_lock_reference"
	)
