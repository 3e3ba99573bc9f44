"""ARES, the Czech register of economic subjects: its REST API v3 (JSON).

GET {base}/ekonomicke-subjekty/{ico} and POST {base}/ekonomicke-subjekty/vyhledat; the base is
https://ares.gov.cz/ekonomicke-subjekty-v-be/rest unless CRM Lifecycle Settings says otherwise.
"""

import re
from typing import Any

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

# Names of the commonest legal forms (ARES answers with the code of its "PravniForma" list).
ARES_LEGAL_FORMS = {
	"101": "Fyzická osoba podnikající dle živnostenského zákona",
	"102": "Fyzická osoba podnikající dle živnostenského zákona zapsaná v obchodním rejstříku",
	"105": "Fyzická osoba podnikající dle jiných zákonů než živnostenského a zákona o zemědělství",
	"107": "Zemědělský podnikatel - fyzická osoba nezapsaná v obchodním rejstříku",
	"111": "Veřejná obchodní společnost",
	"112": "Společnost s ručením omezeným",
	"113": "Společnost komanditní",
	"121": "Akciová společnost",
	"141": "Obecně prospěšná společnost",
	"205": "Družstvo",
	"301": "Státní podnik",
	"325": "Organizační složka státu",
	"331": "Příspěvková organizace",
	"801": "Obec",
	"932": "Evropská společnost",
}


def ico_checksum_ok(ico: str) -> bool:
	"""IČO: seven digits weighted 8..2, the eighth is (11 - sum mod 11) mod 10."""
	if not re.fullmatch(r"\d{8}", ico):
		return False
	total = sum(int(digit) * weight for digit, weight in zip(ico[:7], range(8, 1, -1), strict=True))
	return (11 - total % 11) % 10 == int(ico[7])


class Ares(Provider):
	key = "ares"
	label = "ARES"
	can_search = True

	def looks_like_id(self, query: str) -> bool:
		return bool(re.fullmatch(r"(?:CZ)?[\d ]{1,10}", query.strip(), flags=re.IGNORECASE))

	def normalize_id(self, raw: str) -> str:
		digits = re.sub(r"\s", "", str(raw or ""))
		digits = re.sub(r"^CZ", "", digits, flags=re.IGNORECASE)
		if not re.fullmatch(r"\d{1,8}", digits):
			raise InvalidQuery("ico_format", str(raw))
		ico = digits.zfill(8)
		if not ico_checksum_ok(ico):
			raise InvalidQuery("ico_checksum", ico)
		return ico

	def lookup_request(self, registry_id: str) -> Request:
		return Request("GET", f"/ekonomicke-subjekty/{registry_id}")

	def search_request(self, name: str, limit: int) -> Request:
		return Request(
			"POST", "/ekonomicke-subjekty/vyhledat", {"obchodniJmeno": name, "start": 0, "pocet": limit}
		)

	def _check_status(self, response: Response) -> None:
		if response.status == 200:
			return
		detail = response.body[:200]
		if response.status == 404:
			raise NotFound("unknown", detail)
		if response.status == 400:
			raise InvalidQuery("refused", self._error_text(response))
		if response.status >= 500 or response.status == 429:
			raise Unavailable("status", str(response.status))
		raise MalformedAnswer("status", f"{response.status} {detail}")

	def _error_text(self, response: Response) -> str:
		try:
			data = parse_json(response)
		except MalformedAnswer:
			return ""
		return clean(data.get("popis") or data.get("subKod") or data.get("kod"))

	def parse_lookup(self, response: Response) -> Candidate:
		self._check_status(response)
		return self.subject(parse_json(response))

	def parse_search(self, response: Response) -> list[Candidate]:
		self._check_status(response)
		data = parse_json(response)
		subjects = data.get("ekonomickeSubjekty")
		if not isinstance(subjects, list) or not isinstance(data.get("pocetCelkem"), int):
			raise MalformedAnswer("search_shape")
		return [self.subject(subject) for subject in subjects]

	def subject(self, data: Any) -> Candidate:
		if not isinstance(data, dict) or not data.get("ico") or not data.get("obchodniJmeno"):
			raise MalformedAnswer("subject_shape")
		legal_form = data.get("pravniForma")
		if isinstance(legal_form, dict):  # some mirrors answer {"kod": ..., "nazev": ...}
			legal_form = legal_form.get("nazev") or legal_form.get("kod")
		legal_form = clean(legal_form)
		sidlo = data.get("sidlo")
		return Candidate(
			provider=self.key,
			registry_id=clean(data["ico"]).zfill(8),
			name=clean(data["obchodniJmeno"]),
			tax_id=clean(data.get("dic")),
			registration_no=clean(data["ico"]).zfill(8),
			legal_form=ARES_LEGAL_FORMS.get(legal_form, legal_form),
			address=ares_address(sidlo) if isinstance(sidlo, dict) else None,
		)


def ares_address(sidlo: dict) -> Address:
	"""Street and numbers as Czechs write them: "Budějovická 778/3a" (house / orientation number)."""
	house, orientation = sidlo.get("cisloDomovni"), sidlo.get("cisloOrientacni")
	orientation = f"{orientation}{sidlo.get('cisloOrientacniPismeno') or ''}" if orientation else ""
	if house and sidlo.get("typCisloDomovni") == 2:  # "číslo evidenční" of temporary buildings
		house = f"ev. č. {house}"
	number = "/".join(str(part) for part in (house, orientation) if part)
	city = clean(sidlo.get("nazevObce"))
	street = clean(sidlo.get("nazevUlice")) or clean(sidlo.get("nazevCastiObce")) or city
	district = clean(sidlo.get("nazevMestskehoObvodu"))
	part_of_town = clean(sidlo.get("nazevCastiObce"))
	if district.startswith(city) and district != city:  # Praha 4, Brno-střed
		city = district
	line1 = clean(f"{street} {number}")
	if not city:  # no structured address: keep the text, ERPNext then cannot use it (no city)
		line1 = clean(sidlo.get("textovaAdresa")) or line1
	postal = re.sub(r"\s", "", str(sidlo.get("psc") or ""))
	if re.fullmatch(r"\d{5}", postal):
		postal = f"{postal[:3]} {postal[3:]}"
	return Address(
		line1=line1,
		line2=part_of_town if part_of_town and part_of_town not in (street, city) else "",
		city=city,
		postal_code=postal,
		country_code=clean(sidlo.get("kodStatu") or "CZ").upper(),
	)
