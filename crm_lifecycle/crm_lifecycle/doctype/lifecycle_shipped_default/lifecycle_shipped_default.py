# Copyright (c) 2026, crm_lifecycle developers
# For license information, please see license.txt

from frappe.model.document import Document


class LifecycleShippedDefault(Document):
	"""What the app last wrote of a shipped default (crm_lifecycle/fixtures/shipped): written by
	crm_lifecycle.setup.shipped, so that an administrator's edit is told from the app's own."""

	pass
