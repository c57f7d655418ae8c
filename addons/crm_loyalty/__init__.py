from . import controllers
from . import models
from . import wizards


def uninstall_hook(env):
    """Customers on a tier's pricelist get back the pricelist they had before
    their tier: the tiers leave with the add-on, their pricelists stay."""
    env["crm.loyalty.engine"]._restore_pricelists()
