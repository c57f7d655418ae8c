from . import crm_kpi_comparison
from . import crm_kpi_comparison_line
from . import crm_kpi_recompute
from . import crm_kpi_cohort_line
