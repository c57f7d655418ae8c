import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_loyalty_portal_tour", {
    steps: () => [
        {
            content: "Open the loyalty tier from the customer's portal",
            trigger: "a[href='/my/loyalty']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The customer's tier",
            trigger: ".o_portal_loyalty_tier:contains('Gold')",
        },
        {
            content: "What to spend, and by when, to keep it",
            trigger: ".o_portal_loyalty_keep:contains('4,000.00 by')",
        },
        {
            content: "The invoices that leave the counted period before the review",
            trigger:
                ".o_portal_loyalty_moves .badge:contains('Leaves before the review')",
        },
    ],
});
