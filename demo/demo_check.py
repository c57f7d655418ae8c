"""The check that the fast generator's rows are valid for the ORM (run by
``bench.py build`` after the load, and by the test ``test_demo_fast``)."""

from datetime import date

from odoo.fields import Command
from odoo.tools import SQL

from demo_names import REF_PREFIX


def check(env, sample=20):
    """Check that the written rows are valid for the ORM; return findings
    (an empty list when all is well).

    Every generated move is balanced and its stored totals equal its
    receivable line (one query); a sample of moves opens in the ORM with
    totals that the ORM's own computation confirms; a new invoice for a
    generated customer posts in each company with the next number.
    """
    problems = check_balances(env.cr)
    moves = env["account.move"].search(
        [("commercial_partner_id.ref", "=like", REF_PREFIX + "%")],
        limit=sample,
        order="id desc",
    )
    problems += check_orm_totals(moves)
    problems += check_next_numbers(moves)
    return problems


def check_balances(cr):
    """Every generated move balanced, its total that of its receivable line."""
    cr.execute(
        SQL(
            """
            SELECT count(*) FILTER (WHERE l.total <> 0),
                   count(*) FILTER (WHERE l.receivable <> m.amount_total_signed),
                   count(*)
              FROM account_move m
              JOIN (SELECT move_id, SUM(balance) AS total,
                           SUM(balance) FILTER (WHERE display_type = 'payment_term')
                               AS receivable
                      FROM account_move_line GROUP BY move_id) l ON l.move_id = m.id
              JOIN res_partner p ON p.id = m.commercial_partner_id
             WHERE p.ref LIKE %s
            """,
            REF_PREFIX + "%",
        )
    )
    unbalanced, wrong_total, total = cr.fetchone()
    if unbalanced or wrong_total or not total:
        return [
            (
                f"{unbalanced} unbalanced moves, {wrong_total} with a wrong total "
                f"out of {total}"
            )
        ]
    return []


def check_orm_totals(moves):
    """The stored name and totals of ``moves`` are those the ORM computes."""
    problems = []
    env = moves.env
    stored = {m.id: (m.name, m.amount_total, m.amount_residual) for m in moves}
    env.invalidate_all()
    moves._compute_amount()
    for move in moves:
        if (move.name, move.amount_total, move.amount_residual) != stored[move.id]:
            problems.append(f"{move.name}: stored totals differ from the ORM's")
        if move.currency_id.compare_amounts(sum(move.line_ids.mapped("balance")), 0):
            problems.append(f"{move.name} is not balanced")
    env.invalidate_all()
    return problems


def check_next_numbers(moves):
    """In each company of ``moves``, a new invoice posts with the next number
    of the journal's sequence."""
    problems = []
    Move = moves.env["account.move"]
    for company in moves.company_id:
        last = Move.search(
            [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("sequence_prefix", "like", f"INV/{date.today().year}/"),
            ],
            order="sequence_number desc",
            limit=1,
        )
        customer = moves.filtered(lambda m, c=company: m.company_id == c)[:1]
        invoice = Move.with_company(company).create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.commercial_partner_id.id,
                "invoice_line_ids": [
                    Command.create({"name": "Check", "price_unit": 10.0})
                ],
            }
        )
        invoice.action_post()
        expected = (last.sequence_number or 0) + 1
        if invoice.state != "posted" or invoice.sequence_number != expected:
            problems.append(
                f"new invoice {invoice.name} of {company.name}: expected number "
                f"{expected}"
            )
    return problems
