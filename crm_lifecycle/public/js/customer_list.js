crm_lifecycle.party.extend_list("Customer");
