from crm_lifecycle.services import deactivation


def validate(doc, method=None):
	deactivation.refuse_direct_state_change(doc)
