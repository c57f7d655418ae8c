from . import crm_customer_360_screen
from . import crm_customer_360
