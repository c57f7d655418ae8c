from . import test_customer_360
from . import test_relations
from . import test_ui
from . import test_portal
from . import test_bad_input
from . import test_disputes
from . import test_timeline_events
from . import test_api
