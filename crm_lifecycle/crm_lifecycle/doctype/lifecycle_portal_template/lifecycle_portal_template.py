from frappe.model.document import Document

from crm_lifecycle.services import portal


class LifecyclePortalTemplate(Document):
	def validate(self):
		portal.validate_rows(self.access)

	def on_update(self):
		portal.clear_access_cache()

	def on_trash(self):
		portal.clear_access_cache()
