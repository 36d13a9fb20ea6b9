from . import controllers
from . import models
from . import tools
from . import wizards


def uninstall_hook(env):
    """Stock CRM keeps its customers: drop the counts' triggers and table from crm_lead."""
    env["real.estate.customer.count"]._uninstall()
