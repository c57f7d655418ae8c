from . import crm_loyalty_whatif
from . import crm_loyalty_whatif_line
