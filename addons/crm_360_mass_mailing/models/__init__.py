from . import crm_customer_360_screen
from . import crm_customer_360_screen_campaigns
from . import mailing_mailing
from . import mailing_trace
from . import res_config_settings
