from frappe.model.document import Document


class LifecycleWebSearch(Document):
	pass
