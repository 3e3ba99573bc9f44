// Record governance in list views: a lock icon on locked rows, and "Show Invalid" where
// records can be invalidated. UX only: the server hides invalid records and enforces locks.
//
// Loaded once for the whole desk (app_include_js), for the doctypes the boot info names. It
// extends (never replaces) each doctype's listview_settings, also when the doctype's own list
// script, loaded later, assigns new settings.
frappe.provide("crm_lifecycle.governance_list");

crm_lifecycle.once("governance_list", () => {
	const gl = crm_lifecycle.governance_list;
	const boot = frappe.boot.crm_lifecycle || {};
	const INVALIDATABLE = boot.invalidatable || [];
	const GOVERNED = [...new Set([...(boot.lockable || []), ...INVALIDATABLE])];

	GOVERNED.forEach((doctype) =>
		crm_lifecycle.extend_list(doctype, "governance", (settings) => {
			if (INVALIDATABLE.includes(doctype)) {
				settings.add_fields = [...new Set([...(settings.add_fields || []), "crm_invalid"])];
				crm_lifecycle.after(settings, "onload", (listview) => gl.add_invalid_toggle(listview));
			}
			crm_lifecycle.after(settings, "refresh", (listview) => {
				gl.mark_locked(listview);
				gl.mark_invalid(listview);
				gl.label_invalid_toggle(listview);
			});
		})
	);

	gl.showing_invalid = (listview) => listview.filter_area.get().some((f) => f[1] === "crm_invalid");

	gl.add_invalid_toggle = function (listview) {
		// The server leaves invalid records out unless the request filters on crm_invalid: a filter
		// that lets 0 and 1 through (">= 0": a Check filter turns an "in" list into one value)
		// shows valid and invalid records together (the Customer list's "Invalid" view: 1 alone).
		listview.__crm_invalid_toggle = listview.page.add_inner_button(__("Show Also Invalid"), () =>
			gl.showing_invalid(listview)
				? listview.filter_area.remove("crm_invalid")
				: listview.filter_area.add([[listview.doctype, "crm_invalid", ">=", 0]])
		);
	};

	gl.label_invalid_toggle = function (listview) {
		// after every refresh: the filters may come from the route or the user's saved settings
		const button = listview.__crm_invalid_toggle;
		if (button) button.text(gl.showing_invalid(listview) ? __("Hide Invalid") : __("Show Also Invalid"));
	};

	gl.mark_invalid = function (listview) {
		(listview.data || [])
			.filter((row) => row.crm_invalid)
			.forEach((row) => {
				const subject = listview.$result
					.find(`.list-row-checkbox[data-name="${CSS.escape(row.name)}"]`)
					.closest(".list-row")
					.find(".list-subject")
					.first();
				if (subject.find(".crm-invalid-indicator").length) return;
				$(`<span class="indicator-pill red crm-invalid-indicator" style="margin-left: var(--margin-xs)"></span>`)
					.text(__("Invalid"))
					.appendTo(subject);
			});
	};

	gl.mark_locked = function (listview) {
		const names = (listview.data || []).map((row) => row.name);
		if (!names.length) return;
		frappe
			.call({
				method: `${crm_lifecycle.API.locking}.locked_names`,
				args: { doctype: listview.doctype, names: JSON.stringify(names) },
				type: "GET",
			})
			.then((r) => {
				Object.entries(r.message || {}).forEach(([name, holder]) => {
					const row = listview.$result
						.find(`.list-row-checkbox[data-name="${CSS.escape(name)}"]`)
						.closest(".list-row");
					if (row.find(".crm-lock-indicator").length) return;
					$(`<span class="crm-lock-indicator" style="margin-left: var(--margin-xs)"></span>`)
						.attr("title", __("Locked by {0}", [frappe.user.full_name(holder)]))
						.html(frappe.utils.icon("lock", "sm"))
						.appendTo(row.find(".list-subject").first());
				});
			});
	};
});
