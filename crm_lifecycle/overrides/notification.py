"""Frappe Notifications respect invoice holds and contacts' e-mail opt-ins.

Frappe offers no hook between a Notification's condition and its sending, so the app extends
the Notification controller through `override_doctype_class` (a hook Frappe supports).
"""

from frappe import _
from frappe.email.doctype.notification.notification import Notification

from crm_lifecycle.services import invoice_hold, portal


class LifecycleNotification(Notification):
	def send(self, doc):
		if doc.doctype == "Sales Invoice" and invoice_hold.is_on_hold(doc.name):
			return
		return super().send(doc)

	def get_list_of_recipients(self, doc, context):
		recipients, cc, bcc = super().get_list_of_recipients(doc, context)
		dropped = []
		lists = []
		for addresses in (recipients, cc, bcc):
			kept, removed = portal.filter_automatic_recipients(doc.doctype, doc.name, list(addresses or []))
			lists.append(kept)
			dropped += removed
		if dropped and not any(lists):
			doc.add_comment(
				"Info",
				_("Notification {0} not sent: no contact opted in to these e-mails").format(self.name),
			)
		return tuple(lists)
