from frappe.model.document import Document


class LifecyclePaymentReminder(Document):
	"""One row per automatic payment reminder sent (or skipped) for an invoice and rule."""

	pass
