from . import res_partner
from . import crm_customer_360
