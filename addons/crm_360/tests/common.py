from odoo import Command


def post_invoice(env, partner, day, amount, **options):
    """A posted customer invoice (``move_type`` option: or credit note) of
    ``partner`` dated ``day``, one untaxed line of ``amount``; options
    ``company`` (default: the environment's), ``currency``, ``terms`` (a
    payment term) and ``due`` (a due date set before posting)."""
    company = options.get("company") or env.company
    currency = options.get("currency") or company.currency_id
    values = {
        "move_type": options.get("move_type", "out_invoice"),
        "partner_id": partner.id,
        "invoice_date": day,
        "date": day,
        "currency_id": currency.id,
        "invoice_line_ids": [
            Command.create(
                {"name": "Work", "price_unit": amount, "tax_ids": [Command.clear()]}
            )
        ],
    }
    if options.get("terms"):
        values["invoice_payment_term_id"] = options["terms"].id
    move = env["account.move"].with_company(company).create(values)
    if options.get("due"):
        move.invoice_date_due = options["due"]
    move.action_post()
    return move


def register_payment(env, invoices, day, amount=None):
    """Pay ``invoices`` on ``day`` (in full, or ``amount``) through the
    register-payment wizard, as a user does; returns the payments."""
    wizard = env["account.payment.register"].with_context(
        active_model="account.move", active_ids=invoices.ids
    )
    values = {"payment_date": day}
    if amount:
        values["amount"] = amount
    return wizard.create(values)._create_payments()
