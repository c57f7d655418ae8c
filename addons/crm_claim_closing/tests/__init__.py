from . import test_claim_closing
