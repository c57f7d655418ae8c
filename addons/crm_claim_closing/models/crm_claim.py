from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmClaim(models.Model):
    _inherit = "crm.claim"

    is_closed = fields.Boolean(
        string="Closed",
        related="stage_id.is_closed",
        store=True,
        index=True,
    )
    # OCA declares the column; this module is what keeps it filled.
    date_closed = fields.Datetime(
        string="Closing Date",
        readonly=True,
        copy=False,
        help="When the claim entered a closing stage; empty while it is open.",
    )

    @api.constrains("date", "date_closed")
    def _check_date_closed(self):
        for claim in self:
            if claim.date and claim.date_closed and claim.date_closed < claim.date:
                raise ValidationError(
                    self.env._(
                        "Claim %(claim)s would be closed on %(closed)s, before the "
                        "claim date %(date)s: correct one of the two dates.",
                        claim=claim.name,
                        closed=claim.date_closed,
                        date=claim.date,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        stages = self.env["crm.claim.stage"].browse(
            {vals["stage_id"] for vals in vals_list if vals.get("stage_id")}
        )
        closed_ids = set(stages.filtered("is_closed").ids)
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("stage_id") in closed_ids and not vals.get("date_closed"):
                vals["date_closed"] = now
        claims = super().create(vals_list)
        # a claim created without stage gets the default one, maybe a closed one
        claims.filtered(lambda c: c.is_closed and not c.date_closed).write(
            {"date_closed": now}
        )
        return claims

    def write(self, vals):
        if "stage_id" not in vals:
            return super().write(vals)
        stage = self.env["crm.claim.stage"].browse(vals["stage_id"])
        if not stage.is_closed:
            return super().write(dict(vals, date_closed=False))
        reopened = self.filtered(lambda c: not c.is_closed)
        result = super().write(vals)
        if reopened and "date_closed" not in vals:
            super(CrmClaim, reopened).write({"date_closed": fields.Datetime.now()})
        return result
