"""What the desk scripts need to know at boot: which doctypes the app governs on this site.

The lockable doctypes are a setting (CRM Lifecycle Settings > Record Locks): every doctype an
administrator adds gets the same form and list extras as the installed ones, with no code change.
"""

import frappe

from crm_lifecycle.core import governance as governance_rules
from crm_lifecycle.services import locking


def boot_session(bootinfo) -> None:
	if frappe.session.user == "Guest":
		return
	bootinfo.crm_lifecycle = {
		"lockable": sorted(locking.lockable_doctypes()),
		"invalidatable": list(governance_rules.INVALIDATABLE_DOCTYPES),
		"mergeable": list(governance_rules.MERGEABLE_DOCTYPES),
	}
