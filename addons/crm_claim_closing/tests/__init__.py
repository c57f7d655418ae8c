from . import test_claim_closing
from . import test_ui
