"""One action, one transaction: everything inside `atomic()` is undone if anything in it fails.

A web request is already one transaction, but the same services run from the bench CLI and
from background jobs, where a failure halfway must not leave half the work committed later.

What lives outside the database (the Redis lock set) is undone through `on_rollback`: Frappe
runs its `after_rollback` callbacks only for a full rollback, not for a rollback to the
savepoint of an `atomic()` block, so the block runs the callbacks registered inside it itself.
"""

import contextlib
from collections.abc import Callable

import frappe


def _blocks() -> list[list[Callable[[], None]]]:
	if getattr(frappe.local, "crm_lifecycle_atomic_blocks", None) is None:
		frappe.local.crm_lifecycle_atomic_blocks = []
	return frappe.local.crm_lifecycle_atomic_blocks


def on_rollback(callback: Callable[[], None]) -> None:
	"""Run `callback` when the transaction, or the innermost atomic() block, is rolled back."""
	frappe.db.after_rollback.add(callback)
	blocks = _blocks()
	if blocks:
		blocks[-1].append(callback)


@contextlib.contextmanager
def atomic():
	save_point = f"crm_lifecycle_{frappe.generate_hash(length=8)}"
	frappe.db.savepoint(save_point)
	callbacks: list[Callable[[], None]] = []
	blocks = _blocks()
	blocks.append(callbacks)
	try:
		yield
	except BaseException as error:
		blocks.remove(callbacks)
		try:
			frappe.db.rollback(save_point=save_point)
		except Exception:
			# A deadlock or lost connection already rolled the whole transaction back, savepoint
			# included: what the caller needs to see is the original error, not this one.
			raise error from None
		for callback in callbacks:
			callback()
		raise
	else:
		blocks.remove(callbacks)
		if blocks:
			blocks[-1].extend(callbacks)  # an outer block rolled back undoes this one too
		frappe.db.release_savepoint(save_point)
