# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import res_partner
from . import crm_customer_360_screen
