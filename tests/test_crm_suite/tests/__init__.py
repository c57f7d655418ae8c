from . import test_suite_install
from . import test_translations
from . import test_cross_module
from . import test_bad_input
from . import test_access_matrix
from . import test_demo_fast
from . import test_ledger_figures
from . import test_kpi_drill_down
