from . import crm_partner_relation
from . import res_partner
from . import account_move
from . import account_payment
from . import crm_claim
from . import sale_order
from . import crm_customer_360
from . import base_partner_merge_automatic_wizard
