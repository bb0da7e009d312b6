"""Single sign-on test support: the real OpenID Connect provider of tests/oidc (oidc-provider, run
by node on 127.0.0.1 from tests/oidc/provider.mjs) and a small cookie-keeping HTTP client that
walks the authorization code flow the way a browser does (redirects by hand, so a test can stop
before the callback and replay or change it).

Standard library only (node and tests/oidc/node_modules come from scripts/setup.sh).
"""

import http.client
import json
import os
import queue
import subprocess
import tempfile
import threading
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
OIDC_DIR = os.path.normpath(os.path.join(HERE, "..", "oidc"))
CALLBACK_PATH = "/ui/auth/oidc/callback"


class Provider:
    """`node tests/oidc/provider.mjs CONFIG` with `clients` and `accounts` (see that file)."""

    def __init__(self, clients, accounts, host="127.0.0.1"):
        if not os.path.isdir(os.path.join(OIDC_DIR, "node_modules", "oidc-provider")):
            raise AssertionError("tests/oidc/node_modules is missing: run scripts/setup.sh")
        self.root = tempfile.mkdtemp(prefix="loom-oidc-")
        self.config_path = os.path.join(self.root, "provider.json")
        with open(self.config_path, "w") as f:
            json.dump({"host": host, "port": 0, "clients": clients, "accounts": accounts}, f)
        self.stderr_path = os.path.join(self.root, "provider.stderr.log")
        self.proc = None
        self.issuer = None

    def start(self, timeout=20.0):
        err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(["node", "provider.mjs", self.config_path], cwd=OIDC_DIR,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        err.close()
        lines = queue.Queue()

        def pump():
            for raw in self.proc.stdout:
                lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
            lines.put(None)
        threading.Thread(target=pump, daemon=True).start()
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            line = None
        prefix = "oidc-provider listening on "
        if not line or not line.startswith(prefix):
            self.stop()
            raise AssertionError(f"the provider did not start ({line!r}):\n{self.diagnostics()}")
        self.issuer = line[len(prefix):]
        return self

    def diagnostics(self):
        try:
            with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-3000:]
        except OSError as e:
            return f"<no provider log: {e}>"

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def control(self, method, path):
        """A test control of provider.mjs (/test/...): its JSON answer."""
        u = urllib.parse.urlsplit(self.issuer)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            conn.request(method, path)
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                raise AssertionError(f"{method} {path} -> {r.status}: {body[:300]!r}")
            return json.loads(body)
        finally:
            conn.close()


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value), names lower-case
        self.body = body.decode("utf-8", "replace")

    def header(self, name):
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def set_cookies(self):
        """{name: value} of the Set-Cookie headers ("" for a deleted cookie)."""
        out = {}
        for k, v in self.headers:
            if k == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                out[name.strip()] = "" if "max-age=0" in v.lower() else value
        return out

    def __repr__(self):
        return f"<{self.status} {self.headers} {self.body[:400]!r}>"


class Browser:
    """Keeps cookies per host:port (ignoring paths) and follows nothing by itself."""

    def __init__(self):
        self.jar = {}  # "host:port" -> {name: value}

    def request(self, method, url, form=None, headers=None):
        u = urllib.parse.urlsplit(url)
        origin = f"{u.hostname}:{u.port}"
        hdrs = dict(headers or {})
        cookies = self.jar.get(origin, {})
        if cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        try:
            conn.request(method, (u.path or "/") + (f"?{u.query}" if u.query else ""), body=body,
                         headers=hdrs)
            r = conn.getresponse()
            answer = Answer(r.status, [(k.lower(), v) for k, v in r.getheaders()], r.read())
        finally:
            conn.close()
        for name, value in answer.set_cookies().items():
            if value:
                self.jar.setdefault(origin, {})[name] = value
            else:
                self.jar.get(origin, {}).pop(name, None)
        return answer

    def follow(self, url, stop_at, form=None, method="GET", limit=20):
        """Requests `url`, then follows redirects until one points at a URL starting with
        `stop_at` (returned, not requested) or a page answers (returned as an Answer)."""
        answer = self.request(method, url, form=form)
        for _ in range(limit):
            if answer.status not in (301, 302, 303, 307):
                return answer
            location = urllib.parse.urljoin(url, answer.header("location"))
            if location.startswith(stop_at):
                return location
            url = location
            answer = self.request("GET", url)
        raise AssertionError("too many redirects")

    def sign_in_at_provider(self, authorization_url, callback_prefix, login, password):
        """The provider's side of a sign-in: its login form, then its consent form. Returns the
        callback URL the provider redirects the browser to (not requested)."""
        at = self.follow(authorization_url, callback_prefix)
        for _ in range(4):
            if isinstance(at, str):
                return at
            if at.status != 200:
                raise AssertionError(f"the provider answered {at!r}")
            action = _form_action(at.body)
            form = {"login": login, "password": password} if action.endswith("/login") else {}
            at = self.follow(urllib.parse.urljoin(authorization_url, action), callback_prefix,
                             form=form, method="POST")
        raise AssertionError(f"the provider did not redirect back: {at!r}")


def _form_action(html):
    marker = 'action="'
    start = html.find(marker)
    if start < 0:
        raise AssertionError(f"no form on the provider's page: {html[:500]!r}")
    start += len(marker)
    return html[start:html.index('"', start)]
