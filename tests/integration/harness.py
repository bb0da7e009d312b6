"""Shared helpers for the integration tests: start the real loom-oncall binary, talk to it.

Every test starts `loom-oncall serve` on 127.0.0.1 port 0 in a fresh temporary data directory with
a configuration it writes itself (or `--demo`), reads the bound address from the first stdout line,
and stops it with SIGTERM (asserting exit 0) or SIGKILL. The server's stderr goes to a file whose
tail is attached to failures.

Environment (set by tests/CMakeLists.txt):
  LOOM_ONCALL_BIN   the built binary (required)
  LOOM_TEST_DATA    tests/data (fixtures)

Standard library only.
"""

import http.client
import json
import os
import queue
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_DATA = os.environ.get("LOOM_TEST_DATA") or os.path.join(HERE, "..", "data")

# Credentials every test server is started with. Fresh per run so that nothing depends on a value
# baked into the binary.
ADMIN_TOKEN = "itest-admin-" + secrets.token_hex(16)
LOOM_KEY = secrets.token_hex(16)       # service `loom`: no rate limit, no auto-resolve
LIMITED_KEY = secrets.token_hex(16)    # service `limited`: rate_limit_per_minute below
AUTO_KEY = secrets.token_hex(16)       # service `auto`: auto_resolve true
LIMITED_RATE_PER_MINUTE = 5

START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 20.0

LISTENING_RE = re.compile(r"^loom-oncall listening on http://(127\.0\.0\.1):(\d+)$")
DEMO_KEY_RE = re.compile(r"^demo integration key \(service loom\): ([0-9a-f]{32})$")

DEFAULT_CONFIG = f"""\
# Written by tests/integration/harness.py
services:
  - id: loom
    name: LOOM node
    integration_keys:
      - key: "{LOOM_KEY}"
  - id: limited
    name: Rate-limited service
    rate_limit_per_minute: {LIMITED_RATE_PER_MINUTE}
    integration_keys:
      - key: "{LIMITED_KEY}"
  - id: auto
    name: Auto-resolving service
    auto_resolve: true
    integration_keys:
      - key: "{AUTO_KEY}"
"""

# Variables of the user's shell that would change what the binary does.
_SCRUBBED_ENV = ("LOOM_ONCALL_CONFIG", "LOOM_ONCALL_SERVER", "LOOM_ONCALL_TOKEN",
                 "LOOM_ONCALL_ADMIN_TOKEN", "LOOM_ONCALL_KEY_LOOM")


def binary():
    path = os.environ.get("LOOM_ONCALL_BIN")
    if not path:
        raise AssertionError("LOOM_ONCALL_BIN is not set: run these tests through ctest, or export "
                             "LOOM_ONCALL_BIN=/path/to/build/loom-oncall")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"LOOM_ONCALL_BIN={path} is not an executable file")
    return path


def base_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def tail(path, limit=4000):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return f"<cannot read {path}: {e}>"
    text = data[-limit:].decode("utf-8", "replace")
    return ("...\n" if len(data) > limit else "") + text


# ------------------------------------------------------------------------------------------------
# HTTP: clients and local servers (http_support.py), re-exported for the tests.

from http_support import (  # noqa: E402,F401  (re-exported: tests use harness.Client etc.)
    Client, LocalHttpServer, Response, free_port, raw_exchange)


# ------------------------------------------------------------------------------------------------
# The server process


class Server:
    """A running `loom-oncall serve`. Use as a context manager or call start()/stop()."""

    def __init__(self, config_text=DEFAULT_CONFIG, demo=False, data_dir=None, root=None,
                 env=None, admin_token=ADMIN_TOKEN, extra_args=()):
        self.owns_root = root is None
        self.root = root or tempfile.mkdtemp(prefix="loom-itest-")
        # Deliberately not <cwd>/data (the default data dir): a server that ignored --data-dir
        # would not find its database here.
        self.data_dir = data_dir or os.path.join(self.root, "data-dir")
        os.makedirs(self.data_dir, exist_ok=True)
        self.cwd = os.path.join(self.root, "cwd")
        os.makedirs(self.cwd, exist_ok=True)
        self.demo = demo
        self.config_path = None
        if not demo:
            self.config_path = os.path.join(self.root, "loom-oncall.yaml")
            with open(self.config_path, "w") as f:
                f.write(config_text)
        # None: no LOOM_ONCALL_ADMIN_TOKEN in the environment (with --demo, the token is then read
        # from <data_dir>/demo.env after start).
        self.admin_token = admin_token
        self.env = base_env(LOOM_ONCALL_ADMIN_TOKEN=admin_token, **(env or {}))
        self.extra_args = list(extra_args)
        self.proc = None
        self.stdout_lines = []
        self._lines = queue.Queue()
        self.host = self.port = None
        self.demo_key = None
        self.starts = 0
        self._client = None

    # -- lifecycle --

    def command(self):
        cmd = [binary(), "serve"]
        cmd += ["--demo"] if self.demo else ["--config", self.config_path]
        cmd += ["--data-dir", self.data_dir, "--listen", "127.0.0.1:0"] + self.extra_args
        return cmd

    @property
    def stderr_path(self):
        return os.path.join(self.root, f"stderr.{self.starts}.log")

    def diagnostics(self):
        out = "\n".join(self.stdout_lines[-20:])
        return (f"--- server command: {' '.join(self.command())}\n--- stdout:\n{out}\n"
                f"--- stderr ({self.stderr_path}):\n{tail(self.stderr_path)}")

    def start(self, timeout=START_TIMEOUT_S):
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        self.stdout_lines = []
        self._lines = queue.Queue()
        self.demo_key = None
        err = open(self.stderr_path, "wb")
        # A scratch cwd: anything the server writes to a relative path stays in the temp root.
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=err, env=self.env,
                                     cwd=self.cwd)
        err.close()
        threading.Thread(target=self._pump, args=(self.proc, self._lines), daemon=True).start()
        first = self._next_line(timeout, "the listening line")
        m = LISTENING_RE.match(first)
        if not m:
            self.kill()
            raise AssertionError(f"first stdout line is {first!r}, expected "
                                 f"'loom-oncall listening on http://127.0.0.1:PORT'\n"
                                 + self.diagnostics())
        self.host, self.port = m.group(1), int(m.group(2))
        if self.demo:
            line = self._next_line(timeout, "the demo integration key line")
            while not DEMO_KEY_RE.match(line):
                line = self._next_line(timeout, "the demo integration key line")
            self.demo_key = DEMO_KEY_RE.match(line).group(1)
            if self.env.get("LOOM_ONCALL_ADMIN_TOKEN") is None:
                self.admin_token = self.demo_env().get("LOOM_ONCALL_ADMIN_TOKEN")
        self._client = None
        return self

    def demo_env(self):
        """<data_dir>/demo.env as a dict (KEY=VALUE lines)."""
        path = os.path.join(self.data_dir, "demo.env")
        values = {}
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#") and "=" in line:
                    k, _, v = line.partition("=")
                    values[k.strip()] = v.strip().strip('"').strip("'")
        return values

    def _pump(self, proc, lines):
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.stdout_lines.append(line)
            lines.put(line)
        proc.stdout.close()
        lines.put(None)

    def _next_line(self, timeout, what):
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise AssertionError(f"no {what} on stdout within {timeout}s\n" + self.diagnostics())
        if line is None:
            rc = self.proc.wait()
            raise AssertionError(f"server exited with {rc} before printing {what}\n"
                                 + self.diagnostics())
        return line

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT_S):
        """SIGTERM; returns the exit code (the caller asserts it)."""
        if self._client:
            self._client.close()
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"server did not exit within {timeout}s of SIGTERM\n"
                                     + self.diagnostics())
        return self.proc.returncode

    def stop_ok(self, test=None):
        rc = self.stop()
        msg = f"SIGTERM should exit 0, got {rc}\n" + self.diagnostics()
        if test is not None:
            test.assertEqual(rc, 0, msg)
        elif rc != 0:
            raise AssertionError(msg)

    def kill(self):
        """SIGKILL (kill -9), like a crash."""
        if self._client:
            self._client.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def cleanup(self):
        self.kill()
        if self.owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # -- HTTP --

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def client(self, timeout=30.0):
        return Client(self.host, self.port, timeout)

    def request(self, method, path, body=None, headers=None, token=None, raw=None):
        if self._client is None:
            self._client = self.client()
        return self._client.request(method, path, body=body, headers=headers, token=token, raw=raw)

    def api(self, method, path, body=None, token=None):
        """A native API call with the admin token unless another is given."""
        return self.request(method, path, body=body, token=token or self.admin_token)

    def get_json(self, path, token=None):
        r = self.api("GET", path, token=token)
        if r.status != 200:
            raise AssertionError(f"GET {path} -> {r.status}: {r.text[:500]}")
        return r.json()

    def enqueue(self, event):
        return self.request("POST", "/v2/enqueue", body=event)

    def all_incidents(self, query=""):
        """Every incident matching `query` (e.g. "service=loom"), following the cursor."""
        out, cursor, pages = [], None, 0
        while True:
            params = dict(urllib.parse.parse_qsl(query))
            params["limit"] = "500"
            if cursor is not None:
                params["cursor"] = str(cursor)
            page = self.get_json("/v1/incidents?" + urllib.parse.urlencode(params))
            out += page["incidents"]
            cursor = page.get("next")
            pages += 1
            if cursor is None:
                return out
            if pages > 10000:
                raise AssertionError("incident paging does not end")

    def incidents_by_dedup_key(self, dedup_key, service=None):
        q = f"service={service}" if service else ""
        return [i for i in self.all_incidents(q) if i.get("dedup_key") == dedup_key]

    def incident(self, incident_id):
        return self.get_json(f"/v1/incidents/{incident_id}")

    def alerts(self, incident_id):
        return self.get_json(f"/v1/alerts?incident={incident_id}&limit=500")["alerts"]

    # -- files --

    def db_path(self):
        path = os.path.join(self.data_dir, "loom-oncall.db")
        if os.path.exists(path):
            return path
        found = [f for f in os.listdir(self.data_dir) if f.endswith(".db")]
        if len(found) == 1:
            return os.path.join(self.data_dir, found[0])
        raise AssertionError(
            f"no SQLite database in --data-dir {self.data_dir} (it holds "
            f"{os.listdir(self.data_dir)}; the server's working directory holds "
            f"{sorted(os.listdir(self.cwd))})")

    def open_db(self, readonly=True):
        """The store's SQLite file. Only while the server is stopped."""
        assert not self.running(), "open the database file only while the server is stopped"
        if readonly:
            return sqlite3.connect(f"file:{self.db_path()}?mode=ro", uri=True)
        return sqlite3.connect(self.db_path())


def run_cli(args, env=None, timeout=30, input=None, cwd=None):
    """Runs `loom-oncall ARGS` (in a scratch directory unless `cwd` is given); returns the
    CompletedProcess with text stdout/stderr."""
    with tempfile.TemporaryDirectory(prefix="loom-itest-cli-") as scratch:
        return subprocess.run([binary()] + list(args), env=base_env(**(env or {})),
                              capture_output=True, text=True, timeout=timeout, input=input,
                              stdin=None if input is not None else subprocess.DEVNULL,
                              cwd=cwd or scratch)


# ------------------------------------------------------------------------------------------------
# Payloads


def unique(prefix):
    return f"{prefix}-{secrets.token_hex(6)}"


def pd_trigger(routing_key=LOOM_KEY, dedup_key=None, summary=None, severity="critical",
               source="loom-node-1", custom_details=None, **extra):
    event = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "payload": {
            "summary": summary or "LOOM readiness probe failing on loom-node-1",
            "source": source,
            "severity": severity,
            "component": "ready-probe",
            "group": "loom",
            "class": "availability",
            "custom_details": custom_details if custom_details is not None
            else {"probe": "/ready", "status": 503, "checks": {"postgres": "error"}},
        },
        "client": "loom-itest",
        "client_url": "http://127.0.0.1/itest",
    }
    if dedup_key is not None:
        event["dedup_key"] = dedup_key
    for k, v in extra.items():
        if k.startswith("payload_"):
            event["payload"][k[len("payload_"):]] = v
        else:
            event[k] = v
    return event


def pd_action(action, dedup_key, routing_key=LOOM_KEY):
    return {"routing_key": routing_key, "event_action": action, "dedup_key": dedup_key}


def pd_success(dedup_key):
    return {"status": "success", "message": "Event processed", "dedup_key": dedup_key}


def load_fixture(name):
    """A recorded Alertmanager delivery from tests/data/alertmanager: {received_at, headers, body}."""
    with open(os.path.join(TEST_DATA, "alertmanager", name)) as f:
        return json.load(f)


# ------------------------------------------------------------------------------------------------
# Test base classes


class LoomTestCase(unittest.TestCase):
    """Assertions for loom-oncall's answers, and servers started per test (new_server)."""

    def new_server(self, start=True, **kwargs):
        server = Server(**kwargs)
        self.addCleanup(server.cleanup)
        # Cleanups run last-in first-out: this one runs before the temp dir is removed.
        self.addCleanup(self._print_diagnostics_if_failed, server)
        if start:
            server.start()
        return server

    def _print_diagnostics_if_failed(self, server):
        if _problem_count(self._result) > self._problems_before:
            print(f"\n==== diagnostics for {self.id()}\n{server.diagnostics()}", flush=True)

    def run(self, result=None):
        # Attach the servers' stderr to a failing test's output (failures reach `result` as they
        # happen, before the cleanups run).
        self._result = result
        self._problems_before = before = _problem_count(result)
        out = super().run(result)
        server = getattr(type(self), "server", None)
        if server is not None and result is not None and _problem_count(result) > before:
            print(f"\n==== diagnostics for {self.id()}\n{server.diagnostics()}", flush=True)
        return out

    def assertAccepted(self, resp, dedup_key=None):
        self.assertEqual(resp.status, 202, resp)
        body = resp.json()
        if dedup_key is not None:
            self.assertEqual(body, pd_success(dedup_key))
        return body

    def assertPagerDutyInvalid(self, resp, status=400):
        self.assertEqual(resp.status, status, resp)
        self.assertEqual(resp.content_type, "application/json", resp.headers)
        body = resp.json()
        self.assertEqual(body.get("status"), "invalid event", body)
        self.assertEqual(body.get("message"), "Event object is invalid", body)
        self.assertIsInstance(body.get("errors"), list, body)
        self.assertTrue(body["errors"], f"errors should say what is wrong: {body}")
        for e in body["errors"]:
            self.assertIsInstance(e, str, body)
        return body

    def wait_until(self, predicate, what, timeout=20.0):
        """The first truthy value of predicate(), polled every 50 ms; fails after `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            self.assertLess(time.monotonic(), deadline, f"timed out waiting for {what}")
            time.sleep(0.05)

    def assertProblem(self, resp, status, type_suffix):
        self.assertEqual(resp.status, status, resp)
        self.assertEqual(resp.content_type, "application/problem+json", resp.headers)
        body = resp.json()
        self.assertEqual(body.get("status"), status, body)
        self.assertTrue(str(body.get("type", "")).endswith(type_suffix),
                        f"problem type should end with {type_suffix!r}: {body}")
        self.assertTrue(body.get("title"), body)
        return body


class ServerTestCase(LoomTestCase):
    """One server for the whole class (tests use unique dedup keys, so they do not interfere)."""

    config_text = DEFAULT_CONFIG

    @classmethod
    def make_server(cls):
        """The class's server, not started (a subclass may start what it needs first)."""
        return Server(config_text=cls.config_text)

    @classmethod
    def setUpClass(cls):
        cls.server = cls.make_server()
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop_ok()
        finally:
            cls.server.cleanup()


def _problem_count(result):
    if result is None:
        return 0
    return len(result.failures) + len(result.errors)
