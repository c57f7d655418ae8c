from . import test_campaigns
from . import test_offer_suppression
