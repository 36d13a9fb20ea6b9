"""Several hosts on one machine (issue 12): a streaming hot standby of the running PostgreSQL, and Odoo
servers that read from it.

``Standby`` copies the primary with ``pg_basebackup -R`` into a temporary directory and starts it with the
primary's own ``pg_ctl`` on another port, as a hot standby streaming from the primary through a physical
replication slot (the primary keeps the WAL the standby has not received; the slot is dropped at teardown,
and a slot or pg_hba line a killed run left behind is removed by the next run). The primary is never
restarted nor reconfigured beyond one thing: when its ``pg_hba.conf`` has no ``replication`` entry for
127.0.0.1 (``all`` does not cover replication connections), one line is added and the configuration
*reloaded* (``pg_reload_conf()``, no restart, no dropped connection); the line is removed and the
configuration reloaded again at teardown. ``wal_level`` must already be ``replica`` or ``logical`` and
``max_wal_senders`` above zero: both need a restart, so the benchmark stops and says so instead.

PostgreSQL refuses to run as root: when the benchmark runs as root, the standby runs as the owner of the
primary's data directory.

``OdooServer`` is bench_scale's server with the options of a host of a cluster: its own HTTP and gevent
ports, a bounded connection pool, and ``--db_replica_host``/``--db_replica_port``.
"""

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import xmlrpc.client
from glob import glob
from pathlib import Path

import psycopg2
from bench_scale import PASSWORD, free_port, odoo_command

PRIMARY = {"host": "127.0.0.1", "port": 5432}
HBA_MARK = "# bench_cluster.py: streaming standby of the benchmark (removed at its end)"
HBA_LINE = "host replication all 127.0.0.1/32 trust"


class ClusterError(RuntimeError):
    """The cluster cannot be set up here (said in plain words, with what to change)."""


def run_sql(server, query, params=None, dbname="postgres", autocommit=True):
    """``query`` on one connection to ``server`` (psycopg2's connection arguments); its rows, if any."""
    connection = psycopg2.connect(dbname=dbname, **server)
    connection.autocommit = autocommit
    try:
        with connection.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else None
    finally:
        connection.close()


def primary_sql(query, params=None, dbname="postgres", autocommit=True):
    return run_sql(PRIMARY, query, params, dbname, autocommit)


def pg_bin(name):
    """The primary's own PostgreSQL programs (same major version as the running server)."""
    major = primary_sql("SHOW server_version_num")[0][0][:2]
    for candidate in (*sorted(glob("/usr/lib/postgresql/%s/bin/%s" % (major, name))), shutil.which(name)):
        if candidate and os.path.exists(candidate):
            return candidate
    raise ClusterError("%s of PostgreSQL %s is not installed" % (name, major))


def _replication_allowed():
    try:
        psycopg2.connect(dbname="postgres", replication="true", **PRIMARY).close()
        return True
    except psycopg2.OperationalError:
        return False


class Standby:
    """A hot standby of the primary on ``port``; ``with Standby() as standby: ...`` tears it down always."""

    def __init__(self):
        self.dir = None
        self.port = free_port()
        self.hba_file = None
        self.process_user = None
        self.log = None
        self.slot = "bench_cluster_%d" % os.getpid()

    # -- the primary ---------------------------------------------------
    def _check_primary(self):
        [(wal_level,)] = primary_sql("SHOW wal_level")
        [(senders,)] = primary_sql("SHOW max_wal_senders")
        if wal_level == "minimal" or int(senders) == 0:
            raise ClusterError(
                "the primary runs with wal_level=%s and max_wal_senders=%s: a standby needs wal_level=replica and "
                "max_wal_senders > 0, which only a restart of the primary applies" % (wal_level, senders)
            )
        for (stale,) in primary_sql(
            "SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'bench\\_cluster\\_%%' AND NOT active"
        ):
            primary_sql("SELECT pg_drop_replication_slot(%s)", [stale])
        [(hba_file,)] = primary_sql("SHOW hba_file")
        if os.access(hba_file, os.R_OK) and HBA_MARK in Path(hba_file).read_text():
            self.hba_file = hba_file  # a killed run's line: this run removes it at its end
        if not _replication_allowed():
            self._allow_replication()

    def _allow_replication(self):
        """One ``replication`` line in the primary's pg_hba.conf, then a reload (not a restart)."""
        [(hba_file,)] = primary_sql("SHOW hba_file")
        if not os.access(hba_file, os.W_OK):
            raise ClusterError(
                "the primary refuses replication connections from 127.0.0.1 and %s is not writable here: add "
                "'%s' to it and reload PostgreSQL" % (hba_file, HBA_LINE)
            )
        text = Path(hba_file).read_text()
        Path(hba_file).write_text(text + ("" if text.endswith("\n") else "\n") + "%s\n%s\n" % (HBA_MARK, HBA_LINE))
        self.hba_file = hba_file
        primary_sql("SELECT pg_reload_conf()")
        errors = primary_sql("SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL")
        if errors:
            raise ClusterError("pg_hba.conf has errors after the change: %s" % errors)
        for _attempt in range(50):
            if _replication_allowed():
                return
            time.sleep(0.1)
        raise ClusterError("the primary still refuses replication connections after reloading %s" % hba_file)

    def _restore_primary(self):
        if not self.hba_file:
            return
        text = Path(self.hba_file).read_text()
        Path(self.hba_file).write_text(text.replace("%s\n%s\n" % (HBA_MARK, HBA_LINE), ""))
        primary_sql("SELECT pg_reload_conf()")
        self.hba_file = None

    # -- the standby ---------------------------------------------------
    def _run(self, *command, check=True):
        """A PostgreSQL program, as the owner of the primary's data when the benchmark runs as root."""
        user = {}
        if os.geteuid() == 0:
            owner = pwd.getpwnam(self.process_user)
            user = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": [], "cwd": self.dir}
        return subprocess.run(list(command), check=check, capture_output=True, text=True, **user)

    def start(self):
        self._check_primary()
        self.process_user = pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            [(data_directory,)] = primary_sql("SHOW data_directory")
            self.process_user = pwd.getpwuid(os.stat(data_directory).st_uid).pw_name
        self.dir = tempfile.mkdtemp(prefix="bench_standby_")
        if os.geteuid() == 0:
            shutil.chown(self.dir, self.process_user)
        data, self.log = os.path.join(self.dir, "data"), os.path.join(self.dir, "standby.log")
        began = time.perf_counter()
        copy = self._run(
            pg_bin("pg_basebackup"),
            "-h", PRIMARY["host"], "-p", str(PRIMARY["port"]), "-U", primary_sql("SELECT current_user")[0][0],
            "-D", data, "-R", "-X", "stream", "-c", "fast", "-C", "-S", self.slot,
            check=False,
        )  # fmt: skip
        if copy.returncode:
            raise ClusterError("pg_basebackup failed: %s" % copy.stderr.strip())
        self.copy_seconds = time.perf_counter() - began
        # Debian keeps the configuration outside the data directory: the standby gets its own
        Path(data, "postgresql.conf").write_text(
            "\n".join(
                [
                    "listen_addresses = '127.0.0.1'",
                    "port = %d" % self.port,
                    "unix_socket_directories = '%s'" % self.dir,
                    "max_connections = %s" % primary_sql("SHOW max_connections")[0][0],
                    "hot_standby = on",
                    "hot_standby_feedback = on",
                    "wal_receiver_status_interval = 1s",
                    "autovacuum = off",
                    "",
                ]
            )
        )
        Path(data, "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        Path(data, "pg_ident.conf").write_text("")
        if os.geteuid() == 0:
            for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
                shutil.chown(os.path.join(data, name), self.process_user)
        started = self._run(pg_bin("pg_ctl"), "-D", data, "-l", self.log, "-w", "-t", "120", "start", check=False)
        if started.returncode:
            raise ClusterError("the standby did not start: %s %s" % (started.stderr.strip(), self.tail()))
        self._wait_streaming()
        return self

    def tail(self):
        with contextlib.suppress(OSError):
            return Path(self.log).read_text()[-2000:]
        return ""

    def _wait_streaming(self):
        for _attempt in range(600):
            rows = primary_sql("SELECT state FROM pg_stat_replication WHERE application_name <> 'pg_basebackup'")
            if any(state == "streaming" for (state,) in rows):
                return
            time.sleep(0.1)
        raise ClusterError("the standby does not stream from the primary: %s" % self.tail())

    def sql(self, query, params=None, dbname="postgres"):
        return run_sql({"host": "127.0.0.1", "port": self.port}, query, params, dbname)

    def replay_lag(self):
        """The primary's view of the standby: bytes not yet replayed, and PostgreSQL's replay_lag in ms."""
        [(lag_bytes, lag_ms)] = primary_sql(
            """SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),
                      coalesce(extract(epoch FROM replay_lag) * 1000, 0)
                 FROM pg_stat_replication WHERE state = 'streaming' LIMIT 1"""
        )
        return int(lag_bytes), float(lag_ms)

    def stop(self):
        try:
            if self.dir and os.path.isdir(os.path.join(self.dir, "data")):
                self._run(
                    pg_bin("pg_ctl"), "-D", os.path.join(self.dir, "data"), "-m", "fast", "-w", "stop", check=False
                )
        finally:
            if self.dir:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None
            self._drop_slot()
            self._restore_primary()

    def _drop_slot(self):
        """The primary keeps WAL for a slot until it is dropped: drop it once its walsender has ended."""
        for _attempt in range(100):
            rows = primary_sql("SELECT active FROM pg_replication_slots WHERE slot_name = %s", [self.slot])
            if not rows:
                return
            if not rows[0][0]:
                primary_sql("SELECT pg_drop_replication_slot(%s)", [self.slot])
                return
            time.sleep(0.1)
        raise ClusterError("the replication slot %s stays active: drop it with pg_drop_replication_slot" % self.slot)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


class OdooServer:
    """A multi-worker Odoo host of the cluster on ``db`` (``replica``: the standby's port, or ``None``)."""

    def __init__(self, db, root, name, workers=2, replica=None):
        self.db, self.name, self.port = db, name, free_port()
        log = Path(root) / "test-reports" / ("bench-cluster-%s.log" % name)
        log.parent.mkdir(exist_ok=True)
        options = [
            "-d", db, "--db-filter=^%s$" % db, "--addons-path=%s" % root,
            "--http-interface=127.0.0.1", "--http-port=%d" % self.port, "--gevent-port=%d" % free_port(),
            "--workers=%d" % workers, "--max-cron-threads=0", "--db_maxconn=16",
            "--log-level=warn", "--logfile=%s" % log,
            "--limit-time-real=600", "--limit-memory-hard=4294967296", "--limit-memory-soft=3221225472",
        ]  # fmt: skip
        if replica:
            options += ["--db_replica_host=127.0.0.1", "--db_replica_port=%d" % replica]
        self.process = subprocess.Popen([*odoo_command(), *options])
        self.url = "http://127.0.0.1:%d" % self.port
        self.address = ("127.0.0.1", self.port)

    def wait(self, timeout=180):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise ClusterError("the Odoo server %s ended at start (see its log)" % self.name)
            try:
                xmlrpc.client.ServerProxy(self.url + "/xmlrpc/2/common").version()
                return self
            except OSError:
                time.sleep(0.5)
        raise ClusterError("the Odoo server %s did not answer within %d s" % (self.name, timeout))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Client:
    """XML-RPC calls through ``url``, a fresh connection per call (as bench_scale's ``Server.call``)."""

    def __init__(self, url, db, uid, password=PASSWORD):
        self.url, self.db, self.uid, self.password = url, db, uid, password

    def call(self, model, method, *args, **kw):
        proxy = xmlrpc.client.ServerProxy(self.url + "/xmlrpc/2/object", allow_none=True)
        return proxy.execute_kw(self.db, self.uid, self.password, model, method, list(args), kw)

    def read(self, model, method, *args, **kw):
        """The same call on ``/xmlrpc/2/readonly`` (``@api.readonly`` methods, served by the replica)."""
        proxy = xmlrpc.client.ServerProxy(self.url + "/xmlrpc/2/readonly", allow_none=True)
        return proxy.execute_kw(self.db, self.uid, self.password, model, method, list(args), kw)
