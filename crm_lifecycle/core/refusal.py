"""Every refusal of the core in one shape: `Refused(code, *details, kind=...)`.

`code` names the rule that said no (each capability's services translate it into a message),
`details` fill that message, and `kind` says what the refusal means for the caller. The Frappe
layer maps a kind to an exception class, and so to an HTTP status, in one place
(services/refusals.py).
"""

INVALID = "invalid"  # the request cannot be carried out as asked (417)
MISSING = "missing"  # something the record needs is not set up (417)
CONFLICT = "conflict"  # the state of the records says no: done already, held by somebody (409)
FORBIDDEN = "forbidden"  # somebody else's to decide (403)
NOT_FOUND = "not_found"  # nothing by that name (404)
UNAVAILABLE = "unavailable"  # an outside service did not answer usably (417)
KINDS = (INVALID, MISSING, CONFLICT, FORBIDDEN, NOT_FOUND, UNAVAILABLE)


class Refused(Exception):
	kind = INVALID

	def __init__(self, code, *details, kind: str | None = None):
		super().__init__(str(getattr(code, "value", code)), *details)
		self.code = code
		self.details = details
		if kind:
			if kind not in KINDS:
				raise ValueError(f"not a kind of refusal: {kind!r}")
			self.kind = kind
