"""Parsing of REST parameters shared by the whitelisted methods."""

import json

import frappe
from frappe import _


def name_list(value: str | list, allow_single: bool = False) -> list[str]:
	"""A non-empty JSON list of document names (duplicates dropped, order kept); with
	`allow_single`, a plain name is taken as a list of one. Anything else is a 417."""
	names = value
	if isinstance(value, str):
		try:
			names = json.loads(value)
		except json.JSONDecodeError:
			names = [value] if allow_single else None
		if allow_single and isinstance(names, str):
			names = [names]
		elif allow_single and isinstance(names, int | float):
			names = [value]
	if not isinstance(names, list) or not names or not all(isinstance(name, str) for name in names):
		frappe.throw(_("Pass a non-empty JSON list of document names."), frappe.ValidationError)
	return list(dict.fromkeys(names))
