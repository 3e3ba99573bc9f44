"""User locks: lock / unlock / status, and the check every write path runs.

The hot path (`check_write`, called by the "*" doc_events for every document saved) must cost
no SQL query for an unlocked record: it reads which doctypes are lockable from a small cache
key (see _config) and asks Redis whether the record is in the lock set of its doctype. Only
when Redis says "locked by somebody else" does it ask the database (the cache may lag behind a
concurrent unlock).
"""

import contextlib
import pickle
import sys

import redis

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.query_builder import DocType
from frappe.utils import cint, format_datetime, get_datetime, get_fullname, now_datetime

from crm_lifecycle.core import locking as core
from crm_lifecycle.services import events, refusals
from crm_lifecycle.services.locking_cache import (
	REBUILD_AFTER_SECONDS,
	ask_entry,
	cached_lock,
	cached_locks,
	forget,
	forget_cache,
	lock_from,
	remember,
)
from crm_lifecycle.services.text import clean
from crm_lifecycle.services.transaction import atomic, on_rollback

__all__ = ["cached_lock", "forget_cache"]  # the Redis lock set lives in locking_cache

LOCK = "Lifecycle Lock"
LOG = "Lifecycle Lock Log"
SETTINGS = "CRM Lifecycle Settings"


# Settings --------------------------------------------------------------------------------------


# What the "*" doc_events ask on every write of every document (ERPNext's own db_set calls too):
# a tuple of a few names under its own cache key, which a request reads from Redis without
# unpickling the whole settings document (0.1-0.5 ms, once the check's main cost). The
# settings' on_update drops it; a change written around the document (db.set_single_value)
# shows after `bench clear-cache`, or within REBUILD_AFTER_SECONDS.
CONFIG_KEY = "crm_lifecycle_lock_config"


def _stored_config() -> tuple[frozenset[str], bool]:
	"""(lockable doctypes, enforcement on) from the database, not from Frappe's document cache,
	which may hold what another process read from its snapshot before a change was committed."""
	row = DocType("Lifecycle Lockable DocType")
	try:
		lockable = (
			frappe.qb.from_(row)
			.select(row.document_type)
			.where((row.parent == SETTINGS) & (row.parentfield == "lockable_doctypes"))
			.run(pluck=True)
		)
	except Exception as error:
		if frappe.db.is_table_missing(error):
			return frozenset(), False  # a migration before the app's tables exist
		raise
	off = frappe.db.get_single_value(SETTINGS, "disable_lock_enforcement", cache=False)
	return frozenset(lockable), not cint(off)


def _config() -> tuple[frozenset[str], bool]:
	"""(lockable doctypes, enforcement on): from Redis, read once per request."""
	if frappe.flags.in_uninstall or frappe.flags.in_install:
		return frozenset(), False  # the settings DocType may be gone or not yet there
	if frappe.flags.crm_lifecycle_settings_changed:
		# this transaction's own change, read once after each save: not everybody's before its commit
		if frappe.flags.crm_lifecycle_own_lock_config is None:
			frappe.flags.crm_lifecycle_own_lock_config = _stored_config()
		return frappe.flags.crm_lifecycle_own_lock_config
	config = frappe.cache.get_value(CONFIG_KEY)
	if config is None:
		config = _stored_config()
		# set_value with expires_in_sec would leave the request's own cache holding the miss (None):
		# every later check of the request would read the database again
		frappe.cache.set_value(CONFIG_KEY, config)
		with contextlib.suppress(redis.exceptions.ConnectionError):
			frappe.cache.expire(frappe.cache.make_key(CONFIG_KEY), REBUILD_AFTER_SECONDS)
	return config


def forget_config() -> None:
	"""The settings changed: this transaction reads its own from the database (once per change)
	until it ends; every process reads them anew after its commit (a process that read them
	meanwhile cached what its snapshot saw, the old ones) or rollback."""
	frappe.flags.crm_lifecycle_settings_changed = True
	frappe.flags.crm_lifecycle_own_lock_config = None
	frappe.cache.delete_value(CONFIG_KEY)

	def ended():
		frappe.flags.crm_lifecycle_settings_changed = False
		frappe.flags.crm_lifecycle_own_lock_config = None
		frappe.cache.delete_value(CONFIG_KEY)

	frappe.db.after_commit.add(ended)
	on_rollback(ended)


def lockable_doctypes() -> frozenset[str]:
	return _config()[0]


def enforcement_on() -> bool:
	return _config()[1]


def set_default_lockable_doctypes() -> None:
	"""On install (and by patch on sites installed earlier): the doctypes the issue names."""
	settings = frappe.get_single(SETTINGS)
	if settings.get("lockable_doctypes"):
		return
	for doctype in core.DEFAULT_LOCKABLE_DOCTYPES:
		if frappe.db.exists("DocType", doctype):
			settings.append("lockable_doctypes", {"document_type": doctype})
	settings.flags.ignore_permissions = True
	settings.save()


# Reading locks ---------------------------------------------------------------------------------


def _lock_row(doctype: str, name: str, for_update: bool = False) -> dict | None:
	return frappe.db.get_value(
		LOCK,
		{"reference_doctype": doctype, "reference_name": name},
		["name", "reference_doctype", "reference_name", "locked_by", "locked_on", "reason", "expires_on"],
		as_dict=True,
		for_update=for_update,
	)


def _as_lock(row: dict | None) -> core.Lock | None:
	if not row:
		return None
	return core.Lock(row["locked_by"], row["locked_on"], row["reason"], row["expires_on"])


def load_lock(doctype: str, name: str, for_update: bool = False) -> core.Lock | None:
	return _as_lock(_lock_row(doctype, name, for_update))


def holder_message(lock: core.Lock, html: bool = True) -> str:
	"""Who holds the lock, since when, why: escaped for messages and the timeline (which render
	HTML), plain for API answers (the desk escapes what it shows)."""
	escape = frappe.utils.escape_html if html else str
	holder = escape(get_fullname(lock.locked_by))
	since = format_datetime(lock.locked_on)
	if lock.reason:
		return _("Locked by {0} since {1} ({2})").format(holder, since, escape(lock.reason))
	return _("Locked by {0} since {1}").format(holder, since)


# The write-path check --------------------------------------------------------------------------


def _target(doc, lockable: frozenset[str]) -> tuple[str, str] | None:
	"""Which lockable record a write to `doc` changes: itself, its parent (a row) or, for an
	amendment, the cancelled original."""
	if doc.doctype in lockable:
		if doc.is_new():
			amended_from = doc.get("amended_from")
			return (doc.doctype, amended_from) if amended_from else None
		return (doc.doctype, doc.name)
	parenttype = doc.get("parenttype")
	if parenttype in lockable and doc.get("parent"):
		return (parenttype, doc.parent)
	if doc.doctype == "File" and doc.get("attached_to_doctype") in lockable and doc.get("attached_to_name"):
		# adding or removing an attachment edits the record (comments, tags, likes do not)
		return (doc.attached_to_doctype, doc.attached_to_name)
	return None


def _opted_out() -> bool:
	flags = frappe.flags
	# installing, migrating and patching change records wholesale; server code may opt out for
	# one process (benchmarks compare against this) without touching the settings
	return bool(
		flags.in_install
		or flags.in_uninstall
		or flags.in_migrate
		or flags.in_patch
		or flags.crm_lifecycle_skip_lock_check
	)


def _enforced() -> bool:
	return not _opted_out() and enforcement_on()


# No read of the record's own lock was sent with the config.
_UNASKED = object()


def _config_with_own_entry(doc):
	"""The settings, and the lock set's entry for the record itself when this is the request's
	first check: both go to Redis in one round trip (a pipeline), where asking one after the other
	took two, the larger part of what the check costs a save. Later checks of the request find
	the settings in its cache, as frappe.cache.get_value leaves them, and ask for the entry
	alone. A new record (or one not named yet) has no entry to ask for."""
	if frappe.flags.crm_lifecycle_settings_changed:
		return _config(), _UNASKED
	key = frappe.cache.make_key(CONFIG_KEY)
	request_cache = frappe.local.cache
	if request_cache.get(key) is not None:
		return request_cache[key], _UNASKED  # the check of every document after the first
	if doc.is_new() or not doc.name:
		return _config(), _UNASKED
	try:
		pipe = frappe.cache.pipeline()
		pipe.get(key)
		ask_entry(pipe, doc.doctype, doc.name)
		stored, entry = pipe.execute()
	except redis.exceptions.ConnectionError:
		return _config(), _UNASKED
	if stored is not None:
		request_cache[key] = pickle.loads(stored)  # what frappe.cache.get_value would keep
	return _config(), entry


# Document methods in whose frames another document is being saved, submitted or cancelled.
SAVE_FRAMES = frozenset(("save", "_save", "insert", "submit", "_submit", "cancel", "_cancel"))


def _saved_meanwhile(doc, target: tuple[str, str]) -> tuple[str, str] | None:
	"""The other document being saved, submitted or cancelled while `target` is written, if any.

	A lock stops people editing the record, not the business around it: when a colleague submits
	an invoice against a locked order, ERPNext then sets the order's billing status, per_billed,
	advance paid... (derived fields it maintains because ANOTHER document changed). Such a write
	runs inside that other document's save: this looks for it on the live call stack (state kept
	in flags would outlive a save that failed halfway, say one refused in a bulk edit's loop).
	Only asked when the record is locked by somebody else, so it costs nothing on the hot path."""
	frame = sys._getframe(1)
	while frame is not None:
		if frame.f_code.co_name in SAVE_FRAMES:
			other = frame.f_locals.get("self")
			if (
				isinstance(other, Document)
				and other is not doc
				and (other.doctype, other.name) != target
				and (other.get("parenttype"), other.get("parent")) != target
			):
				return other.doctype, other.name
		frame = frame.f_back
	return None


def check_write(doc, derived_allowed: bool = True) -> None:
	"""Refuse (403) a change to a record locked by somebody else; cheap when nothing is locked.
	A derived change (made while another document is being saved) goes through and is noted in
	the record's timeline, unless `derived_allowed` is off (delete, cancel, rename never are)."""
	if _opted_out():
		return
	(lockable, enforced), own_entry = _config_with_own_entry(doc)
	target = _target(doc, lockable) if enforced else None
	if not target:
		return
	if own_entry is not _UNASKED and target == (doc.doctype, doc.name):
		lock = lock_from(doc.doctype, doc.name, own_entry)
	else:
		lock = cached_lock(*target)
	if lock is None:
		return  # the hot path: one Redis round trip
	cause = _saved_meanwhile(doc, target) if derived_allowed else None
	if cause is None:
		assert_may_edit(*target)
	else:
		note_derived_change(doc, target, cause)


def note_derived_change(doc, target: tuple[str, str], cause: tuple[str, str]) -> None:
	"""The timeline of a record locked by somebody else says what ERPNext changed meanwhile."""
	lock = load_lock(*target)  # the database decides (the cache may lag behind an unlock)
	user, now = frappe.session.user, now_datetime()
	if core.may_edit(lock, user, set(frappe.get_roles(user)), now):
		return
	noted = frappe.flags.crm_lifecycle_derived_noted
	if noted is None:
		noted = frappe.flags.crm_lifecycle_derived_noted = set()
	fields = _changed_labels(doc) if doc.doctype == target[0] else [_(doc.doctype)]
	key = (target, cause, tuple(fields))
	if not fields or key in noted:
		return
	noted.add(key)
	_comment(
		*target,
		_("Changed while locked by {0}: {1} (through {2} {3})").format(
			frappe.utils.escape_html(get_fullname(lock.locked_by)),
			", ".join(fields),
			_(cause[0]),
			frappe.utils.escape_html(cause[1] or ""),
		),
	)


def _changed_labels(doc) -> list[str]:
	"""Labels of the fields whose value differs from the database (before it is written)."""
	stored_columns = set(frappe.db.get_table_columns(doc.doctype))  # read once for the table
	columns = [field.fieldname for field in doc.meta.fields if field.fieldname in stored_columns]
	stored = frappe.db.get_value(doc.doctype, doc.name, columns, as_dict=True) or {}
	return [
		_(doc.meta.get_label(column))
		for column in columns
		if column in stored
		and frappe.utils.cstr(stored[column]) != frappe.utils.cstr(doc.get(column))
		and not (stored[column] in (None, "", 0) and doc.get(column) in (None, "", 0))
	]


def check_write_to(doctype: str, name: str) -> None:
	"""The same check for a record named, not loaded (a merge target, a bulk action): every
	write the app itself makes to a record is the user's own edit of it, never derived."""
	if _enforced() and doctype in lockable_doctypes():
		assert_may_edit(doctype, name)


def lock_refusals(doctype: str, names: list[str]) -> dict[str, str]:
	"""check_write_to for many records at once, told per record: of `names`, those locked by
	somebody else -> who holds the lock. The caller holds the records' rows (records.lock_rows),
	so a lock on one of them not committed yet waits for the caller's transaction to end, and
	one committed before is in the Redis set already (lock() puts it there before its commit).
	What Redis says is locked the database confirms, as the save path does."""
	if not names or not _enforced() or doctype not in lockable_doctypes():
		return {}
	user, now = frappe.session.user, now_datetime()
	roles = set(frappe.get_roles(user))
	cached = cached_locks(doctype, names)
	suspects = (
		list(names)  # Redis cannot tell: the database decides for every record
		if cached is None
		else [name for name, lock in cached.items() if not core.may_edit(lock, user, roles, now)]
	)
	if not suspects:
		return {}
	# A locking read, through the unique index: the latest committed rows (a concurrent unlock
	# may not have reached Redis yet, and a lock committed after this transaction's snapshot is
	# not in it), and only these rows (and the gaps of missing ones) locked, where a scan would
	# lock every lock row and gap.
	rows = frappe.db.sql(
		"""
		select reference_name, locked_by, locked_on, reason, expires_on
		from `tabLifecycle Lock` force index (unique_lock_reference)
		where reference_doctype = %(doctype)s and reference_name in %(names)s
		for update
		""",
		{"doctype": doctype, "names": tuple(suspects)},
	)
	held = {name: core.Lock(*values) for name, *values in rows}
	return {
		name: holder_message(held[name])
		for name in suspects
		if not core.may_edit(held.get(name), user, roles, now)
	}


def assert_may_edit(doctype: str, name: str) -> None:
	lock = cached_lock(doctype, name)
	if lock is None:
		return  # the hot path: one Redis round trip, no SQL, no role lookup
	user, now = frappe.session.user, now_datetime()
	if core.may_edit(lock, user, set(frappe.get_roles(user)), now):
		return
	# Redis said "locked by somebody else"; the database decides (a concurrent unlock may not
	# have reached the cache yet), with a locking read: a lock committed after this transaction's
	# snapshot was taken is not in the snapshot, and the check would pass and forget it.
	lock = load_lock(doctype, name, for_update=True)
	if core.may_edit(lock, user, set(frappe.get_roles(user)), now):
		if lock is None:
			forget(doctype, name)
		return
	frappe.throw(holder_message(lock), frappe.PermissionError, title=_("Record Locked"))


# Lock, unlock, status --------------------------------------------------------------------------


def refuse(error: core.LockRefused, doctype: str, name: str):
	if error.refusal == core.Refusal.HELD_BY_OTHER:
		refusals.throw(error, holder_message(error.lock), title=_("Record Locked"))
	if error.refusal == core.Refusal.NOT_YOURS:
		refusals.throw(
			error,
			_("Only {0} or a lock manager can unlock {1} {2}.").format(
				get_fullname(error.lock.locked_by), _(doctype), name
			),
		)
	messages = {
		core.Refusal.NOT_LOCKABLE: _("{0} records cannot be locked; see Lockable DocTypes in {1}."),
		core.Refusal.NOT_LOCKED: _("{0} {1} is not locked."),
		core.Refusal.EXPIRY_IN_PAST: _("The lock of {0} {1} must expire in the future."),
	}
	args = (_(doctype), _(SETTINGS)) if error.refusal == core.Refusal.NOT_LOCKABLE else (_(doctype), name)
	refusals.throw(error, messages[error.refusal].format(*args))


def parse_expiry(expires_on: str | None):
	if not expires_on:
		return None
	try:
		expiry = get_datetime(expires_on)
	except Exception:
		expiry = None
	# None: "0000-00-00" and the like; a time zone: the site keeps naive times in its own zone
	if expiry is None or expiry.tzinfo is not None:
		frappe.throw(
			_("{0} is not a date and time.").format(frappe.bold(frappe.utils.escape_html(str(expires_on)))),
			frappe.ValidationError,
		)
	return expiry


def check_lockable(doctype: str) -> None:
	if doctype not in lockable_doctypes():
		refuse(core.LockRefused(core.Refusal.NOT_LOCKABLE), doctype, "")


def lock(doctype: str, name: str, reason: str | None = None, expires_on: str | None = None) -> dict:
	user, now = frappe.session.user, now_datetime()
	expiry = parse_expiry(expires_on)
	reason = clean(reason)
	with atomic():
		_hold_record(doctype, name)
		# A plain read: a locking read of a missing row would take a gap lock, and two
		# concurrent lockers holding gap locks deadlock on their inserts.
		row = _lock_row(doctype, name)
		current = _as_lock(row)
		try:
			replace = core.check_lock(doctype in lockable_doctypes(), current, user, expiry, now)
		except core.LockRefused as error:
			refuse(error, doctype, name)
		if replace:
			_delete_lock_row(row, "Released" if current.locked_by != user else "Renewed")
		try:
			frappe.get_doc(
				{
					"doctype": LOCK,
					"reference_doctype": doctype,
					"reference_name": name,
					"locked_by": user,
					"locked_on": now,
					"reason": reason,
					"expires_on": expiry,
				}
			).insert(ignore_permissions=True)
		except frappe.UniqueValidationError:
			# Another session locked it between our read and our insert; the unique index on
			# (reference_doctype, reference_name) let only one of us in.
			frappe.clear_last_message()
			winner = _as_lock(_lock_row(doctype, name, for_update=True))
			if winner is None:  # the other session gave up again meanwhile
				frappe.throw(
					_("Somebody else was locking {0} {1}; try again.").format(_(doctype), name),
					frappe.DuplicateEntryError,
				)
			refuse(core.LockRefused(core.Refusal.HELD_BY_OTHER, winner), doctype, name)
		new = core.Lock(user, now, reason, expiry)
		_log("Locked", doctype, name, new)
		_comment(doctype, name, _("Locked: {0}").format(holder_message(new)))
	remember(doctype, name, new)
	return status(doctype, name)


def _hold_record(doctype: str, name: str) -> None:
	"""A shared lock on the record's row until the lock is committed. A save (check_if_latest) or
	a bulk action (records.lock_rows) that holds the row and has checked for locks writes before
	this lock exists: the lock waits for it. One that comes later waits for the lock and then
	sees it. Shared: two people locking at once both pass here, and the lock table's unique
	index lets one in."""
	if doctype in lockable_doctypes():  # a doctype named in the settings: a table of that name
		frappe.db.sql(f"select `name` from `tab{doctype}` where `name` = %s lock in share mode", name)


def unlock(doctype: str, name: str) -> dict:
	user, now = frappe.session.user, now_datetime()
	with atomic():
		row = _lock_row(doctype, name, for_update=True)
		try:
			kind = core.check_unlock(_as_lock(row), user, set(frappe.get_roles(user)), now)
		except core.LockRefused as error:
			refuse(error, doctype, name)
		_delete_lock_row(row, kind.value)
	return status(doctype, name)


def status(doctype: str, name: str) -> dict:
	lock = load_lock(doctype, name)
	applies = bool(lock and lock.applies(now_datetime()))
	user = frappe.session.user
	return {
		"doctype": doctype,
		"name": name,
		"lockable": doctype in lockable_doctypes(),
		"locked": applies,
		"locked_by": lock.locked_by if applies else None,
		"locked_by_name": get_fullname(lock.locked_by) if applies else None,
		"locked_on": lock.locked_on if applies else None,
		"reason": lock.reason if applies else None,
		"expires_on": lock.expires_on if applies else None,
		"message": holder_message(lock, html=False) if applies else None,
		"can_edit": core.may_edit(lock, user, set(frappe.get_roles(user)), now_datetime()),
		"can_unlock": applies and (lock.locked_by == user or core.is_manager(set(frappe.get_roles(user)))),
	}


def locked_names(doctype: str, names: list[str]) -> dict[str, str]:
	"""Of `names`, those locked now -> holder (for list indicators); one query."""
	if not names:
		return {}
	lock = DocType(LOCK)
	rows = (
		frappe.qb.from_(lock)
		.select(lock.reference_name, lock.locked_by)
		.where((lock.reference_doctype == doctype) & lock.reference_name.isin(names))
		.where(lock.expires_on.isnull() | (lock.expires_on > now_datetime()))
		.run()
	)
	return dict(rows)


def history(doctype: str, name: str, limit: int = 20) -> list[dict]:
	return frappe.get_all(
		LOG,
		filters={"reference_doctype": doctype, "reference_name": name},
		fields=["action", "user", "locked_by", "locked_on", "expires_on", "reason", "creation"],
		order_by="creation desc",
		limit=limit,
	)


# Releasing -------------------------------------------------------------------------------------


def _delete_lock_row(row: dict, action: str) -> None:
	"""Delete a lock row read earlier; nothing more when it is gone already. The hourly release
	reads expired rows without locking them: a renewal or another release meanwhile removed the
	row, and then logging it again, or forgetting the record's lock in Redis (where a renewal
	has just put its new lock), would be wrong."""
	frappe.db.delete(LOCK, {"name": row["name"]})
	if not frappe.db.sql("select row_count()")[0][0]:
		return
	on_lock_deleted(row, action)


def on_lock_deleted(row: dict, action: str | None = None) -> None:
	"""Every removal of a lock row (unlock, a manager deleting it in the list, expiry, merge,
	deleting the record) is logged; when somebody else removed it, the holder is told."""
	user = frappe.session.user
	action = action or ("Unlocked" if user == row["locked_by"] else "Admin Unlock")
	doctype, name = row["reference_doctype"], row["reference_name"]
	lock = _as_lock(row)
	if action != "Renewed":
		_log(action, doctype, name, lock, actor=user)
	if action == "Admin Unlock":
		_notify_holder(doctype, name, lock.locked_by, user)
	if action in ("Unlocked", "Admin Unlock"):
		_comment(
			doctype, name, _("Unlocked by {0} (was: {1})").format(get_fullname(user), holder_message(lock))
		)
	forget(doctype, name)


def release_for(doctype: str, name: str, action: str = "Released") -> None:
	"""Remove a record's lock row (the record is deleted or merged away); nothing when unlocked."""
	row = _lock_row(doctype, name)
	if row:
		_delete_lock_row(row, action)


BATCH = 1000  # expired locks moved to the history per transaction


def release_expired(commit: bool = True) -> int:
	"""Hourly: expired locks already stopped applying; this moves them into the history, BATCH
	at a time, each batch committed (`commit`: the job; tests pass False)."""
	lock, released = DocType(LOCK), 0
	while True:
		rows = (
			frappe.qb.from_(lock)
			.select(lock.name, lock.reference_doctype, lock.reference_name, lock.locked_by, lock.locked_on)
			.select(lock.reason, lock.expires_on)
			.where(lock.expires_on.isnotnull() & (lock.expires_on <= now_datetime()))
			.orderby(lock.name)
			.limit(BATCH)
			.run(as_dict=True)
		)
		for row in rows:
			_delete_lock_row(row, "Released")
		released += len(rows)
		if commit:
			frappe.db.commit()
		if len(rows) < BATCH:  # deleted rows leave the query: no offset needed
			return released


def _log(action: str, doctype: str, name: str, lock: core.Lock, actor: str | None = None) -> None:
	frappe.get_doc(
		{
			"doctype": LOG,
			"reference_doctype": doctype,
			"reference_name": name,
			"action": action,
			"user": actor or frappe.session.user,
			"locked_by": lock.locked_by,
			"locked_on": lock.locked_on,
			"expires_on": lock.expires_on,
			"reason": lock.reason,
		}
	).insert(ignore_permissions=True)
	events.touched(doctype, name)  # webhooks and other apps hear of locks as of saves


def _comment(doctype: str, name: str, content: str) -> None:
	frappe.get_doc(
		{
			"doctype": "Comment",
			"comment_type": "Info",
			"reference_doctype": doctype,
			"reference_name": name,
			"content": content,
		}
	).insert(ignore_permissions=True)


def _notify_holder(doctype: str, name: str, holder: str, admin: str) -> None:
	frappe.get_doc(
		{
			"doctype": "Notification Log",
			"for_user": holder,
			"from_user": admin,
			"type": "Alert",
			"document_type": doctype,
			"document_name": name,
			"subject": _("{0} removed your lock on {1} {2}").format(get_fullname(admin), _(doctype), name),
		}
	).insert(ignore_permissions=True)
