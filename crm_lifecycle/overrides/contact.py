from crm_lifecycle.services import deactivation, portal


def validate(doc, method=None):
	deactivation.refuse_direct_state_change(doc)
	portal.validate_rows(doc.get("crm_portal_access"))


def on_update(doc, method=None):
	portal.clear_access_cache()
