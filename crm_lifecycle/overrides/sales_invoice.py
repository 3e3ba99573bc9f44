from crm_lifecycle.services import deactivation


def validate(doc, method=None):
	if doc.docstatus == 0:
		deactivation.check_new_transaction(doc)
