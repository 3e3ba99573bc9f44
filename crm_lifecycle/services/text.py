"""User text the app stores itself (reasons, labels): the way Frappe's own save stores it.

`frappe.db.set_value`, `db_set` and query-builder updates skip the sanitising that
`Document.save` applies to every field; whatever the app writes that way goes through here.
"""

from frappe.utils.html_utils import sanitize_html


def clean(value: str | None) -> str | None:
	"""Stripped and sanitised (markup that could run script is removed); None when empty."""
	value = (value or "").strip()
	if not value:
		return None
	if "<" in value or ">" in value:
		value = sanitize_html(value).strip()
	return value or None
