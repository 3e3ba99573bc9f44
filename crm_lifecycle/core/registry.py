"""Business registries: what to ask them, what their answers mean, what a fill-in would change.

Framework-free and without I/O: a provider builds `Request`s and parses `Response`s; the caller
(services/registry.py) sends them over HTTP. Providers shipped: the Czech business register ARES
(REST API v3, registry_ares.py) and the EU VIES VAT number check (registry_vies.py). Add one by
subclassing `Provider` and listing it in `core/registry_providers.py`.
"""

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from crm_lifecycle.core.refusal import NOT_FOUND, UNAVAILABLE, Refused


class RegistryError(Refused):
	"""Base of what a registry exchange can end in; `code` says which case, for the message."""

	def __init__(self, code: str, detail: str = ""):
		super().__init__(code, detail)
		self.detail = detail


class InvalidQuery(RegistryError):
	"""The query cannot be asked (bad checksum, wrong format, search not supported)."""


class NotFound(RegistryError):
	"""The registry does not know the number (or VIES says it is not a valid VAT number)."""

	kind = NOT_FOUND


class MalformedAnswer(RegistryError):
	"""The registry answered something that is not what its API promises."""

	kind = UNAVAILABLE


class Unavailable(RegistryError):
	"""The registry (or, for VIES, the member state's system) cannot answer now."""

	kind = UNAVAILABLE


@dataclass(frozen=True)
class Request:
	method: str
	path: str
	json: dict | None = None


@dataclass(frozen=True)
class Response:
	status: int
	body: str


@dataclass(frozen=True)
class Address:
	line1: str = ""
	line2: str = ""
	city: str = ""
	postal_code: str = ""
	country_code: str = ""  # ISO 3166-1 alpha-2, upper case

	def is_usable(self) -> bool:
		"""ERPNext's Address needs a first line, a city and a country."""
		return bool(self.line1 and self.city and self.country_code)

	def text(self) -> str:
		place = " ".join(part for part in (self.postal_code, self.city) if part)
		return ", ".join(part for part in (self.line1, self.line2, place, self.country_code) if part)

	def key(self) -> tuple[str, ...]:
		"""What makes two addresses the same, regardless of spacing and letter case."""
		postal = re.sub(r"\s", "", self.postal_code)
		return tuple(
			clean(part).casefold() for part in (self.line1, self.line2, self.city, postal, self.country_code)
		)


@dataclass(frozen=True)
class Candidate:
	provider: str
	registry_id: str
	name: str
	tax_id: str = ""
	registration_no: str = ""
	legal_form: str = ""
	address: Address | None = None

	def as_dict(self) -> dict[str, Any]:
		data = asdict(self)
		data["address_text"] = self.address.text() if self.address else ""
		return data


@dataclass(frozen=True)
class Record:
	"""The current values of a Customer or Lead, in the candidate's terms."""

	name: str = ""
	tax_id: str = ""
	registration_no: str = ""
	legal_form: str = ""
	address: Address | None = None


@dataclass(frozen=True)
class Change:
	field: str
	current: str
	new: str


FIELDS = ("name", "tax_id", "registration_no", "legal_form", "address")


def clean(value: Any) -> str:
	return re.sub(r"\s+", " ", str(value or "")).strip()


def diff(candidate: Candidate, record: Record) -> list[Change]:
	"""What filling `record` from `candidate` would change. An empty registry value never clears a
	field, and an address is only offered when ERPNext could save it."""
	changes = []
	for field in FIELDS[:-1]:
		new, current = clean(getattr(candidate, field)), clean(getattr(record, field))
		if new and _comparable(field, new) != _comparable(field, current):
			changes.append(Change(field, current, new))
	new_address = candidate.address
	if new_address and new_address.is_usable():
		if record.address is None or record.address.key() != new_address.key():
			changes.append(
				Change("address", record.address.text() if record.address else "", new_address.text())
			)
	return changes


def number_key(value: str) -> str:
	"""Numbers are the same whatever their spacing ("CZ 001 77 041" is "CZ00177041")."""
	return re.sub(r"\s", "", value or "").upper()


def _comparable(field: str, value: str) -> str:
	return number_key(value) if field in ("tax_id", "registration_no") else value


def accepted_changes(changes: list[Change], accepted: list[str]) -> list[Change]:
	"""The changes the user ticked; a field that is already up to date is simply not among them."""
	unknown = sorted(set(accepted) - set(FIELDS))
	if unknown:
		raise InvalidQuery("unknown_field", ", ".join(unknown))
	return [change for change in changes if change.field in accepted]


def parse_json(response: Response) -> dict:
	try:
		data = json.loads(response.body)
	except (TypeError, ValueError):
		raise MalformedAnswer("not_json", response.body[:200])
	if not isinstance(data, dict):
		raise MalformedAnswer("not_an_object", response.body[:200])
	return data


Send = Callable[[Request], Response]


class Provider(ABC):
	key: ClassVar[str]
	label: ClassVar[str]
	can_search: ClassVar[bool] = False

	@abstractmethod
	def normalize_id(self, raw: str) -> str:
		"""The registry's canonical form of an identifier; raises InvalidQuery."""

	@abstractmethod
	def looks_like_id(self, query: str) -> bool:
		"""Whether a user's query is meant as an identifier rather than a name."""

	@abstractmethod
	def lookup_request(self, registry_id: str) -> Request: ...

	@abstractmethod
	def parse_lookup(self, response: Response) -> Candidate: ...

	def search_request(self, name: str, limit: int) -> Request:
		raise InvalidQuery("no_search")

	def parse_search(self, response: Response) -> list[Candidate]:
		raise InvalidQuery("no_search")

	def lookup(self, registry_id: str, send: Send) -> Candidate:
		return self.parse_lookup(send(self.lookup_request(self.normalize_id(registry_id))))

	def search(self, name: str, send: Send, limit: int = 10) -> list[Candidate]:
		name = clean(name)
		if len(name) < 3:
			raise InvalidQuery("name_too_short")
		return self.parse_search(send(self.search_request(name, limit)))

	def find(self, query: str, send: Send, limit: int = 10) -> list[Candidate]:
		"""A number is looked up, anything else searched by name (where the registry can)."""
		query = clean(query)
		if not query:
			raise InvalidQuery("empty")
		if self.looks_like_id(query):
			return [self.lookup(query, send)]
		if not self.can_search:
			raise InvalidQuery("no_search")
		return self.search(query, send, limit)


# Web search shortcuts: URL templates with {name}, {tax_id}, {registration_no}.
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def search_url(template: str, values: Mapping[str, str | None]) -> str | None:
	"""The template with each placeholder URL-encoded; None when a value it needs is missing or the
	template is not a web address (so no shortcut leads to a javascript: URL)."""
	if urlsplit(template.strip()).scheme not in ("http", "https"):
		return None
	missing = False

	def fill(match: re.Match) -> str:
		nonlocal missing
		value = clean(values.get(match[1]))
		if match[1] not in values:
			return match[0]
		if not value:
			missing = True
		return quote(value, safe="")

	url = PLACEHOLDER.sub(fill, template.strip())
	return None if missing else url
