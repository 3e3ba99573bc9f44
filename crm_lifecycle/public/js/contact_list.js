crm_lifecycle.party.extend_list("Contact");
