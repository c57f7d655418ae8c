from . import test_campaigns
from . import test_offer_suppression
from . import test_ui
