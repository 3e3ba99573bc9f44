// Customer and Lead forms: "Fill from Registry" (ARES, VIES) and web search shortcuts from
// CRM Lifecycle Settings. UX only: the server checks permissions and asks the registry itself.
frappe.provide("crm_lifecycle.registry");

crm_lifecycle.registry.API = crm_lifecycle.API.registry;

crm_lifecycle.registry.refresh = function (frm) {
	if (frm.is_new()) return;
	frappe.call({
		method: `${crm_lifecycle.registry.API}.shortcuts`,
		type: "GET",
		args: { doctype: frm.doctype, name: frm.docname },
		callback: (r) => {
			const { providers = [], web_searches = [] } = r.message || {};
			if (providers.length) {
				frm.page.add_menu_item(__("Fill from Registry"), () =>
					crm_lifecycle.registry.dialog(frm, providers)
				);
			}
			for (const link of web_searches) {
				frm.page.add_menu_item(__("Search on {0}", [crm_lifecycle.esc(link.label)]), () =>
					window.open(link.url, "_blank", "noopener")
				);
			}
		},
	});
};

crm_lifecycle.registry.default_query = function (frm, provider) {
	if (provider === "vies") return frm.doc.tax_id || frm.doc.crm_tax_id || "";
	const name = frm.doctype === "Lead" ? frm.doc.company_name : frm.doc.customer_name;
	return frm.doc.crm_registration_no || name || "";
};

crm_lifecycle.registry.dialog = function (frm, providers) {
	if (frm.is_dirty()) return frappe.msgprint(__("Save your changes first."));
	const esc = crm_lifecycle.esc;
	let chosen = null;

	const dialog = new frappe.ui.Dialog({
		title: __("Fill from Registry"),
		size: "large",
		fields: [
			{
				fieldname: "provider",
				fieldtype: "Select",
				label: __("Registry"),
				options: providers.map((p) => ({ value: p.key, label: p.label })),
				default: providers[0].key,
				change: () => {
					const provider = dialog.get_value("provider");
					dialog.set_value("query", crm_lifecycle.registry.default_query(frm, provider));
				},
			},
			{ fieldtype: "Column Break" },
			{
				fieldname: "query",
				fieldtype: "Data",
				label: __("Registration No, VAT No or Name"),
				default: crm_lifecycle.registry.default_query(frm, providers[0].key),
			},
			{ fieldtype: "Section Break" },
			{ fieldname: "look_up", fieldtype: "Button", label: __("Look Up"), click: () => look_up() },
			{ fieldname: "candidates", fieldtype: "HTML" },
			{ fieldname: "changes", fieldtype: "HTML" },
		],
		primary_action_label: __("Apply Selected"),
		primary_action() {
			if (!chosen) return frappe.msgprint(__("Choose a record from the registry first."));
			const fields = dialog.fields_dict.changes.$wrapper
				.find("input[data-field]:checked")
				.map((i, el) => $(el).attr("data-field"))
				.get();
			if (!fields.length) return frappe.msgprint(__("Tick at least one field to fill."));
			frappe.call({
				method: `${crm_lifecycle.registry.API}.apply`,
				args: {
					doctype: frm.doctype,
					name: frm.docname,
					provider: chosen.provider,
					registry_id: chosen.registry_id,
					fields: fields,
				},
				freeze: true,
				freeze_message: __("Asking the registry..."),
				callback: (r) => {
					dialog.hide();
					frappe.show_alert({
						message: __("{0} fields filled from the registry", [r.message.changed.length]),
						indicator: "green",
					});
					frm.reload_doc();
				},
			});
		},
	});

	const look_up = () => {
		const query = (dialog.get_value("query") || "").trim();
		if (!query) return;
		frappe.call({
			method: `${crm_lifecycle.registry.API}.lookup`,
			args: {
				provider: dialog.get_value("provider"),
				query: query,
				doctype: frm.doctype,
				name: frm.docname,
			},
			freeze: true,
			freeze_message: __("Asking the registry..."),
			callback: (r) => show_candidates(r.message.candidates),
		});
	};

	const show_candidates = (candidates) => {
		chosen = null;
		dialog.fields_dict.changes.$wrapper.empty();
		const $wrapper = dialog.fields_dict.candidates.$wrapper.empty();
		if (!candidates.length) {
			$wrapper.html(`<p class="text-muted">${__("The registry found nothing.")}</p>`);
			return;
		}
		const $list = $(`<div class="list-group" style="margin-bottom: 15px"></div>`).appendTo($wrapper);
		for (const candidate of candidates) {
			const facts = [
				candidate.registration_no && `${__("Registration No")}: ${candidate.registration_no}`,
				candidate.tax_id && `${__("Tax ID")}: ${candidate.tax_id}`,
				candidate.legal_form,
			].filter(Boolean);
			$(`<button type="button" class="list-group-item list-group-item-action text-left">
					<div><b>${esc(candidate.name || candidate.registry_id)}</b></div>
					<div class="small text-muted">${facts.map(esc).join(" · ")}</div>
					<div class="small text-muted">${esc(candidate.address_text)}</div>
				</button>`)
				.on("click", function () {
					$list.children().removeClass("active");
					$(this).addClass("active");
					show_changes(candidate);
				})
				.appendTo($list);
		}
		if (candidates.length === 1) $list.children().first().trigger("click");
	};

	const show_changes = (candidate) => {
		chosen = candidate;
		const $wrapper = dialog.fields_dict.changes.$wrapper.empty();
		if (!candidate.changes.length) {
			$wrapper.html(`<p>${__("This record already matches the registry.")}</p>`);
			return;
		}
		const rows = candidate.changes
			.map(
				(change) => `<tr>
					<td><input type="checkbox" checked data-field="${esc(change.field)}"></td>
					<td>${esc(change.label)}</td>
					<td>${esc(change.current) || `<span class="text-muted">${__("empty")}</span>`}</td>
					<td><b>${esc(change.new)}</b></td>
				</tr>`
			)
			.join("");
		$wrapper.html(`<table class="table table-bordered">
			<thead><tr><th></th><th>${__("Field")}</th><th>${__("Now")}</th><th>${__("From the registry")}</th></tr></thead>
			<tbody>${rows}</tbody></table>`);
	};

	dialog.show();
};

// this file is part of the form script of each doctype; register once for all of them
crm_lifecycle.once("registry_form", () => {
	for (const doctype of ["Customer", "Lead"]) {
		frappe.ui.form.on(doctype, { refresh: (frm) => crm_lifecycle.registry.refresh(frm) });
	}
});
