from . import test_loyalty_on_360
