from . import receive_visitor
from . import protection_release
from . import redistribute_pool
