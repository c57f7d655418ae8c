"""What the CRM suite counts as a customer's invoicing.

A customer's spend, revenue and value are read from the posted customer
invoices and credit notes of a company (``move_type`` below), signed in the
company's currency (``amount_untaxed_signed``: credit notes negative).
"""

CUSTOMER_INVOICE = "out_invoice"
CUSTOMER_REFUND = "out_refund"
CUSTOMER_MOVE_TYPES = (CUSTOMER_INVOICE, CUSTOMER_REFUND)


def posted_customer_moves_domain(move_types=CUSTOMER_MOVE_TYPES):
    """Domain of the posted customer invoices (and credit notes)."""
    return [("state", "=", "posted"), ("move_type", "in", list(move_types))]
