from . import engine, identity
