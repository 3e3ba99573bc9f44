from frappe.model.document import Document


class LifecycleReminderRule(Document):
	pass
