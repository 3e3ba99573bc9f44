"""One action, one transaction: everything inside `atomic()` is undone if anything in it fails.

A web request is already one transaction, but the same services run from the bench CLI and
from background jobs, where a failure halfway must not leave half the work committed later.
"""

import contextlib

import frappe


@contextlib.contextmanager
def atomic():
	save_point = f"crm_lifecycle_{frappe.generate_hash(length=8)}"
	frappe.db.savepoint(save_point)
	try:
		yield
	except BaseException as error:
		try:
			frappe.db.rollback(save_point=save_point)
		except Exception:
			# A deadlock or lost connection already rolled the whole transaction back, savepoint
			# included: what the caller needs to see is the original error, not this one.
			raise error from None
		raise
	else:
		frappe.db.release_savepoint(save_point)
