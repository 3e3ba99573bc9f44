"""Frappe Notifications do not fire for Sales Invoices whose payment reminders are on hold.

Frappe offers no hook between a Notification's condition and its sending, so the app extends
the Notification controller through `override_doctype_class` (a hook Frappe supports).
"""

from frappe.email.doctype.notification.notification import Notification

from crm_lifecycle.services import invoice_hold


class LifecycleNotification(Notification):
	def send(self, doc):
		if doc.doctype == "Sales Invoice" and invoice_hold.is_on_hold(doc.name):
			return
		return super().send(doc)
