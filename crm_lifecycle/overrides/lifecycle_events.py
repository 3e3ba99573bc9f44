from crm_lifecycle.services import lifecycle_events


def onload(doc, method=None):
	# The form's banners say who deactivated or invalidated the record, when and why: sent with
	# the document, which Frappe has just checked the user may read.
	explained = lifecycle_events.explained(doc)
	if explained:
		doc.set_onload("crm_lifecycle_events", explained)


def on_trash(doc, method=None):
	lifecycle_events.forget(doc.doctype, doc.name)
