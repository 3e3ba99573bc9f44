from crm_lifecycle.services import registry


def after_insert(doc, method=None):
	registry.add_registered_address(doc)
