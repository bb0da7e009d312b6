"""Shared plumbing of the fake vendor servers in this folder (ntfy_server.py, pushover_server.py,
telegram_server.py): a ThreadingHTTPServer on 127.0.0.1 port 0 whose subclasses answer each
request, record what they received, and can be told to fail the next requests (`fail_next`) with
a status, a body and headers — 429 with Retry-After, 5xx — the way the vendor answers."""

import http.server
import json
import threading
import urllib.parse


class FakeVendor:
    """Subclasses implement handle(method, path, headers, body) -> (status, body, headers)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []  # every request: {method, path, headers, body}
        self._failures = []
        vendor = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length) if length else b""
                request = {"method": self.command, "path": self.path,
                           "headers": {k.lower(): v for k, v in self.headers.items()},
                           "body": body}
                with vendor.lock:
                    vendor.requests.append(request)
                    failure = vendor._failures.pop(0) if vendor._failures else None
                if failure is not None:
                    status, out, headers = failure
                else:
                    status, out, headers = vendor.handle(self.command, self.path,
                                                         request["headers"], body)
                if isinstance(out, (dict, list)):
                    out = json.dumps(out)
                    headers = {"Content-Type": "application/json", **(headers or {})}
                data = out.encode() if isinstance(out, str) else out
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _serve

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def fail_next(self, status, body="", headers=None, times=1):
        """The next `times` requests get this answer instead of the normal one."""
        with self.lock:
            self._failures.extend([(status, body, headers or {})] * times)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, method, path, headers, body):
        raise NotImplementedError


def form(body):
    """An application/x-www-form-urlencoded body as a dict of first values."""
    return {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
