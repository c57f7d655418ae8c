# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Loyalty Tiers: benefits in Odoo's loyalty programs",
    "summary": "Promotions and coupons for a tier and above, and loyalty card "
    "points multiplied by the customer's tier",
    "version": "19.0.1.0.0",
    "development_status": "Beta",
    "category": "Sales/CRM",
    "author": "CRM Suite",
    "maintainers": ["crm-suite"],
    "license": "LGPL-3",
    "depends": ["crm_loyalty", "sale_loyalty"],
    "data": [
        "views/crm_loyalty_tier_views.xml",
        "views/loyalty_program_views.xml",
        "views/sale_order_views.xml",
        "views/portal_templates.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_loyalty_sale_loyalty/static/tests/tours/*.js",
        ],
    },
    "auto_install": True,
}
