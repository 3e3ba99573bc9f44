# Copyright (c) 2026, crm_lifecycle developers
# For license information, please see license.txt

from frappe.model.document import Document

from crm_lifecycle.services import locking


class CRMLifecycleSettings(Document):
	def on_update(self):
		# the lock check reads which doctypes are lockable from its own cache key
		locking.forget_config()
