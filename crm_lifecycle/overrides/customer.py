from crm_lifecycle.services import account_data, deactivation, registry


def before_insert(doc, method=None):
	account_data.carry_over(doc)


def validate(doc, method=None):
	deactivation.refuse_direct_state_change(doc)
	registry.refuse_duplicate(doc)


def after_insert(doc, method=None):
	registry.add_registered_address(doc)
