"""Registry answers (ARES v3, VIES) are parsed into candidates, and a candidate diffs against a record.

The answers are kept in tests/fixtures/registry/, shaped as the public APIs answer (the same files
the integration suite's local registry server serves).
"""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_lifecycle.core.registry import (
	Address,
	Candidate,
	Change,
	InvalidQuery,
	MalformedAnswer,
	NotFound,
	Record,
	Request,
	Response,
	Unavailable,
	accepted_changes,
	diff,
	search_url,
)
from crm_lifecycle.core.registry_ares import Ares, ico_checksum_ok
from crm_lifecycle.core.registry_providers import providers
from crm_lifecycle.core.registry_vies import Vies

FIXTURES = Path(__file__).parents[1] / "fixtures" / "registry"
ARES, VIES = Ares(), Vies()


def answer(name: str, status: int = 200) -> Response:
	return Response(status, (FIXTURES / name).read_text(encoding="utf-8"))


def test_ico_is_zero_padded_and_checked_with_its_mod_11_digit():
	assert ARES.normalize_id("177041") == "00177041"
	assert ARES.normalize_id(" 270 74 358 ") == "27074358"
	assert ARES.normalize_id("CZ00177041") == "00177041"
	with pytest.raises(InvalidQuery) as error:
		ARES.normalize_id("27074359")
	assert error.value.code == "ico_checksum"
	with pytest.raises(InvalidQuery) as error:
		ARES.normalize_id("123456789")
	assert error.value.code == "ico_format"


@given(st.integers(min_value=0, max_value=9_999_999))
def test_exactly_one_check_digit_completes_any_seven_digits(first_seven):
	stem = f"{first_seven:07d}"
	assert sum(ico_checksum_ok(f"{stem}{digit}") for digit in range(10)) == 1


def test_ares_lookup_asks_the_subject_and_parses_a_company_in_prague():
	sent = []

	def send(request: Request) -> Response:
		sent.append(request)
		return answer("ares_27074358.json")

	candidate = ARES.lookup("27074358", send)
	assert sent == [Request("GET", "/ekonomicke-subjekty/27074358")]
	assert candidate == Candidate(
		provider="ares",
		registry_id="27074358",
		name="Asseco Central Europe, a.s.",
		tax_id="CZ27074358",
		registration_no="27074358",
		legal_form="Akciová společnost",
		address=Address("Budějovická 778/3a", "Michle", "Praha 4", "140 00", "CZ"),
	)


def test_ares_address_without_street_and_sole_trader_without_vat_number():
	candidate = ARES.parse_lookup(answer("ares_12345679.json"))
	assert candidate.tax_id == ""
	assert candidate.legal_form.startswith("Fyzická osoba podnikající")
	assert candidate.address == Address("Dolní Lhota 12", "", "Dolní Lhota", "503 03", "CZ")


def test_ares_search_by_name_posts_the_name_and_returns_every_subject():
	sent = []

	def send(request: Request) -> Response:
		sent.append(request)
		return answer("ares_search_skoda.json")

	candidates = ARES.find("Škoda", send)
	assert sent[0].method == "POST" and sent[0].path == "/ekonomicke-subjekty/vyhledat"
	assert sent[0].json == {"obchodniJmeno": "Škoda", "start": 0, "pocet": 10}
	assert [(c.registration_no, c.address.city) for c in candidates] == [
		("00177041", "Mladá Boleslav"),
		("62623753", "Plzeň 3"),
	]
	assert candidates[0].address.line2 == "Mladá Boleslav II"


def test_a_number_is_looked_up_and_a_name_searched():
	assert ARES.looks_like_id("00177041") and ARES.looks_like_id("177 041")
	assert not ARES.looks_like_id("Škoda Auto")
	with pytest.raises(InvalidQuery) as error:
		ARES.find("Šk", lambda request: pytest.fail("nothing is sent"))
	assert error.value.code == "name_too_short"


@pytest.mark.parametrize(
	("response", "error", "code"),
	[
		(answer("ares_not_found.json", 404), NotFound, "unknown"),
		(answer("ares_search_too_many.json", 400), InvalidQuery, "refused"),
		(Response(503, "<html>Service Unavailable</html>"), Unavailable, "status"),
		(Response(200, '{"ico": "0017704'), MalformedAnswer, "not_json"),
		(Response(200, "[]"), MalformedAnswer, "not_an_object"),
		(Response(200, '{"ico": "00177041"}'), MalformedAnswer, "subject_shape"),
		(Response(302, ""), MalformedAnswer, "status"),
	],
)
def test_ares_failures_are_told_apart(response, error, code):
	with pytest.raises(error) as raised:
		ARES.parse_lookup(response)
	assert raised.value.code == code


def test_too_many_search_results_carry_the_registry_words():
	with pytest.raises(InvalidQuery) as raised:
		ARES.parse_search(answer("ares_search_too_many.json", 400))
	assert "Příliš mnoho" in raised.value.detail


def test_search_answer_without_its_count_is_malformed():
	with pytest.raises(MalformedAnswer):
		ARES.parse_search(Response(200, '{"ekonomickeSubjekty": []}'))
	assert ARES.parse_search(Response(200, '{"pocetCelkem": 0, "ekonomickeSubjekty": []}')) == []


def test_vies_valid_number_with_free_text_address():
	sent = []

	def send(request):
		sent.append(request)
		return answer("vies_CZ00177041.json")

	candidate = VIES.lookup("cz 001 77 041", send)
	assert sent == [Request("GET", "/ms/CZ/vat/00177041")]
	assert candidate.registry_id == candidate.tax_id == "CZ00177041"
	assert candidate.name == "Škoda Auto a.s."
	assert candidate.registration_no == ""
	assert candidate.address == Address(
		"tř. Václava Klementa 869", "Mladá Boleslav II", "Mladá Boleslav 1", "293 01", "CZ"
	)


def test_vies_check_vat_number_answer_and_trailing_country_line():
	candidate = VIES.parse_lookup(answer("vies_check_vat_number.json"))
	assert candidate.tax_id == "SK2020317068"
	assert candidate.address == Address(
		"Einsteinova 24", "", "Bratislava - mestská časť Petržalka", "85101", "SK"
	)


def test_vies_undisclosed_name_and_address_offer_only_the_number():
	candidate = VIES.parse_lookup(answer("vies_DE811569869.json"))
	assert (candidate.tax_id, candidate.name, candidate.address) == ("DE811569869", "", None)
	assert [change.field for change in diff(candidate, Record(name="Old GmbH"))] == ["tax_id"]


@pytest.mark.parametrize(
	("response", "error"),
	[
		(answer("vies_invalid.json"), NotFound),
		(answer("vies_ms_unavailable.json"), Unavailable),
		(answer("vies_invalid_input.json", 400), InvalidQuery),
		(
			Response(500, '{"actionSucceed": false, "errorWrappers": [{"error": "SERVICE_UNAVAILABLE"}]}'),
			Unavailable,
		),
		(Response(200, '{"name": "x"}'), MalformedAnswer),
		(Response(200, "<html></html>"), MalformedAnswer),
	],
)
def test_vies_failures_are_told_apart(response, error):
	with pytest.raises(error):
		VIES.parse_lookup(response)


def test_vies_cannot_search_by_name_and_checks_the_country():
	with pytest.raises(InvalidQuery) as raised:
		VIES.find("Škoda Auto", lambda request: pytest.fail("nothing is sent"))
	assert raised.value.code == "no_search"
	with pytest.raises(InvalidQuery) as raised:
		VIES.normalize_id("US123456789")
	assert raised.value.code == "vat_format"
	assert VIES.normalize_id("el-094014201") == "EL094014201"


def test_diff_lists_what_would_change_and_never_clears():
	candidate = ARES.parse_lookup(answer("ares_00177041.json"))
	record = Record(name="Skoda", tax_id="CZ 001 77 041", legal_form="", address=None)
	assert diff(candidate, record) == [
		Change("name", "Skoda", "Škoda Auto a.s."),
		Change("registration_no", "", "00177041"),
		Change("legal_form", "", "Akciová společnost"),
		Change("address", "", "tř. Václava Klementa 869, Mladá Boleslav II, 293 01 Mladá Boleslav, CZ"),
	]
	same = Record(
		name="Škoda  Auto a.s.",
		tax_id="CZ00177041",
		registration_no="00177041",
		legal_form="Akciová společnost",
		address=Address("TŘ. Václava Klementa 869", "Mladá Boleslav II", "Mladá Boleslav", "29301", "cz"),
	)
	assert diff(candidate, same) == []
	sole_trader = ARES.parse_lookup(answer("ares_12345679.json"))
	assert "tax_id" not in [change.field for change in diff(sole_trader, Record(tax_id="CZ8001011234"))]


def test_an_address_erpnext_could_not_save_is_not_offered():
	candidate = Candidate("x", "1", "Name", address=Address(line1="Somewhere 1", country_code="CZ"))
	assert [change.field for change in diff(candidate, Record(name="Name"))] == []


def test_only_accepted_known_fields_are_applied():
	changes = [Change("name", "a", "b"), Change("address", "", "c")]
	assert accepted_changes(changes, ["address", "tax_id"]) == [Change("address", "", "c")]
	with pytest.raises(InvalidQuery):
		accepted_changes(changes, ["customer_group"])


def test_every_shipped_provider_has_a_key_and_label():
	assert {key: (p.label, p.can_search) for key, p in providers().items()} == {
		"ares": ("ARES", True),
		"vies": ("VIES", False),
	}


def test_search_url_encodes_values_and_skips_what_it_cannot_fill():
	values = {"name": "Škoda Auto a.s.", "tax_id": "CZ00177041", "registration_no": ""}
	assert search_url("https://www.firmy.cz/?q={name}", values) == (
		"https://www.firmy.cz/?q=%C5%A0koda%20Auto%20a.s."
	)
	assert search_url("https://www.google.com/search?q={name}+{tax_id}", values).endswith("+CZ00177041")
	assert search_url("https://ares.gov.cz/ekonomicke-subjekty?ico={registration_no}", values) is None
	assert search_url("javascript:alert({name})", values) is None
	assert search_url("https://example.com/{other}?q={name}", values).startswith(
		"https://example.com/{other}"
	)


@given(st.text())
def test_search_url_values_never_escape_their_query_parameter(name):
	url = search_url("https://example.com/?q={name}", {"name": name})
	assert url is None or ("&" not in url and "#" not in url and " " not in url)


def test_fixtures_are_valid_json():
	for path in FIXTURES.glob("*.json"):
		json.loads(path.read_text(encoding="utf-8"))
