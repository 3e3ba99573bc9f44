"""Every write path of a locked record, refused for anybody but the holder and lock managers.

Wired under the "*" key of doc_events, so these run for every document of every doctype:
each returns at once (no SQL) unless the document is of a lockable doctype (or a row of one)
and Redis has a lock for it. Which Frappe paths end here:

- save, insert (amendments: the cancelled original), REST PUT, frappe.client.set_value /
  save, bulk edit, Data Import updates, workflow actions, child-table edits -> before_validate
  (also runs for submit, and even when flags.ignore_validate is set);
- cancel -> before_cancel; changes after submit -> before_update_after_submit;
- doc.db_set (ERPNext's set_status(update=True), too) -> before_change;
- delete -> on_trash; rename and rename-merge -> before_rename.

- attachments (File rows attached to the record): adding -> before_validate, removing -> on_trash.

A change that happens while ANOTHER document is being saved (ERPNext setting an order's status
or per_billed when an invoice against it is submitted, a lead's "Converted"...) is derived, not
an edit of the locked record: it goes through and the record's timeline says what changed.
Deleting, cancelling and renaming a locked record are never derived.

Not reachable from any hook, hence not enforced: frappe.db.set_value, frappe.db.sql and
frappe.qb updates, which bypass documents altogether.
"""

from crm_lifecycle.services import locking, records


def before_validate(doc, method=None):
	locking.check_write(doc)


def before_cancel(doc, method=None):
	locking.check_write(doc, derived_allowed=False)


def before_update_after_submit(doc, method=None):
	locking.check_write(doc)


def before_change(doc, method=None):
	locking.check_write(doc)


def on_trash(doc, method=None):
	locking.check_write(doc, derived_allowed=False)
	if doc.doctype in locking.lockable_doctypes():
		# The record goes; its lock row would otherwise lock a future record of the same name.
		locking.release_for(doc.doctype, doc.name)


def before_rename(doc, method=None, old=None, new=None, merge=False):
	locking.check_write(doc, derived_allowed=False)
	if merge and doc.doctype in locking.lockable_doctypes():
		# Merging moves every row pointing at the old name to the new one, the lock row too,
		# which would then clash with (or silently become) the target's lock.
		locking.check_write_to(doc.doctype, new)
		locking.release_for(doc.doctype, doc.name, "Released")


def onload(doc, method=None):
	# The desk form gets the lock state with the document, so its refresh can make the form
	# read-only at once (Frappe wants disable_save called during refresh, not after a round trip).
	if doc.doctype in locking.lockable_doctypes() and not doc.is_new():
		doc.set_onload("crm_lifecycle_lock", locking.status(doc.doctype, doc.name))


def after_rename(doc, method=None, old=None, new=None, merge=False):
	records.repoint_own_links(doc.doctype, old, new)
	if doc.doctype in locking.lockable_doctypes():
		locking.forget_cache(doc.doctype)
