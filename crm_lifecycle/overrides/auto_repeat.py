"""Auto Repeat's "notify by e-mail" reaches only the customer's contacts that opted in.

Frappe offers no hook around Auto Repeat's mail, so the app extends the controller through
`override_doctype_class` (a hook Frappe supports). Addresses that are not the customer's
contacts (say, the company's own accounting) are kept.
"""

from frappe import _
from frappe.automation.doctype.auto_repeat.auto_repeat import AutoRepeat
from frappe.utils import split_emails

from crm_lifecycle.services import deactivation, portal


class LifecycleAutoRepeat(AutoRepeat):
	def send_notification(self, new_doc):
		addresses = split_emails(self.recipients or "")
		kept, dropped = portal.filter_automatic_recipients(new_doc.doctype, new_doc.name, addresses)
		if dropped and not kept:
			new_doc.add_comment(
				"Info",
				_("Auto Repeat {0} sent no e-mail: no contact opted in to these e-mails").format(self.name),
			)
			return
		recipients = self.recipients
		self.recipients = ", ".join(kept)
		try:
			return super().send_notification(new_doc)
		finally:
			self.recipients = recipients


def validate(doc, method=None):
	deactivation.refuse_reenable(doc)
