"""Every refusal of the core has one shape (core/refusal.py): a code, its details and a kind,
which the Frappe layer maps to an exception class in one place."""

import pytest

from crm_lifecycle.core import (
	accounts,
	conversion,
	deactivation,
	governance,
	locking,
	portal,
	refusal,
	registry,
)


@pytest.mark.parametrize(
	"error, kind",
	[
		(deactivation.DeactivationRefused(deactivation.Refusal.NOT_A_PARTY, "Item"), refusal.INVALID),
		(
			deactivation.DeactivationRefused(deactivation.Refusal.ALREADY_INACTIVE, "Customer", "C1"),
			refusal.INVALID,
		),
		(governance.GovernanceRefused(governance.Refusal.MERGE_INTO_ITSELF, "C1"), refusal.INVALID),
		(locking.LockRefused(locking.Refusal.HELD_BY_OTHER), refusal.CONFLICT),
		(locking.LockRefused(locking.Refusal.NOT_YOURS), refusal.FORBIDDEN),
		(locking.LockRefused(locking.Refusal.EXPIRY_IN_PAST), refusal.INVALID),
		(
			conversion.Refused(conversion.Problem("already_converted", ("L1", "Customer", "C1"))),
			refusal.CONFLICT,
		),
		(conversion.Refused(conversion.Problem("missing_company", ("Quotation",))), refusal.MISSING),
		(conversion.Refused(conversion.Problem("nothing_to_do")), refusal.INVALID),
		(portal.InvalidAccess("unknown_section", "Nope"), refusal.INVALID),
		(registry.InvalidQuery("ico_checksum", "12345678"), refusal.INVALID),
		(registry.NotFound("not_found", "12345678"), refusal.NOT_FOUND),
		(registry.Unavailable("timeout"), refusal.UNAVAILABLE),
		(registry.MalformedAnswer("not_json"), refusal.UNAVAILABLE),
		(accounts.Refused(accounts.Refusal.NOT_PERMITTED), refusal.FORBIDDEN),
	],
)
def test_each_refusal_is_one_shape_with_a_kind(error, kind):
	assert isinstance(error, refusal.Refused)
	assert error.kind == kind and error.code


def test_details_travel_with_the_code():
	error = deactivation.DeactivationRefused(deactivation.Refusal.ALREADY_ACTIVE, "Customer", "C1")
	assert (error.refusal, error.details) == (deactivation.Refusal.ALREADY_ACTIVE, ("Customer", "C1"))
	assert str(conversion.Refused(conversion.Problem("closed", ("Opportunity", "O1", "Lost")))) == str(
		("closed", "Opportunity", "O1", "Lost")
	)


def test_an_unknown_kind_is_refused():
	with pytest.raises(ValueError):
		refusal.Refused("x", kind="teapot")
