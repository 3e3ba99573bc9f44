from crm_lifecycle.services.portal import set_default_portal_access


def execute():
	"""Sites that had the app before portal access existed: everything allowed, every e-mail on."""
	set_default_portal_access()
