"""Invalid customers, contacts and leads: hidden from lists and pickers, refused in new sales
transactions.

Hiding uses permission_query_conditions, the one hook Frappe applies to list views, report
views, REST lists, the standard link search and ERPNext's own search queries (through
get_match_cond) alike. Opening an invalid record by its name still works.
"""

from crm_lifecycle.services import governance


def validate(doc, method=None):
	governance.check_new_transaction(doc)


def customer_conditions(user=None):
	return governance.hidden_invalid_condition("Customer")


def contact_conditions(user=None):
	return governance.hidden_invalid_condition("Contact")


def lead_conditions(user=None):
	return governance.hidden_invalid_condition("Lead")
