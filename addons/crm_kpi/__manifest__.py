# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "CRM Customer-Value KPIs",
    "summary": "Monthly customer-value KPIs compared before and after the CRM go-live",
    "version": "19.0.1.3.0",
    "development_status": "Beta",
    "category": "Sales/CRM",
    "author": "CRM Suite",
    "maintainers": ["crm-suite"],
    "license": "AGPL-3",
    "depends": ["crm_suite_base", "sale", "crm", "crm_claim_closing"],
    "external_dependencies": {"python": ["numpy", "scipy", "statsmodels"]},
    "data": [
        "security/crm_kpi_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/crm_kpi_snapshot_views.xml",
        "views/crm_kpi_detail_line_views.xml",
        "wizards/crm_kpi_comparison_views.xml",
        "wizards/crm_kpi_recompute_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_kpi/static/src/**/*",
        ],
        "web.assets_tests": [
            "crm_kpi/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
}
