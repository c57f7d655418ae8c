from . import res_company
from . import res_config_settings
from . import crm_loyalty_tier
from . import crm_loyalty_tier_history
from . import crm_loyalty_engine
from . import res_partner
from . import account_move
from . import sale_order
