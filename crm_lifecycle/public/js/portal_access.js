// Portal rights as one grid of checkboxes (Perfex): on the Contact, each section x "sees in
// portal" / "gets e-mails", with the effective value and where it comes from; on the Customer,
// the same switches for all of its contacts. A click stores the contact's own setting; "reset"
// hands the section back to the Customer Group's template and the default. UX only: the server
// checks write permission on the contact, its lock, and the switches each section has.
frappe.provide("crm_lifecycle.portal_rights");

(function (pr) {
	const esc = crm_lifecycle.esc;
	const API = crm_lifecycle.API.portal;
	const SOURCES = {
		contact: __("this contact"),
		"customer group": __("Customer Group template"),
		default: __("default"),
	};

	pr.set = function (contact, section, switches, done) {
		frappe.call({
			method: `${API}.set_access`,
			args: { contact, access: JSON.stringify({ [section]: switches }) },
			callback: (r) => done(r.message),
			error: () => done(null),
		});
	};

	// one checkbox: checked = effective value; disabled when the section has no such switch
	pr.box = function (contact, section, kind, grant, capable, can_write) {
		const own = grant[`${kind}_source`] === "contact";
		const title = capable
			? __("From: {0}", [SOURCES[grant[`${kind}_source`]] || grant[`${kind}_source`]])
			: __("This section has no such switch");
		const outline = own ? `style="outline: 2px solid var(--primary); outline-offset: 1px"` : "";
		return `<input type="checkbox" class="crm-portal-switch${own ? " crm-own" : ""}" ${outline}
			data-contact="${esc(contact)}" data-section="${esc(section)}" data-kind="${kind}"
			title="${esc(title)}" ${grant[kind] ? "checked" : ""}
			${capable && can_write ? "" : "disabled"}>`;
	};

	pr.bind = function ($wrapper, redraw) {
		$wrapper.find(".crm-portal-switch").on("change", function () {
			const $box = $(this);
			const switches = { [$box.attr("data-kind")]: $box.prop("checked") ? 1 : 0 };
			$wrapper.find("input").prop("disabled", true);
			pr.set($box.attr("data-contact"), $box.attr("data-section"), switches, redraw);
		});
		$wrapper.find(".crm-portal-reset").on("click", function () {
			const $link = $(this);
			pr.set(
				$link.attr("data-contact"),
				$link.attr("data-section"),
				{ view: null, email: null },
				redraw
			);
		});
	};

	// Contact: rows are the sections
	pr.contact_grid = function (frm) {
		const field = frm.get_field("crm_portal_effective");
		if (!field || frm.is_new()) return;
		const linked = (frm.doc.links || []).some((link) => link.link_doctype === "Customer");
		if (!linked) {
			field.$wrapper.html(
				`<p class="text-muted">${__(
					"Link this contact to a Customer to manage its portal access."
				)}</p>`
			);
			return;
		}
		const can_write = frm.perm[0] && frm.perm[0].write;
		const draw = (access) => {
			if (!access) return pr.contact_grid(frm);
			const rows = Object.entries(access)
				.map(([section, grant]) => {
					const own = grant.view_source === "contact" || grant.email_source === "contact";
					return `<tr data-section="${esc(section)}">
						<td>${esc(__(section))}</td>
						<td class="text-center">${pr.box(
							frm.docname,
							section,
							"view",
							grant,
							grant.has_view,
							can_write
						)}</td>
						<td class="text-center">${pr.box(
							frm.docname,
							section,
							"email",
							grant,
							grant.has_email,
							can_write
						)}</td>
						<td class="text-muted small">${esc(SOURCES[grant.source] || grant.source)}</td>
						<td>${
							own && can_write
								? `<a class="crm-portal-reset small" data-contact="${esc(
										frm.docname
								  )}" data-section="${esc(section)}">${__("Reset")}</a>`
								: ""
						}</td>
					</tr>`;
				})
				.join("");
			field.$wrapper.html(`<table class="table table-sm crm-portal-effective crm-portal-grid">
				<thead><tr><th>${__("Section")}</th><th class="text-center">${__("Sees in Portal")}</th>
				<th class="text-center">${__("Gets E-mails")}</th><th>${__("From")}</th><th></th></tr></thead>
				<tbody>${rows}</tbody></table>`);
			pr.bind(field.$wrapper, (after) => {
				if (after) frm.reload_doc();
				else pr.contact_grid(frm);
			});
		};
		frappe.call({
			method: `${API}.get_access`,
			args: { contact: frm.docname },
			callback: (r) => draw(r.message),
		});
	};

	// Customer: rows are the contacts, each section a pair of switches
	// its place: after ERPNext's Portal Users table, made once per form (no field of ours)
	pr.customer_place = function (frm) {
		const anchor = frm.fields_dict.portal_users;
		if (!anchor) return null;
		let $place = anchor.$wrapper.next(".crm-customer-portal-rights");
		if (!$place.length) {
			$place = $(`<div class="crm-customer-portal-rights">
				<div class="form-section-heading uppercase">${__("Portal Rights of Contacts")}</div>
				<div class="crm-portal-rights-body"></div></div>`).insertAfter(anchor.$wrapper);
		}
		$place.toggle(!frm.is_new());
		return $place.find(".crm-portal-rights-body");
	};

	pr.customer_grid = function (frm) {
		const $body = pr.customer_place(frm);
		if (!$body || frm.is_new()) return;
		frappe.call({
			method: `${API}.customer_access`,
			type: "GET",
			args: { customer: frm.docname },
			callback: (r) => {
				const { sections, contacts, hidden } = r.message;
				if (!contacts.length) {
					$body.html(
						`<p class="text-muted">${__("This customer has no contacts you can see.")}</p>`
					);
					return;
				}
				const head = sections
					.map((s) => `<th class="text-center small" colspan="2">${esc(__(s.section))}</th>`)
					.join("");
				const sub = sections
					.map(
						() =>
							`<th class="text-center small" title="${esc(__("Sees in Portal"))}">${__(
								"Portal"
							)}</th><th class="text-center small" title="${esc(
								__("Gets E-mails")
							)}">${__("E-mail")}</th>`
					)
					.join("");
				const rows = contacts
					.map((c) => {
						const cells = sections
							.map((s) => {
								const grant = c.access[s.section];
								return `<td class="text-center">${pr.box(
									c.contact,
									s.section,
									"view",
									grant,
									grant.has_view,
									c.can_write
								)}</td><td class="text-center">${pr.box(
									c.contact,
									s.section,
									"email",
									grant,
									grant.has_email,
									c.can_write
								)}</td>`;
							})
							.join("");
						return `<tr data-contact="${esc(c.contact)}"><td><a href="${frappe.utils.get_form_link(
							"Contact",
							c.contact
						)}">${esc(c.title)}</a></td>${cells}</tr>`;
					})
					.join("");
				const more = hidden
					? `<p class="text-muted small">${__("{0} more contacts you cannot see", [
							hidden,
					  ])}</p>`
					: "";
				$body.html(`<div class="table-responsive"><table
					class="table table-sm table-bordered crm-portal-grid crm-customer-portal-grid">
					<thead><tr><th rowspan="2">${__("Contact")}</th>${head}</tr><tr>${sub}</tr></thead>
					<tbody>${rows}</tbody></table></div>${more}
					<p class="text-muted small">${__(
						"Outlined boxes are set on the contact; the others follow the Customer Group's template or the default."
					)}</p>`);
				pr.bind($body, () => pr.customer_grid(frm));
			},
		});
	};

	crm_lifecycle.once("portal_rights_forms", () => {
		frappe.ui.form.on("Contact", { refresh: (frm) => pr.contact_grid(frm) });
		frappe.ui.form.on("Customer", { refresh: (frm) => pr.customer_grid(frm) });
	});
})(crm_lifecycle.portal_rights);
