# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Claims: closing stages",
    "summary": "Closed flag on claim stages and the date a claim was closed",
    "version": "19.0.1.0.0",
    "development_status": "Beta",
    "category": "Customer Relationship Management",
    "author": "CRM Suite",
    "maintainers": ["crm-suite"],
    "license": "AGPL-3",
    "depends": ["crm_claim"],
    "data": [
        "data/crm_claim_stage_data.xml",
        "views/crm_claim_stage_views.xml",
        "views/crm_claim_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_claim_closing/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
}
