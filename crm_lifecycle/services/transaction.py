"""One action, one transaction: everything inside `atomic()` is undone if anything in it fails.

A web request is already one transaction, but the same services run from the bench CLI and
from background jobs, where a failure halfway must not leave half the work committed later.

What lives outside the database (the Redis lock set) is undone through `on_rollback`: Frappe
runs its `after_rollback` callbacks only for a full rollback, not for a rollback to the
savepoint of an `atomic()` block, so the block runs the callbacks registered inside it itself.

Likewise Frappe keeps the `before_commit` / `after_commit` callbacks queued inside a block that
is rolled back to its savepoint, and would run them when the transaction commits: the change
events (Webhooks, other apps' hooks) of changes that were undone, jobs enqueued after commit,
a lock set's removal of an entry whose removal was undone. A rolled-back block drops them.
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


def _queued(manager) -> int:
	"""How many callbacks a Frappe CallbackManager holds: the length of its queue (`_functions`,
	a deque on every v15 minor); -1 when a Frappe without it does not say."""
	functions = getattr(manager, "_functions", None)
	return len(functions) if functions is not None else -1


def _drop_since(manager, queued: int) -> None:
	"""Drop the callbacks queued after there were `queued` (a commit meanwhile ran them all)."""
	functions = getattr(manager, "_functions", None)
	if functions is not None and queued >= 0:
		while len(functions) > queued:
			functions.pop()


@contextlib.contextmanager
def atomic():
	save_point = f"crm_lifecycle_{frappe.generate_hash(length=8)}"
	frappe.db.savepoint(save_point)
	queued = {name: _queued(getattr(frappe.db, name)) for name in ("before_commit", "after_commit")}
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
		for name, count in queued.items():
			_drop_since(getattr(frappe.db, name), count)
		for callback in callbacks:
			callback()
		raise
	else:
		blocks.remove(callbacks)
		if blocks:
			blocks[-1].extend(callbacks)  # an outer block rolled back undoes this one too
		frappe.db.release_savepoint(save_point)
