frappe.provide("frappe.dashboards.chart_sources");

// data: crm_lifecycle.api.charts.held_invoices (computed for the user looking at it)
frappe.dashboards.chart_sources["Held Invoices by Age"] = {
	method: "crm_lifecycle.api.charts.held_invoices",
	filters: [
		{
			fieldname: "to_date",
			label: __("Ages on"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
		},
	],
};
