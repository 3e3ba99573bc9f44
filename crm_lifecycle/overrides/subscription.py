from crm_lifecycle.services import deactivation


def validate(doc, method=None):
	deactivation.refuse_restart(doc)
