from crm_lifecycle.services import account_data, deactivation


def before_insert(doc, method=None):
	account_data.carry_over(doc)


def validate(doc, method=None):
	deactivation.refuse_direct_state_change(doc)
