from odoo import SUPERUSER_ID
from odoo.exceptions import AccessError, UserError


def engine_writes(env, flag="attribution_engine"):
    """True when the ownership engine itself writes: under sudo, with its context flag.

    The flag alone proves nothing: any XML-RPC caller may put a key in the
    context. The engine always writes as superuser, which no caller can be.
    """
    return env.su and bool(env.context.get(flag))


def check_engine_create(records, message):
    """Refuse a create that does not come from the engine, with ``message`` saying the way instead.

    A caller without the access right gets an AccessError, one with it (a
    manager, an import) a UserError; both name the screen or API method that
    makes the record through the rules.
    """
    if not records.has_access("create"):
        raise AccessError(message)
    if not engine_writes(records.env):
        raise UserError(message)


def as_system(records):
    """``records`` as the system writes to their chatter and to-dos: authored by OdooBot, so that a user
    without an email address can trigger them (a message posted as the user needs the user's address)."""
    return records.with_user(SUPERUSER_ID)
