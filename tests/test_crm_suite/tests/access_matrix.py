"""The access matrix: every (role, target, operation) the suite tries.

The test records each try with what was expected and what happened; at the
end of the run the rows are written as JSON under the data directory
(``.odoo-data/security_matrix.json``), never into the repository.
``scripts/security_report.py`` turns that file into ``docs/security.md``.
"""

import json
import os

from odoo import fields, release
from odoo.tools import config

REPORT_NAME = "security_matrix.json"
# outcome labels shared by the test and the report
DENIED = "denied"  # AccessError, login required, or the page refused
REFUSED = "refused"  # a UserError: the operation is never allowed
DENIED_ERRORS = (
    "odoo.exceptions.AccessError",
    "odoo.exceptions.AccessDenied",
    "odoo.http.SessionExpiredException",
)
REFUSED_ERRORS = ("odoo.exceptions.UserError", "odoo.exceptions.ValidationError")

# the roles, in the order of the report's columns, with what each one is
ROLES = {
    "public": "Not logged in",
    "portal": "Portal customer (Acme's contact)",
    "sales_own": "Salesperson: own documents only",
    "sales_all": "Salesperson: all documents",
    "billing": "Invoicing (billing user)",
    "accountant": "Accountant (full accounting features)",
    "billing_360": "Customer 360: billing figures (group alone)",
    "loyalty_manager": "Loyalty Tiers: Manager (with Contact Creation)",
    "kpi_user": "Customer-Value KPIs: User",
    "kpi_manager": "Customer-Value KPIs: Manager",
    "admin": "Administrator, company A selected",
    "admin_ab": "Administrator, companies A and B selected",
}


def report_path():
    return os.path.join(os.path.abspath(config["data_dir"]), REPORT_NAME)


class MatrixRecorder:
    """Collects the tried cells of a test class and writes them out."""

    def __init__(self):
        self.rows = []

    def add(self, role, target, operation, expected, outcome):
        self.rows.append(
            {
                "role": role,
                "target": target,
                "operation": operation,
                "expected": expected,
                "outcome": outcome,
            }
        )

    def mismatches(self):
        return [row for row in self.rows if row["expected"] != row["outcome"]]

    def save(self, path=None):
        """Write this run's rows (the whole file is replaced)."""
        path = path or report_path()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = {
            "odoo_version": release.version,
            "date": fields.Date.to_string(fields.Date.today()),
            "roles": [[role, label] for role, label in ROLES.items()],
            "rows": sorted(
                self.rows,
                key=lambda r: (r["target"], r["operation"], r["role"], r["expected"]),
            ),
        }
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        return path
