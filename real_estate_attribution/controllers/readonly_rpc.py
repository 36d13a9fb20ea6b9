"""``/xmlrpc/2/readonly``: Odoo's ``/xmlrpc/2/object`` for the methods marked ``@api.readonly`` (issue 12).

Odoo 18 serves a web route's read-only calls from a read replica (``--db_replica_host``), but its XML-RPC
endpoint always runs on the primary. This endpoint speaks the same protocol (``execute_kw(db, uid, password,
model, method, args, kwargs)`` and ``execute``), authenticates as the stock one does, and runs the call on a
read-only cursor: the replica when the server has one, else the primary in a read-only transaction. A method
not marked ``@api.readonly`` is refused with an ``AccessError`` fault (code 4) before anything runs.

Odoo's own machinery does the work: ``security.check`` (authentication), ``get_public_method`` (no private
methods), ``retrying`` (the transaction, its errors and commit), ``call_kw`` and the stock faults.
"""

import logging
import threading
import xmlrpc.client
from functools import partial

import psycopg2.errors

from odoo import api, http
from odoo.exceptions import AccessError, UserError
from odoo.modules.registry import Registry
from odoo.service import security
from odoo.service.model import _traverse_containers, get_public_method, retrying
from odoo.tools import lazy

from odoo.addons.base.controllers.rpc import dumps, xmlrpc_handle_exception_int

_logger = logging.getLogger(__name__)

ENDPOINT = "/xmlrpc/2/readonly"


def is_readonly(model_class, name):
    """Whether ``name`` is marked ``@api.readonly``, decided as the web client's call_kw route decides it
    (``_call_kw_readonly``): the first definition along the model's MRO that carries ``_readonly`` says."""
    for cls in model_class.mro():
        method = getattr(cls, name, None)
        if method is not None and hasattr(method, "_readonly"):
            return bool(method._readonly)
    return False


def dispatch(method, params):
    """``odoo.service.model.dispatch``, on a read-only cursor: ``execute_kw`` and ``execute``."""
    db, uid, passwd = params[0], int(params[1]), params[2]
    security.check(db, uid, passwd)

    threading.current_thread().dbname = db
    threading.current_thread().uid = uid
    registry = Registry(db).check_signaling()
    with registry.manage_changes():
        if method == "execute":
            return execute(registry, uid, *params[3:])
        if method == "execute_kw":
            return execute_kw(registry, uid, *params[3:])
        raise NameError("Method not available %s" % method)


def execute_kw(registry, uid, obj, method, args, kw=None):
    return execute(registry, uid, obj, method, *args, **kw or {})


def execute(registry, uid, obj, method, *args, **kw):
    """Run ``obj.method`` on a read-only cursor. A method marked read-only that writes all the same is run
    again on a read/write cursor, as Odoo's ``_transactioning`` does for its read-only web routes."""
    for readonly in (True, False):
        try:
            with registry.cursor(readonly=readonly) as cr:
                return execute_cr(cr, uid, readonly, obj, method, *args, **kw)
        except psycopg2.errors.ReadOnlySqlTransaction as exc:
            if not readonly:
                raise
            _logger.warning(
                "%s.%s is marked read-only but wrote (%s); retrying with a read/write cursor",
                obj,
                method,
                exc.args[0].rstrip(),
            )
    raise AssertionError("unreachable")


def execute_cr(cr, uid, readonly, obj, method, *args, **kw):
    """``odoo.service.model.execute_cr`` for read-only methods only (in a read-only transaction if
    ``readonly``)."""
    cr.reset()
    env = api.Environment(cr, uid, {})
    recs = env.get(obj)
    if recs is None:
        raise UserError(env._("Object %s doesn't exist", obj))
    get_public_method(recs, method)
    if not is_readonly(type(recs), method):
        raise AccessError(
            _caller_env(env, kw)._(
                "%(model)s.%(method)s is not a read-only method: %(endpoint)s serves only the methods marked "
                "@api.readonly. Call it on /xmlrpc/2/object.",
                model=obj,
                method=method,
                endpoint=ENDPOINT,
            )
        )
    result = retrying(partial(_call, recs, method, args, kw, readonly), env)
    # lazy values are evaluated before the cursor closes, as stock does
    for value in _traverse_containers(result, lazy):
        _evaluated = value._value
    return result


def _caller_env(env, kw):
    """The environment in the caller's language (``context={"lang": ...}``), for a refusal's message."""
    context = kw.get("context")
    lang = context.get("lang") if isinstance(context, dict) else None
    return env(context={"lang": lang}) if isinstance(lang, str) else env


def _call(recs, method, args, kw, readonly):
    """The call; if ``readonly``, in a read-only transaction also where the cursor is the primary's (no
    replica configured)."""
    if readonly and not recs.env.cr.readonly:
        recs.env.cr.execute("SET TRANSACTION READ ONLY")
    return api.call_kw(recs, method, args, kw)


class ReadonlyRPC(http.Controller):
    @http.route(ENDPOINT, type="http", auth="none", methods=["POST"], csrf=False, save_session=False, readonly=True)
    def xmlrpc_readonly(self):
        """XML-RPC with integer fault codes, as ``/xmlrpc/2/object``, for the read-only methods."""
        if http.request.db:
            http.request.env.cr.close()
        try:
            params, method = xmlrpc.client.loads(http.request.httprequest.get_data(), use_datetime=True)
            with http.borrow_request():
                threading.current_thread().uid = None
                threading.current_thread().dbname = None
                result = dispatch(method, params)
            response = dumps((result,))
        except Exception as error:
            error.error_response = http.Response(response=xmlrpc_handle_exception_int(error), mimetype="text/xml")
            raise
        return http.Response(response=response, mimetype="text/xml")
