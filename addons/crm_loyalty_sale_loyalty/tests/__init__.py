from . import test_tier_benefits
from . import test_ui
from . import test_portal
