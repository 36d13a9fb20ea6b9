"""Fixtures of the cross-addon tests: a live Odoo server spoken to over XML-RPC.

pytest-odoo (``--odoo-http``) serves the test database in-process on a free
port; these tests talk to it like an integrator would, over real XML-RPC, and
every call commits in its own transaction.
"""

import itertools
import os
import uuid
import xmlrpc.client

import pytest

import odoo

ADMIN = ("admin", "admin")
_phones = itertools.count(1)


class Rpc:
    """A logged-in XML-RPC client (one per thread: ServerProxy is not thread-safe)."""

    def __init__(self, url, db, login, password):
        self.url, self.db, self.password = url, db, password
        self.uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, login, password, {})
        assert self.uid, f"cannot log in as {login}"
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)


class Server:
    def __init__(self):
        self.url = "http://127.0.0.1:%s" % odoo.tools.config["http_port"]
        self.db = odoo.tools.config["db_name"]
        if isinstance(self.db, list):
            self.db = self.db[0]

    def rpc(self, login, password):
        return Rpc(self.url, self.db, login, password)


@pytest.fixture(scope="session")
def server():
    return Server()


@pytest.fixture(scope="session")
def admin(server):
    return server.rpc(*ADMIN)


@pytest.fixture()
def office(server, admin):
    """A fresh sales office with five consultants, created over XML-RPC."""
    tag = uuid.uuid4().hex[:8]
    group = admin("ir.model.data", "check_object_reference", "real_estate_attribution", "group_consultant")[1]
    users = []
    for n in range(5):
        login = f"live_{tag}_{n}"
        users.append(
            admin(
                "res.users",
                "create",
                {"name": f"顾问{n} {tag}", "login": login, "password": login, "groups_id": [(4, group)]},
            )
        )
    team_id = admin(
        "crm.team",
        "create",
        {
            "name": f"Live Office {tag}",
            "is_sales_office": True,
            "crm_team_member_ids": [(0, 0, {"user_id": uid}) for uid in users],
        },
    )
    return {"team_id": team_id, "users": users, "logins": [f"live_{tag}_{n}" for n in range(5)], "tag": tag}


@pytest.fixture()
def new_phone():
    """A mobile number no other test used in this run."""

    def make():
        return "137%08d" % (os.getpid() % 1000 * 100000 + next(_phones))

    return make
