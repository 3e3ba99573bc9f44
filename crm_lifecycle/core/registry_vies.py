"""VIES, the EU VAT number check: its REST API (GET {base}/ms/{CC}/vat/{number}; the answer of
POST {base}/check-vat-number parses the same way). The base is
https://ec.europa.eu/taxation_customs/vies/rest-api unless CRM Lifecycle Settings says otherwise.
"""

import re
from typing import Any
from urllib.parse import quote

from crm_lifecycle.core.registry import (
	Address,
	Candidate,
	InvalidQuery,
	MalformedAnswer,
	NotFound,
	Provider,
	Request,
	Response,
	Unavailable,
	clean,
	parse_json,
)

VIES_COUNTRIES = (
	"AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI"
).split()
ISO_COUNTRY = {"EL": "GR", "XI": "GB"}
VIES_UNAVAILABLE = {
	"MS_UNAVAILABLE",
	"TIMEOUT",
	"SERVICE_UNAVAILABLE",
	"MS_MAX_CONCURRENT_REQ",
	"GLOBAL_MAX_CONCURRENT_REQ",
	"SERVER_BUSY",
}


class Vies(Provider):
	key = "vies"
	label = "VIES"

	def looks_like_id(self, query: str) -> bool:
		return bool(re.fullmatch(r"[A-Za-z]{2}[\dA-Za-z+*. -]{2,16}", query.strip())) and any(
			char.isdigit() for char in query
		)

	def normalize_id(self, raw: str) -> str:
		vat = re.sub(r"[\s.-]", "", str(raw or "")).upper()
		if not re.fullmatch(r"[A-Z]{2}[0-9A-Z+*]{2,12}", vat) or vat[:2] not in VIES_COUNTRIES:
			raise InvalidQuery("vat_format", str(raw))
		return vat

	def lookup_request(self, registry_id: str) -> Request:
		return Request("GET", f"/ms/{registry_id[:2]}/vat/{quote(registry_id[2:])}")

	def parse_lookup(self, response: Response) -> Candidate:
		data = parse_json(response)
		if response.status != 200 or data.get("errorWrappers") or data.get("actionSucceed") is False:
			errors = {row.get("error") for row in data.get("errorWrappers") or [] if isinstance(row, dict)}
			if errors & VIES_UNAVAILABLE or response.status >= 500:
				raise Unavailable("status", ", ".join(sorted(filter(None, errors))))
			if "INVALID_INPUT" in errors or response.status == 400:
				raise InvalidQuery("refused", ", ".join(sorted(filter(None, errors))))
			raise MalformedAnswer("status", f"{response.status}")
		valid = data.get("isValid", data.get("valid"))
		if not isinstance(valid, bool):
			raise MalformedAnswer("vies_shape")
		if data.get("userError") in VIES_UNAVAILABLE:
			raise Unavailable("member_state", data["userError"])
		country = clean(data.get("countryCode")) or clean(data.get("originalVatNumber"))[:2]
		number = clean(data.get("vatNumber"))
		if not country or not number:
			raise MalformedAnswer("vies_shape")
		vat = number if number[:2].upper() == country.upper() else f"{country}{number}".upper()
		if not valid:
			raise NotFound("invalid_vat", vat)
		return Candidate(
			provider=self.key,
			registry_id=vat,
			name=_undisclosed(data.get("name")),
			tax_id=vat,
			address=vies_address(_undisclosed(data.get("address"), keep_lines=True), country.upper()),
		)


def _undisclosed(value: Any, keep_lines: bool = False) -> str:
	"""VIES answers "---" for what a member state does not disclose (Germany discloses nothing)."""
	text = str(value or "").strip()
	if not text or set(text) <= {"-"}:
		return ""
	return "\n".join(clean(line) for line in text.splitlines() if clean(line)) if keep_lines else clean(text)


def vies_address(text: str, country: str) -> Address | None:
	"""VIES gives one free-text address: street first, then "postal code city" (some states add
	the country's name after it)."""
	lines = text.splitlines()
	if not lines:
		return None
	code = ISO_COUNTRY.get(country, country)
	pattern = re.compile(r"(?P<postal>(?:[A-Z]{1,2}-)?\d[\d -]*\d|\d)\s+(?P<city>\D.*)")
	for index in range(len(lines) - 1, 0, -1):
		match = pattern.fullmatch(lines[index])
		if match:
			return Address(
				line1=lines[0],
				line2=", ".join(lines[1:index]),
				city=match["city"].strip(),
				postal_code=match["postal"].strip(),
				country_code=code,
			)
	if len(lines) == 1:
		return Address(line1=lines[0], country_code=code)
	return Address(line1=lines[0], line2=", ".join(lines[1:-1]), city=lines[-1], country_code=code)
