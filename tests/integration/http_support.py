"""HTTP for the integration tests: a keep-alive client, a raw exchange that stops sending once the
server answers, and a local HTTP server on 127.0.0.1 for sinks and fake upstreams.

harness.py re-exports these names; tests use them as harness.Client and so on. Standard library
only.
"""

import http.client
import http.server
import json
import select
import socket
import threading
import time

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def content_type(self):
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise AssertionError(f"response {self.status} is not JSON ({e}): {self.text[:500]!r}")

    def __repr__(self):
        return f"<Response {self.status} {self.text[:300]!r}>"


class Client:
    """One keep-alive HTTP/1.1 connection (reconnects after the server closes it)."""

    def __init__(self, host, port, timeout=30.0):
        self.host, self.port, self.timeout = host, port, timeout
        self._conn = None

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method, path, body=None, headers=None, token=None, raw=None):
        """`body` is JSON-encoded; `raw` (bytes/str) is sent as is. Returns a Response."""
        hdrs = {"Accept": "application/json"}
        data = None
        if raw is not None:
            data = raw.encode() if isinstance(raw, str) else raw
            hdrs["Content-Type"] = "application/json"
        elif body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        hdrs.update(headers or {})
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self._conn.request(method, path, body=data, headers=hdrs)
            r = self._conn.getresponse()
            resp = Response(r.status, r.getheaders(), r.read())
        except Exception:
            self.close()
            raise
        if resp.headers.get("connection", "").lower() == "close":
            self.close()
        return resp


def raw_exchange(host, port, head, body, timeout=30.0):
    """Sends `head` + `body` on a fresh socket but stops sending as soon as the server answers (a
    server refusing an oversized body may answer and close before reading it all). Returns a
    Response parsed from what the server sent."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.setblocking(False)
        out = memoryview(head + body)
        received = b""
        deadline = time.monotonic() + timeout
        sending = True
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no complete answer within {timeout}s; got {received[:300]!r}")
            r, w, _ = select.select([s], [s] if sending and out else [], [], left)
            if w:
                try:
                    n = s.send(out[:65536])
                    out = out[n:]
                except (BrokenPipeError, ConnectionResetError):
                    sending = False
            if r:
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    if received:
                        break
                    raise AssertionError("the server reset the connection without an answer")
                if not chunk:
                    break
                received += chunk
                parsed = _parse_response(received)
                if parsed is not None:
                    return parsed
        parsed = _parse_response(received, eof=True)
        if parsed is None:
            raise AssertionError(f"incomplete HTTP answer: {received[:300]!r}")
        return parsed
    finally:
        s.close()


def _parse_response(data, eof=False):
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = data[:end].decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.append((k.strip(), v.strip()))
    length = None
    for k, v in headers:
        if k.lower() == "content-length":
            length = int(v)
    body = data[end + 4:]
    if length is not None:
        if len(body) < length:
            return None
        body = body[:length]
    elif not eof:
        return None
    return Response(status, headers, body)


def free_port():
    """A port nothing listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalHttpServer:
    """A ThreadingHTTPServer with `handler` on 127.0.0.1 port 0, served from a daemon thread (for
    sinks and fake upstreams). close() stops it."""

    def __init__(self, handler):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
