from . import engine, identity, records
