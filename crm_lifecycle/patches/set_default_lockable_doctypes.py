"""Sites that had crm_lifecycle before record locks get the default lockable doctypes once."""

from crm_lifecycle.services.locking import set_default_lockable_doctypes


def execute():
	set_default_lockable_doctypes()
