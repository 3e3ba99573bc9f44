from crm_lifecycle.services import deactivation, invoice_hold


def validate(doc, method=None):
	if doc.docstatus == 0:
		deactivation.check_new_transaction(doc)


def before_submit(doc, method=None):
	invoice_hold.hold_if_customer_inactive(doc)


def on_submit(doc, method=None):
	invoice_hold.note_hold_on_submit(doc)
