from . import crm_claim_stage
from . import crm_claim
