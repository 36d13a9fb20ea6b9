from . import receive_visitor
from . import protection_release
from . import redistribute_pool
from . import unit_bulk_create
from . import unit_deal
from . import violation_contest
