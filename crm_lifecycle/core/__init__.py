"""Framework-free rules of crm_lifecycle.

Nothing below this package may import frappe or erpnext: the modules take plain data
(dataclasses, dicts, lists) and return plain decisions and plans, so that they can be
tested with plain pytest and reused by every Frappe-facing layer.
"""
