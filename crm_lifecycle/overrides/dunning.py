import frappe
from frappe import _

from crm_lifecycle.services import invoice_hold


def validate(doc, method=None):
	"""No Dunning for an invoice whose payment reminders are on hold."""
	invoices = sorted({row.sales_invoice for row in doc.get("overdue_payments") or [] if row.sales_invoice})
	held = invoice_hold.held_among(invoices)
	if held:
		frappe.throw(
			_(
				"Payment reminders for Sales Invoice {0} are on hold; release the hold before creating a Dunning."
			).format(", ".join(held)),
			frappe.ValidationError,
			title=_("Invoice on Hold"),
		)
