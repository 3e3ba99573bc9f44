"""The Redis lock set: for each lockable doctype, which records are locked, by whom, until when.

The write-path check asks only this (one HMGET: "loaded?" and the record's entry), so saving an
unlocked record costs no SQL. The set is built from the database once per doctype and updated
on lock and unlock, at once and again after commit (see remember / forget). It may hold a lock
that is gone (a concurrent unlock); the check then asks the database before refusing.
"""

import redis

import frappe
from frappe.query_builder import DocType
from frappe.utils import get_datetime, now_datetime

from crm_lifecycle.core import locking as core
from crm_lifecycle.services.transaction import on_rollback

LOCK = "Lifecycle Lock"
# One Redis hash per lockable doctype: record name -> "holder<US>expiry", plus LOADED once built.
CACHE_PREFIX = "crm_lifecycle_locks|"
LOADED = "\x00loaded"
SEPARATOR = "\x1f"
# A rebuild reads the database as its transaction sees it (REPEATABLE READ snapshot), so a set
# rebuilt in a long transaction could miss a lock committed meanwhile; the set is rebuilt at
# least this often, which bounds that (rare) lag. One query per doctype per interval.
REBUILD_AFTER_SECONDS = 600


def _cache_key(doctype: str) -> bytes:
	return frappe.cache.make_key(CACHE_PREFIX + doctype)


def _encode(lock: core.Lock) -> str:
	return lock.locked_by + SEPARATOR + (lock.expires_on.isoformat() if lock.expires_on else "")


def _decode(raw: bytes) -> core.Lock:
	holder, _sep, expires = raw.decode().partition(SEPARATOR)
	return core.Lock(locked_by=holder, locked_on=None, expires_on=get_datetime(expires) if expires else None)


def _build_cache(doctype: str) -> dict[str, str]:
	"""All locks of a doctype that still apply, read once and kept in Redis until invalidated."""
	lock = DocType(LOCK)
	rows = (
		frappe.qb.from_(lock)
		.select(lock.reference_name, lock.locked_by, lock.expires_on)
		.where(lock.reference_doctype == doctype)
		.where(lock.expires_on.isnull() | (lock.expires_on > now_datetime()))
		.run()
	)
	entries = {name: _encode(core.Lock(holder, None, None, expires)) for name, holder, expires in rows}
	key = _cache_key(doctype)
	try:
		pipe = frappe.cache.pipeline()
		items = list(entries.items())
		for start in range(0, len(items), 10_000):
			pipe.hset(key, mapping=dict(items[start : start + 10_000]))
		# A lock added meanwhile was hset by its own transaction and survives (hset never
		# removes fields).
		pipe.hset(key, LOADED, "1")
		pipe.expire(key, REBUILD_AFTER_SECONDS)
		pipe.execute()
	except redis.exceptions.ConnectionError:
		pass
	return entries


def _stored_lock(doctype: str, name: str) -> core.Lock | None:
	lock = DocType(LOCK)
	rows = (
		frappe.qb.from_(lock)
		.select(lock.locked_by, lock.locked_on, lock.reason, lock.expires_on)
		.where((lock.reference_doctype == doctype) & (lock.reference_name == name))
		.run()
	)
	return core.Lock(*rows[0]) if rows else None


def cached_lock(doctype: str, name: str) -> core.Lock | None:
	"""The lock Redis knows for a record (None: not locked); builds the doctype's set once."""
	try:
		entry = frappe.cache.hmget(_cache_key(doctype), [LOADED, name])
	except redis.exceptions.ConnectionError:
		return _stored_lock(doctype, name)  # Redis down: ask the database
	return lock_from(doctype, name, entry)


def cached_locks(doctype: str, names: list[str]) -> dict[str, core.Lock] | None:
	"""cached_lock for many records in one round trip: those of `names` Redis knows locked ->
	lock. None when Redis cannot tell (the set is not built, or Redis is down): building it here
	would read this transaction's snapshot, which may be older than a lock committed meanwhile."""
	try:
		loaded, *raws = frappe.cache.hmget(_cache_key(doctype), [LOADED, *names])
	except redis.exceptions.ConnectionError:
		return None
	if loaded is None:
		return None
	return {name: _decode(raw) for name, raw in zip(names, raws, strict=True) if raw}


def ask_entry(pipe, doctype: str, name: str) -> None:
	"""Queue the read cached_lock makes on a pipeline, for lock_from to answer from its reply
	(the write-path check sends it with another read in one round trip)."""
	pipe.hmget(_cache_key(doctype), [LOADED, name])


def lock_from(doctype: str, name: str, entry: list) -> core.Lock | None:
	"""The lock a reply of ask_entry says; builds the doctype's set when it has not been."""
	loaded, raw = entry
	if loaded is None:
		raw = _build_cache(doctype).get(name)
		raw = raw.encode() if raw else None
	return _decode(raw) if raw else None


def _hset(doctype: str, name: str, value: str) -> None:
	try:
		# redis.Redis's own hset: Frappe's wrapper would prefix the key again and pickle the value
		redis.Redis.hset(frappe.cache, _cache_key(doctype), name, value)
	except redis.exceptions.ConnectionError:
		pass


def _hdel(doctype: str, name: str) -> None:
	try:
		redis.Redis.hdel(frappe.cache, _cache_key(doctype), name)
	except redis.exceptions.ConnectionError:
		pass


def remember(doctype: str, name: str, lock: core.Lock) -> None:
	"""Now, so this transaction sees its own lock; again after commit, because another process
	may have rebuilt the set meanwhile from a snapshot without it; undone on rollback (only
	this record: other transactions' entries stay)."""
	value = _encode(lock)
	_hset(doctype, name, value)
	frappe.db.after_commit.add(lambda: _hset(doctype, name, value))
	on_rollback(lambda: _hdel(doctype, name))


def forget(doctype: str, name: str) -> None:
	"""Now, and again after commit (a rebuild may have brought the row back; a stale entry is
	harmless anyway: the check asks the database before refusing). A rolled-back unlock drops
	the doctype's set: the next check rebuilds it, and locks still in flight re-add themselves
	when they commit."""
	_hdel(doctype, name)
	frappe.db.after_commit.add(lambda: _hdel(doctype, name))
	on_rollback(lambda: forget_cache(doctype))


def forget_cache(*doctypes: str) -> None:
	"""Drop the cached lock sets of these doctypes: the next check rebuilds each."""
	if not doctypes:
		return
	try:
		frappe.cache.delete(*[_cache_key(name) for name in doctypes])
	except redis.exceptions.ConnectionError:
		pass
