frappe.provide("frappe.dashboards.chart_sources");

// data: crm_lifecycle.api.charts.conversion_funnel (computed for the user looking at it)
frappe.dashboards.chart_sources["Conversion Funnel"] = {
	method: "crm_lifecycle.api.charts.conversion_funnel",
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -3),
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
		},
	],
};
