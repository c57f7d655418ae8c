import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_loyalty_sale_loyalty_points_tour", {
    steps: () => [
        {
            content: "A quotation of a Gold customer",
            trigger: ".o_field_widget[name='partner_id'] input:value(Acme Retail)",
        },
        {
            content: "Update the loyalty programs of the quotation",
            trigger: "button[name='action_open_reward_wizard']:enabled",
            run: "click",
        },
        {
            content: "300.00 spent earns 600 points: double for the Gold tier",
            trigger: "button[name='action_view_crm_loyalty_cards']:contains('600.00')",
        },
        {
            trigger:
                "button[name='action_view_crm_loyalty_cards'] .o_crm_loyalty_points_multiplier:contains('2.00')",
        },
    ],
});
