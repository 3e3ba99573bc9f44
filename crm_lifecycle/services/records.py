"""Existence of records, asked the same way by every service and API method, and writes to
records that travel through Frappe like a form save (one record, or many set-based)."""

from collections.abc import Callable

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_fullname, now_datetime

from crm_lifecycle.services import events


def ensure_exists(doctype: str, name) -> None:
	"""404 for an unknown doctype or record, before anything else looks at them; Administrator
	passes every permission check, so this runs first. A Single has no records, and a child
	table's row is no record of its own: its permission is its parent's, which a check of the
	row's doctype does not ask."""
	if not isinstance(doctype, str) or not doctype or not is_stored_name("DocType", doctype):
		frappe.throw(_("DocType {0} not found").format(doctype), frappe.DoesNotExistError)
	meta = frappe.get_meta(doctype)
	if (
		not isinstance(name, str)
		or not name
		or meta.issingle
		or meta.istable
		or not is_stored_name(doctype, name)
	):
		frappe.throw(_("{0} {1} not found").format(_(doctype), name), frappe.DoesNotExistError)


def is_stored_name(doctype: str, name: str) -> bool:
	"""The name as stored, character for character. MariaDB compares names without case and
	trailing spaces, so "customer a " finds "Customer A"; a caller's spelling is refused, or a
	lock, say, would be remembered under a name no save ever asks for. (An autoincrement
	doctype stores a number, which a request passes as text.)"""
	stored = frappe.db.get_value(doctype, name, "name")
	return stored is not None and str(stored) == name


def customer_state(customer: str, fieldname: str):
	"""A lifecycle field of a customer (crm_active, crm_invalid) for the checks that run inside
	ERPNext's own saves of sales documents, from Frappe's document cache: ERPNext's party check
	(validate_party_frozen_disabled) caches the same customer there, so these checks send no
	statement. Frappe clears the cached record on every save, set_value and rename of it, on
	commit and on rollback; update_by_name below clears it too. None for an unknown customer."""
	return frappe.get_cached_value("Customer", customer, fieldname)


# The app's own rows that point at a record through a Dynamic Link: (table, doctype field, name field).
OWN_DYNAMIC_LINKS = (
	("Lifecycle Lock", "reference_doctype", "reference_name"),
	("Lifecycle Lock Log", "reference_doctype", "reference_name"),
	("Lifecycle Event", "reference_doctype", "reference_name"),
	("Lifecycle Document Link", "source_doctype", "source_name"),
	("Lifecycle Document Link", "target_doctype", "target_name"),
)


def _repoint(links, doctype: str, old: str, new: str) -> None:
	for table, doctype_field, name_field in links:
		rows = frappe.qb.DocType(table)
		try:
			(
				frappe.qb.update(rows)
				.set(rows[name_field], new)
				.where((rows[doctype_field] == doctype) & (rows[name_field] == old))
				.run()
			)
		except frappe.db.TableMissingError:
			continue


def repoint_own_links(doctype: str, old: str, new: str) -> None:
	"""After a rename, the app's own rows follow the record. Frappe re-points Dynamic Links
	itself, but only through a map of the doctypes each table already links to, which can be
	stale or (on some v15 builds) empty: the app does not rely on it for its own rows."""
	_repoint(OWN_DYNAMIC_LINKS, doctype, old, new)


def repoint_dynamic_links(doctype: str, old: str, new: str, skip: tuple[str, ...] = ()) -> None:
	"""Every Dynamic Link (DocFields and Custom Fields, child tables too) still naming `old`
	names `new`, but in the tables of `skip`: what a merge promises, whatever Frappe's own map
	of dynamic links knew."""
	from frappe.model.dynamic_links import get_dynamic_links

	links = []
	for field in get_dynamic_links():
		meta = frappe.get_meta(field.parent)
		if meta.issingle or meta.is_virtual or not field.options or field.parent in skip:
			continue
		links.append((field.parent, field.options, field.fieldname))
	_repoint(links, doctype, old, new)


def save_changes(doctype: str, name: str, change: Callable) -> Document:
	"""Apply `change(doc)` and save like a form save (Version, on_update and so Webhooks,
	Notifications and other apps' doc_events, realtime refresh, modified, lock check). A job that
	changed the record meanwhile (Frappe's own User.on_update enqueues one that updates the
	user's contact) is no reason to fail. The record is read with a locking read: that sees the
	latest committed version (a plain read would see the transaction's older snapshot, which
	the timestamp check refuses) and holds the job off until this transaction ends. Should the
	check refuse anyway, the record is read again and the change applied once more."""
	for attempt in (1, 2):
		doc = frappe.get_doc(doctype, name, for_update=True)
		change(doc)
		try:
			doc.save()
			return doc
		except frappe.TimestampMismatchError:
			if attempt == 2:
				raise
			frappe.clear_last_message()


def save_state(doctype: str, name: str, values: dict) -> Document:
	"""Write lifecycle fields (which forms refuse to change directly) through save_changes."""

	def change(doc):
		doc.update(values)
		doc.flags.crm_lifecycle_state_change = True

	return save_changes(doctype, name, change)


def lock_rows(doctype: str, names: list[str], fields: tuple[str, ...] = ()) -> dict[str, tuple]:
	"""Hold the named rows until this transaction ends (FOR UPDATE, through the primary key as
	in update_by_name): a bulk action takes them before it reads their locks, so a lock taken
	meanwhile waits for it (locking.lock holds the record's row while it locks it).

	Returns the rows found, name -> values of `fields` (our own column names), as committed.
	Names match exactly: the column's collation would also match another case or trailing
	spaces, and a record would then be changed under a name that is not its own."""
	if not names:
		return {}
	columns = ", ".join(f"`{fieldname}`" for fieldname in ("name", *fields))
	rows = frappe.db.sql(
		f"select {columns} from `tab{doctype}` force index (primary) where `name` in %(names)s for update",
		{"names": tuple(names)},
	)
	wanted = set(names)
	return {name: tuple(values) for name, *values in rows if name in wanted}


def add_timeline_entries(doctype: str, names: list[str], content: str) -> None:
	"""One "Info" timeline entry with `content` (HTML: the caller escapes what it interpolates)
	on each named record, written by one INSERT ... SELECT. Through the primary key, as in
	update_by_name: the SELECT locks the rows it reads, and a scan would lock the whole table."""
	if not names:
		return
	user = frappe.session.user
	frappe.db.sql(
		f"""
		insert into `tabComment` (name, creation, modified, owner, modified_by, docstatus, idx,
			comment_type, comment_email, comment_by, reference_doctype, reference_name,
			reference_owner, content, published, seen)
		select replace(uuid(), '-', ''), %(now)s, %(now)s, %(user)s, %(user)s, 0, 0,
			'Info', %(user)s, %(full_name)s, %(doctype)s, t.name, t.owner, %(content)s, 0, 0
		from `tab{doctype}` t force index (primary)
		where t.name in %(names)s
		""",
		{
			"now": now_datetime(),
			"user": user,
			"full_name": get_fullname(user),
			"doctype": doctype,
			"content": content,
			"names": tuple(names),
		},
	)


def update_by_name(
	doctype: str, names: list[str], values: dict, touch: bool = True, submitted_only: bool = False
) -> None:
	"""One UPDATE of the named rows, through the primary key: for an IN list long compared with
	what it believes the table holds, MariaDB would scan the whole table instead, and an UPDATE
	locks every row it scans until the transaction ends, not only the N named ones.
	`submitted_only`: the submitted ones among them (docstatus 1, as the row is when written)."""
	if not names:
		return
	changes = values
	if touch:
		old = events.before(doctype, names, changes, {"docstatus": 1} if submitted_only else None)
		values = {**values, "modified": now_datetime(), "modified_by": frappe.session.user}
	assignments = ", ".join(f"`{fieldname}` = %({fieldname})s" for fieldname in values)
	submitted = " and `docstatus` = 1" if submitted_only else ""
	frappe.db.sql(
		f"update `tab{doctype}` force index (primary) set {assignments} where `name` in %(names_)s{submitted}",
		{**values, "names_": tuple(names)},
	)
	frappe.clear_document_cache(doctype)
	if touch:  # a change of the record, not only of what the list shows (`_assign`)
		events.changed(doctype, events.diff(old, changes))
