# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "CRM Suite: cross-module tests",
    "summary": "Tests and tours across the CRM suite add-ons (not for production)",
    "version": "19.0.1.0.0",
    "development_status": "Beta",
    "category": "Hidden/Tests",
    "author": "CRM Suite",
    "maintainers": ["crm-suite"],
    "license": "AGPL-3",
    "depends": [
        "sale_management",
        "account",
        "crm",
        "crm_claim_closing",
        "crm_loyalty",
        "crm_kpi",
        "crm_360",
        # the peer of the 360 billing figures (tests/test_ledger_figures.py)
        "account_financial_report",
    ],
}
