from . import test_formulas
from . import test_comparison
from . import test_security
from . import test_ui
from . import test_drill_down
from . import test_backfill
from . import test_bad_input
from . import test_properties
