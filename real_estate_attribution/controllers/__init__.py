from . import readonly_rpc
