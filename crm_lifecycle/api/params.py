"""The one parser of REST parameters: every whitelisted method of the app takes its arguments
through these functions, so malformed input is a translated 417, an unknown record a 404 and
nothing reaches the services as a value they would choke on (a 500).
"""

import datetime
import json

import frappe
from frappe import _
from frappe.utils import getdate

from crm_lifecycle.services import records


def _refuse(message: str) -> None:
	frappe.throw(message, frappe.ValidationError, title=_("Invalid Input"))


def _loaded(value, argument: str):
	if isinstance(value, str):
		try:
			return json.loads(value)
		except ValueError:
			_refuse(_("{0} must be JSON.").format(argument))
	return value


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
	if not isinstance(names, list) or not names or not all(isinstance(name, str) and name for name in names):
		_refuse(_("Pass a non-empty JSON list of document names."))
	return list(dict.fromkeys(names))


def name(value, argument: str) -> str:
	"""One non-empty name (of a record, a view, a provider...)."""
	if not isinstance(value, str) or not value.strip():
		_refuse(_("Pass {0}.").format(argument))
	return value


def string_list(value: str | list | None, argument: str) -> list[str]:
	"""A JSON list of strings (may be empty); None or "" is an empty list."""
	if value in (None, ""):
		return []
	items = _loaded(value, argument)
	if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
		_refuse(_("{0} must be a JSON list of names.").format(argument))
	return items


def string_map(value: str | dict | None, argument: str) -> dict[str, str]:
	"""A JSON object of string values; None or "" is an empty object."""
	if value in (None, ""):
		return {}
	mapping = _loaded(value, argument)
	if not isinstance(mapping, dict) or not all(
		isinstance(key, str) and isinstance(item, str) for key, item in mapping.items()
	):
		_refuse(_("{0} must be a JSON object of names.").format(argument))
	return mapping


def json_object(value: str | dict, argument: str) -> dict:
	"""Any JSON object (its values are checked by the service that knows their meaning)."""
	mapping = _loaded(value, argument)
	if not isinstance(mapping, dict):
		_refuse(_("{0} must be a JSON object.").format(argument))
	return mapping


def flag(value, argument: str) -> bool:
	"""0/1 (also true/false, as forms and query strings send them)."""
	if value in (None, ""):
		return False
	if isinstance(value, bool):
		return value
	text = str(value).strip().lower()
	if text in ("1", "true", "yes"):
		return True
	if text in ("0", "false", "no"):
		return False
	_refuse(_("{0} must be 0 or 1.").format(argument))


def whole_number(value, argument: str, default: int, maximum: int) -> int:
	"""A whole number from 1 to `maximum`; None or "" is `default`."""
	if value in (None, ""):
		return default
	if isinstance(value, bool) or not isinstance(value, int | str) or len(str(value)) > 12:
		_refuse(_("{0} must be a whole number from 1 to {1}.").format(argument, maximum))
	try:
		number = int(value)
	except ValueError:
		number = 0
	if not 1 <= number <= maximum:
		_refuse(_("{0} must be a whole number from 1 to {1}.").format(argument, maximum))
	return number


def date(value, argument: str) -> datetime.date | None:
	"""A date (YYYY-MM-DD); None or "" is no date."""
	if value in (None, ""):
		return None
	if isinstance(value, datetime.date):
		return value
	if not isinstance(value, str) or len(value) > 32:
		_refuse(_("{0} must be a date (YYYY-MM-DD).").format(argument))
	try:
		return getdate(value)
	except Exception:
		_refuse(_("{0} must be a date (YYYY-MM-DD).").format(argument))


def text(value, argument: str, max_length: int = 1000) -> str | None:
	"""User text (a reason): text of a sane length. The services sanitise what they store
	(services/text.py), whoever calls them."""
	if value in (None, ""):
		return None
	if not isinstance(value, str):
		_refuse(_("{0} must be text.").format(argument))
	if len(value) > max_length:
		_refuse(_("{0} is longer than {1} characters.").format(argument, max_length))
	return value


def doctype(value) -> str:
	"""An existing DocType: 417 when empty, 404 when unknown."""
	if not isinstance(value, str) or not value.strip():
		_refuse(_("Pass a document type."))
	if not records.is_stored_name("DocType", value):
		frappe.throw(_("DocType {0} not found").format(value), frappe.DoesNotExistError)
	return value


def existing(doctype_name: str, name) -> str:
	"""A record that exists: 417 for a missing name, 404 for an unknown doctype or record. Runs
	before the permission check (Administrator passes every check); which doctypes an action
	takes is the service's own refusal, with its own message."""
	doctype(doctype_name)
	if not isinstance(name, str) or not name:
		_refuse(_("Pass the name of a {0}.").format(_(doctype_name)))
	records.ensure_exists(doctype_name, name)
	return name
