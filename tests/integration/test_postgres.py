"""The PostgreSQL store (issue "PostgreSQL back end and several instances"): the real binary with
`store: {kind: postgres, url_env: ...}` against a real PostgreSQL from Debian's packages, started
for this module by scripts/pg_test_server.sh (its own server, so that stopping it for the outage
test disturbs no other test).

- every event that got a 202 is in the database after a kill -9 mid-stream;
- two instances on one database serve the same incidents, and a repeat sent to either joins them;
- `loom-oncall migrate` applies the schema and says so;
- the database stopped under ingest load: the server keeps running, ingest answers 503 (not a
  hang), /ready goes 503 and comes back by itself, and nothing answered 202 is lost.
"""

import os
import subprocess
import tempfile
import threading
import time

import harness
from harness import pd_trigger, unique
import test_durability

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PG_SCRIPT = os.path.join(ROOT, "scripts", "pg_test_server.sh")


def psql(url, sql):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError(f"psql {sql!r}: {out.stderr}")
    return out.stdout.strip()


class PostgresServer:
    """A throwaway PostgreSQL for this module."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="loom-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "pg")

    def start(self):
        subprocess.run(["bash", PG_SCRIPT, "start", self.data], check=True, timeout=120,
                       capture_output=True)
        with open(os.path.join(self.data, "url")) as f:
            self.admin_url = f.read().strip()

    def pg_ctl(self, *args):
        binary = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1]
        cmd = [f"/usr/lib/postgresql/{binary}/bin/pg_ctl", "-D", os.path.join(self.data, "data"),
               "-w", *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, timeout=120, capture_output=True)

    def stop_server(self):
        self.pg_ctl("-m", "fast", "stop")

    def restart_server(self):
        port = self.admin_url.rsplit(":", 1)[1].split("/")[0]
        self.pg_ctl("-l", os.path.join(self.data, "server.log"), "-o",
                    f"-h 127.0.0.1 -p {port} -k {self.data} -c fsync=off", "start")

    def new_database(self):
        name = unique("loom").replace("-", "_")
        psql(self.admin_url, f"CREATE DATABASE {name}")
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    def cleanup(self):
        subprocess.run(["bash", PG_SCRIPT, "stop", self.data], timeout=120, capture_output=True)
        subprocess.run(["rm", "-rf", self.dir], timeout=60)


def postgres_config(url_env="LOOM_ONCALL_PG_URL"):
    return harness.DEFAULT_CONFIG + f"store:\n  kind: postgres\n  url_env: {url_env}\n"


class PostgresStoreTest(harness.LoomTestCase):

    @classmethod
    def setUpClass(cls):
        cls.pg = PostgresServer()
        try:
            cls.pg.start()
        except Exception:
            cls.pg.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.pg.cleanup()

    def server_on(self, url, start=True):
        return self.new_server(start=start, config_text=postgres_config(),
                               env={"LOOM_ONCALL_PG_URL": url})

    def test_every_202_is_in_postgres_after_kill_9_mid_stream(self):
        url = self.pg.new_database()
        server = self.server_on(url)
        durability = test_durability.DurabilityTest()
        load = durability.run_load_then(server, server.kill)
        self.assertTrue(load.errors, "the load should have been cut off mid-stream by the kill")
        server.start()
        stored = set(psql(url, "SELECT dedup_key FROM incidents").split("\n"))
        missing = sorted(load.acked_unique - stored)
        self.assertFalse(missing, f"{len(missing)} of {len(load.acked_unique)} accepted events "
                                  f"are lost, e.g. {missing[:5]}")
        for key, count in load.acked_repeats.items():
            alerts = int(psql(url, f"SELECT COUNT(*) FROM alerts WHERE dedup_key = '{key}'"))
            self.assertGreaterEqual(alerts, count, key)
        # The restarted server numbers after the highest stored incident.
        highest = int(psql(url, "SELECT MAX(number) FROM incidents"))
        key = unique("after-restart")
        self.assertAccepted(server.enqueue(pd_trigger(dedup_key=key)), key)
        [after] = server.incidents_by_dedup_key(key)
        self.assertGreater(after["number"], highest)
        server.stop_ok(self)

    def test_two_instances_serve_one_database(self):
        url = self.pg.new_database()
        a = self.server_on(url)
        b = self.server_on(url)
        key = unique("shared")
        self.assertAccepted(a.enqueue(pd_trigger(dedup_key=key)), key)
        [seen_by_b] = b.incidents_by_dedup_key(key)
        self.assertEqual(seen_by_b["alert_count"], 1)
        # A repeat sent to the other instance joins the same incident.
        self.assertAccepted(b.enqueue(pd_trigger(dedup_key=key)), key)
        [seen_by_a] = a.incidents_by_dedup_key(key)
        self.assertEqual(seen_by_a["id"], seen_by_b["id"])
        self.assertEqual(seen_by_a["alert_count"], 2)
        # New incidents from both instances get distinct numbers.
        numbers = set()
        for server in (a, b, a, b):
            k = unique("distinct")
            self.assertAccepted(server.enqueue(pd_trigger(dedup_key=k)), k)
            [incident] = server.incidents_by_dedup_key(k)
            numbers.add(incident["number"])
        self.assertEqual(len(numbers), 4)
        a.stop_ok(self)
        b.stop_ok(self)

    def test_migrate_applies_the_schema(self):
        url = self.pg.new_database()
        root = tempfile.mkdtemp(prefix="loom-migrate-")
        self.addCleanup(subprocess.run, ["rm", "-rf", root])
        config = os.path.join(root, "loom-oncall.yaml")
        with open(config, "w") as f:
            f.write(postgres_config())
        env = harness.base_env(LOOM_ONCALL_PG_URL=url)
        out = subprocess.run([harness.binary(), "migrate", "--config", config], env=env,
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("PostgreSQL ($LOOM_ONCALL_PG_URL) is at the current schema", out.stdout)
        self.assertNotIn(url, out.stdout + out.stderr)
        self.assertGreaterEqual(int(psql(url, "SELECT MAX(version) FROM schema_migrations")), 8)
        # A database that cannot be reached: a one-line error and a non-zero exit.
        env = harness.base_env(LOOM_ONCALL_PG_URL="postgresql://loom@127.0.0.1:1/none")
        out = subprocess.run([harness.binary(), "migrate", "--config", config], env=env,
                             capture_output=True, text=True, timeout=60)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("cannot open store 'PostgreSQL ($LOOM_ONCALL_PG_URL)'", out.stderr)

    def test_database_outage_answers_503_and_recovers(self):
        url = self.pg.new_database()
        server = self.server_on(url)
        self.assertEqual(server.request("GET", "/ready").status, 200)
        accepted, statuses = [], []
        stop = threading.Event()

        def send():
            client = server.client(timeout=30)
            n = 0
            while not stop.is_set():
                n += 1
                key = unique(f"outage-{n}")
                r = client.request("POST", "/v2/enqueue", body=pd_trigger(dedup_key=key))
                statuses.append(r.status)
                if r.status == 202:
                    accepted.append(key)
                time.sleep(0.01)
            client.close()

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        try:
            time.sleep(0.5)
            self.pg.stop_server()
            # While the database is down: ingest answers 503 (the vendor's body), /ready 503.
            deadline = time.time() + 30
            while time.time() < deadline and server.request("GET", "/ready").status != 503:
                time.sleep(0.2)
            self.assertEqual(server.request("GET", "/ready").status, 503)
            seen_503 = len(statuses)
            time.sleep(1.0)
            self.assertIn(503, statuses[seen_503 - 1:], statuses[-10:])
            self.assertTrue(server.running(), "the server must survive the outage")
            self.pg.restart_server()
            deadline = time.time() + 30
            while time.time() < deadline and server.request("GET", "/ready").status != 200:
                time.sleep(0.2)
            self.assertEqual(server.request("GET", "/ready").status, 200)
            time.sleep(0.5)
        finally:
            stop.set()
            sender.join(30)
        self.assertTrue(set(statuses) <= {202, 503}, set(statuses))
        stored = set(psql(url, "SELECT dedup_key FROM incidents").split("\n"))
        missing = sorted(set(accepted) - stored)
        self.assertFalse(missing, f"{len(missing)} accepted events lost, e.g. {missing[:5]}")
        server.stop_ok(self)
