"""A real multi-worker (prefork) Odoo server on the test database, for the race tests.

pytest-odoo's server runs requests as threads of the test process, sharing its
registry, its caches and one interpreter lock. Production runs ``odoo
--workers=N``: separate processes, each with its own copy of the registry and
caches and its own database connections, deciding at the same moment. That is
where ownership races happen, so the race tests run against one:
:class:`MultiWorkerServer` starts it (:func:`serve`, for a session-scoped
fixture) on a free port, serving the test database only, logging to
``test-reports/races-server.log``; :func:`classify` tells an expected, retried
serialisation conflict in that log from an error (:func:`watch_log`, for a
function-scoped fixture).
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import xmlrpc.client
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import odoo

from .conftest import Rpc

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "test-reports"
#: Prefork workers: one per client of the widest race, and one to spare for the checks between rounds.
WORKERS = 5
START_TIMEOUT = 180
#: Seconds between SIGTERM and SIGKILL when the session ends.
STOP_GRACE = 5


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _test_db():
    db = odoo.tools.config["db_name"]
    if isinstance(db, (list, tuple)):
        db = db[0]
    return db.split(",")[0]


# ----------------------------------------------------------------------
# The server's log
# ----------------------------------------------------------------------
#: ``2025-01-01 10:00:00,123 4242 ERROR races_dev odoo.sql_db: bad query: ...`` (Odoo's log format).
RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<pid>\d+) (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>[\w.]+): (?P<message>.*)$"
)
#: What PostgreSQL says when a transaction's snapshot is older than a committed change it meets.
SERIALIZATION_FAILURE = "could not serialize access"
#: ``odoo.service.model.retrying``: the request is rolled back and replayed on a fresh snapshot
#: (``SERIALIZATION_FAILURE``, ``DEADLOCK_DETECTED`` or ``LOCK_NOT_AVAILABLE``, N tries left).
RETRY = re.compile(r"^(?P<code>[A-Z_]+), \d+ tries left, try again in ")
#: ``UPDATE "table" SET "column" = ...``: the statement of a logged conflict, for the report.
UPDATE = re.compile(r'(UPDATE|INSERT INTO|DELETE FROM) "?(\w+)"?')
COLUMN = re.compile(r'"(\w+)" = "__tmp"')
#: What the processes may print outside the log: Odoo's warning about root, Python warnings.
OUT_ERROR = re.compile(r"Traceback \(most recent call last\)|\w*Error\b|CRITICAL")


@dataclass
class LogRecord:
    pid: str
    level: str
    logger: str
    text: str  # the message with its continuation lines (a query, a traceback)

    def __str__(self):
        return "%s %s %s: %s" % (self.pid, self.level, self.logger, self.text)


@dataclass
class LogReport:
    """What the server logged while a test ran."""

    retries: int = 0  # serialisation conflicts Odoo replayed (odoo.service.model, INFO)
    workers: set = field(default_factory=set)  # the worker processes that replayed one
    logged: Counter = field(default_factory=Counter)  # of which surfaced in an ORM query ("bad query"), by statement
    refusals: Counter = field(default_factory=Counter)  # UserError, AccessError faults (odoo.http, WARNING)
    errors: list = field(default_factory=list)  # everything else at ERROR, or with a traceback

    def __str__(self):
        return "%d conflict(s) replayed by %d worker(s)%s; %d refusal(s) logged" % (
            self.retries,
            len(self.workers),
            " (logged by odoo.sql_db: %s)" % ", ".join("%s ×%d" % item for item in sorted(self.logged.items()))
            if self.logged
            else ", none logged as a bad query",
            sum(self.refusals.values()),
        )


def parse_log(text):
    records = []
    for line in text.splitlines():
        match = RECORD.match(line)
        if match:
            records.append(LogRecord(match["pid"], match["level"], match["logger"], match["message"]))
        elif records:
            records[-1].text += "\n" + line
        elif line.strip():
            records.append(LogRecord("?", "ERROR", "?", line))  # outside Odoo's log format
    return records


def _statement(record):
    """``UPDATE real_estate_dispute (decided_at, decided_by, outcome, state)`` of a logged conflict."""
    match = UPDATE.search(record.text)
    if not match:
        return "?"
    columns = sorted(set(COLUMN.findall(record.text)) - {"id", "write_date", "write_uid"})
    return "%s %s%s" % (match[1], match[2], " (%s)" % ", ".join(columns) if columns else "")


def classify(records, report=None):
    """Sort log records into expected conflicts, refusals and errors.

    Expected, and only this: a **serialisation failure that Odoo retried**.

    * Every ownership decision first upserts its ``real.estate.lock`` row, and a
      reception locks the day's roster row; both queries run with
      ``log_exceptions=False``. A concurrent decision on the same customer or
      rotation makes them fail with ``SerializationFailure``, which
      ``odoo.service.model.retrying`` rolls back and replays on a fresh
      snapshot, logging ``SERIALIZATION_FAILURE, N tries left`` at INFO (the
      server logs that logger at INFO for these tests, to count them). That is
      the designed path (``real_estate_lock._acquire``): silent but for INFO.
    * A conflict can also surface in an ordinary ORM query: the flush of an
      ``UPDATE`` on a row that another worker changed and committed after this
      transaction's snapshot (two approvers writing one dispute). ``odoo.sql_db``
      logs every failing query at ERROR (``bad query ... could not serialize
      access``), then ``retrying`` replays the request exactly as above: Odoo's
      own handling of two users writing one record, not an error of the
      request. It is accepted on that condition only, that the same worker
      process logs the replay next, and it is counted by statement, so that
      the report says which decisions are serialised by their lock and which
      only by a row they both write.

    Not expected, so the test fails: any other ERROR or CRITICAL, among them a
    conflict on the last try ("maximum number of tries reached", then
    "Exception during request handling" with its traceback), a unique-index
    violation (the lock should have serialised the decision before the index
    had to refuse it), a deadlock or a lock timeout, even replayed (the code
    takes its locks in one order, report then customer, so that none can
    happen); and any traceback. UserError and AccessError faults are logged by
    ``odoo.http`` at WARNING, without traceback: the clean refusal of a losing
    call, counted.
    """
    report = report or LogReport()
    pending = {}  # pid -> the logged conflict awaiting its replay
    for record in records:
        retry = RETRY.match(record.text) if record.logger == "odoo.service.model" else None
        if retry and retry["code"] == "SERIALIZATION_FAILURE":
            report.retries += 1
            report.workers.add(record.pid)
            if record.pid in pending:
                report.logged[_statement(pending.pop(record.pid))] += 1
            continue
        if retry:  # a deadlock or lock timeout, replayed: not a state the locks allow
            report.errors.append(record)
            continue
        if record.level in ("ERROR", "CRITICAL"):
            if (
                record.logger == "odoo.sql_db"
                and record.text.startswith("bad query")
                and SERIALIZATION_FAILURE in record.text
                and "Traceback" not in record.text
            ):
                if record.pid in pending:
                    report.errors.append(pending[record.pid])  # the earlier one was never replayed
                pending[record.pid] = record
                continue
            report.errors.append(record)
            continue
        if record.pid in pending and record.logger == "odoo.service.model":
            report.errors.append(pending.pop(record.pid))  # "maximum number of tries reached!"
        if "Traceback (most recent call last)" in record.text:
            report.errors.append(record)
        elif record.level == "WARNING":
            report.refusals[record.logger] += 1
    report.errors.extend(pending.values())  # a logged conflict that no replay followed
    return report


def classify_output(text, report):
    """What the processes printed outside the log: only a traceback or an error is one."""
    for chunk in re.split(r"\n(?=\S)", text):
        if OUT_ERROR.search(chunk):
            report.errors.append(LogRecord("?", "OUTPUT", "stdout/stderr", chunk))
    return report


class ServerLog:
    """A file the server writes, read on from where the last read stopped."""

    def __init__(self, path):
        self.path = Path(path)
        self.offset = 0

    def read_new(self, settle=0.0):
        """What was written since the last read (after letting the workers finish their lines)."""
        time.sleep(settle)
        if not self.path.exists():
            return ""
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
        self.offset += len(data)
        return data.decode("utf-8", "replace")

    def tail(self, chars=6000):
        if not self.path.exists():
            return "(no file %s)" % self.path
        return self.path.read_text("utf-8", "replace")[-chars:]


# ----------------------------------------------------------------------
# The server
# ----------------------------------------------------------------------
class _TimeoutTransport(xmlrpc.client.Transport):
    """An XML-RPC transport whose calls give up after ``timeout`` seconds (a server that accepts the
    connection but never answers must not hang the session)."""

    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


class MultiWorkerServer:
    def __init__(self, workers=WORKERS):
        self.db = _test_db()
        self.workers = workers
        self.port = _free_port()
        self.gevent_port = _free_port()
        self.url = "http://127.0.0.1:%s" % self.port
        REPORTS.mkdir(exist_ok=True)
        self.log = ServerLog(REPORTS / "races-server.log")
        # what the processes print outside the log (before logging starts, or a child that cannot start)
        self.out = ServerLog(REPORTS / "races-server.out")
        self.proc = None
        self._stdout = None

    @staticmethod
    def launcher():
        """How to start Odoo so that its prefork master can start the gevent (websocket) process too.

        The master spawns that process as ``[sys.executable, sys.argv[0], "gevent", ...]``: under
        ``python3 -m odoo``, ``sys.argv[0]`` is ``odoo/__main__.py``, which cannot run as a script
        (``ImportError: attempted relative import``), and the master respawns it in a loop, several
        times a second, for the whole session. The ``odoo-bin`` script beside the imported ``odoo``
        package (or the ``odoo`` console script) runs the same code and spawns it fine.
        """
        beside = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
        script = str(beside) if beside.is_file() else shutil.which("odoo")
        return [sys.executable, script] if script else [sys.executable, "-m", "odoo"]

    def command(self):
        config = odoo.tools.config
        cmd = [
            *self.launcher(),
            "server",
            "--workers=%d" % self.workers,
            "--max-cron-threads=0",
            "--http-interface=127.0.0.1",
            "--http-port=%d" % self.port,
            "--gevent-port=%d" % self.gevent_port,
            "--database=%s" % self.db,
            "--db-filter=^%s$" % re.escape(self.db),
            "--addons-path=%s" % ROOT,
            "--log-level=warn",
            # the retries of serialisation failures, to tell them from errors and to count them
            "--log-handler=odoo.service.model:INFO",
            "--logfile=%s" % self.log.path,
            # requests that wait for a lock and retry take seconds, never minutes
            "--limit-time-real=120",
            "--limit-time-cpu=60",
        ]
        for option, key in (
            ("--db_host", "db_host"),
            ("--db_port", "db_port"),
            ("--db_user", "db_user"),
            ("--db_password", "db_password"),
            ("--data-dir", "data_dir"),
        ):
            if config.get(key):
                cmd.append("%s=%s" % (option, config[key]))
        return cmd

    def spawn(self):
        """Start the server, without waiting: the tests set up their data meanwhile (see :meth:`wait_ready`)."""
        for path in (self.log.path, self.out.path):
            if path.exists():
                path.unlink()
        self._stdout = self.out.path.open("wb")
        # a session of its own: the workers are this process's children, stopped with it
        self.proc = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self._stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._ready = threading.Lock()
        self._answered = False

    def wait_ready(self):
        """Wait until the server answers on the test database as admin; fail clearly if it does not.

        The master preloads the database's registry before it forks the workers: once one worker
        answers, every worker serves the registry as installed.
        """
        with self._ready:
            if self._answered:
                return
            deadline = time.monotonic() + START_TIMEOUT
            last_error = None
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    self._fail("exited with status %s while starting" % self.proc.returncode)
                try:
                    common = xmlrpc.client.ServerProxy(
                        "%s/xmlrpc/2/common" % self.url,
                        allow_none=True,
                        transport=_TimeoutTransport(max(5.0, deadline - time.monotonic())),
                    )
                    if common.authenticate(self.db, "admin", "admin", {}):
                        self._answered = True
                        return
                    last_error = "admin cannot log in to %s" % self.db
                except (OSError, xmlrpc.client.Error) as exc:
                    last_error = exc
                time.sleep(0.5)
            self.stop()
            self._fail("did not answer within %ss (last error: %s)" % (START_TIMEOUT, last_error))

    def _fail(self, why):
        pytest.fail(
            "The multi-worker Odoo server %s.\nCommand: %s\nLog %s:\n%s\nOutput:\n%s"
            % (
                why,
                " ".join(self.command()),
                self.log.path,
                self.log.tail(),
                self.out.tail(3000),
            ),
            pytrace=False,
        )

    def read_report(self, settle=0.5):
        """Classify what the server logged and printed since the last report."""
        report = classify(parse_log(self.log.read_new(settle)))
        return classify_output(self.out.read_new(), report)

    def _wait_gone(self, pgid, seconds):
        """Whether the master and every process of its session ended within ``seconds``."""
        deadline = time.monotonic() + seconds
        while True:
            if self.proc.poll() is not None:
                try:
                    os.killpg(pgid, 0)  # a worker still running?
                except ProcessLookupError:
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def check_alive(self):
        if self.proc.poll() is not None:
            self._fail("died (status %s)" % self.proc.returncode)

    def rpc(self, login, password):
        """A client of this server (it waits for the server to answer first)."""
        self.wait_ready()
        return Rpc(self.url, self.db, login, password)

    def stop(self):
        """SIGTERM to the master, which stops its workers; what is left of its session after
        ``STOP_GRACE`` seconds is killed (SIGKILL).

        The tests are over, no request runs: the grace only lets the processes end cleanly. Workers take
        several seconds more to tear down a loaded registry on two busy cores, and their database
        connections end with them either way.
        """
        if self.proc is None:
            return
        pgid = self.proc.pid  # the master leads the session it was started in
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        if not self._wait_gone(pgid, STOP_GRACE):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            self._wait_gone(pgid, 10)
        if self._stdout:
            self._stdout.close()


def serve():
    """Run a :class:`MultiWorkerServer` for the time of a fixture (``yield from serve()``).

    It boots while the tests create their data; its first client waits until it answers. What it logs
    after the last test (its shutdown included) fails the session's last test too.
    """
    mw = MultiWorkerServer()
    mw.spawn()
    try:
        yield mw
    finally:
        mw.stop()
    report = mw.read_report(settle=0)
    if report.errors:
        pytest.fail(
            "The multi-worker Odoo server logged %d unexpected error(s) after the last test (%s):\n%s"
            % (len(report.errors), mw.log.path, "\n".join(str(record) for record in report.errors)),
            pytrace=False,
        )


def watch_log(multiworker, record, capsys):
    """Fail the test if the multi-worker server logged an unexpected error since the previous test
    (``yield from watch_log(...)`` in a fixture); print what it logged, and ``record(name, value)`` it."""
    multiworker.check_alive()
    yield
    report = multiworker.read_report()
    record("server_replayed_conflicts", report.retries)
    record("server_replaying_workers", len(report.workers))
    for statement, count in report.logged.items():
        record("server_conflict_logged_as_bad_query: %s" % statement, count)
    record("server_refusals", sum(report.refusals.values()))
    with capsys.disabled():
        print("  multi-worker server: %s" % report)
    if report.errors:
        pytest.fail(
            "The multi-worker Odoo server logged %d unexpected error(s) (%s):\n%s"
            % (len(report.errors), multiworker.log.path, "\n".join(str(record) for record in report.errors)),
            pytrace=False,
        )
    multiworker.check_alive()
