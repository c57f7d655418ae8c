from . import crm_loyalty_tier
from . import loyalty_program
from . import sale_order
