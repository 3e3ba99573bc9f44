# Copyright (c) 2026, crm_lifecycle developers
# For license information, please see license.txt

from frappe.model.document import Document


class LifecycleLockableDocType(Document):
	pass
