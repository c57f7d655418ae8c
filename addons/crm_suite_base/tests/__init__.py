from . import test_definitions
