from . import crm_customer_360_screen
from . import crm_customer_360
from . import crm_customer_360_screen_household
