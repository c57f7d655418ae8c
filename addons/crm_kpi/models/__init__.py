from . import account_move_line
from . import res_company
from . import res_config_settings
from . import crm_kpi_snapshot
from . import crm_kpi_backfill
from . import crm_kpi_detail_line
