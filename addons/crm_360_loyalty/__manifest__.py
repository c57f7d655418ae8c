# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Customer 360: loyalty tiers",
    "summary": "Loyalty tier and progress on the customer 360 screen and list",
    "version": "19.0.1.0.0",
    "development_status": "Beta",
    "category": "Sales/CRM",
    "author": "CRM Suite",
    "maintainers": ["crm-suite"],
    "license": "AGPL-3",
    "depends": ["crm_360", "crm_loyalty"],
    "data": ["views/crm_customer_360_views.xml"],
    "assets": {
        "web.assets_backend": [
            "crm_360_loyalty/static/src/components/**/*",
        ],
    },
    "auto_install": True,
}
