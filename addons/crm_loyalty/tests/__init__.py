from . import test_rules
from . import test_security
from . import test_whatif
from . import test_ui
from . import test_bad_input
from . import test_properties
from . import test_bulk
from . import test_state
