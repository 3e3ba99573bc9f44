"""Sites that had crm_lifecycle before the registry fill-in get its settings and web search shortcuts once."""

from crm_lifecycle.services.registry import set_defaults


def execute():
	set_defaults()
