from frappe.model.document import Document


class LifecyclePortalAccess(Document):
	pass
