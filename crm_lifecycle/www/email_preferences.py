"""Portal page /email_preferences: a customer's contact chooses the e-mails it gets (issue 16).

Only the logged-in user's own contacts, only e-mail switches (what it sees in the portal is its
company's decision), and on only where the company sends that kind (services/portal.py).
"""

import frappe
from frappe import _

from crm_lifecycle.services import portal

no_cache = 1


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.throw(_("You need to be logged in to access this page"), frappe.PermissionError)
	context.title = _("E-mail Preferences")
	context.show_sidebar = True
	context.contacts = portal.my_email_preferences()
	return context
