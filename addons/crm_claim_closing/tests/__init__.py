from . import test_claim_closing
from . import test_ui
from . import test_bad_input
