from crm_lifecycle.services import portal


def on_update(doc, method=None):
	portal.clear_access_cache()
