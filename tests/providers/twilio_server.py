"""A local stand-in for Twilio's REST API (the parts loom-oncall's sms and voice channels use), for
the integration tests and the benchmark. It speaks the documented API: HTTP Basic auth with the
Account SID and Auth Token, form-encoded POSTs to

  /2010-04-01/Accounts/{AccountSid}/Messages.json   To, From | MessagingServiceSid, Body,
                                                    StatusCallback
  /2010-04-01/Accounts/{AccountSid}/Calls.json      To, From, Twiml | Url, MachineDetection,
                                                    StatusCallback

answering 201 with a JSON resource (`sid` SM…/CA…, `status` "queued"), and Twilio's error body
{code, message, more_info, status} for a wrong account or credentials (401 / 20003), a missing
parameter (400 / 21604, 21602, 21603) or a scripted failure (429 with Retry-After, 5xx). Every
request is recorded (resource, form, headers, time).

Standard library only; one thread per request; binds 127.0.0.1 on a free port.
Run alone: python3 twilio_server.py ACCOUNT_SID AUTH_TOKEN  (prints the base URL).
"""

import base64
import http.server
import json
import secrets
import sys
import threading
import time
import urllib.parse

API_VERSION = "2010-04-01"


class TwilioServer:

    def __init__(self, account_sid, auth_token):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests = []          # every request that reached a resource, in order
        self.script = {}            # "Messages.json" / "Calls.json" -> [(status, headers)] to answer first
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace")
                status, headers, answer = server.answer(self.path, dict(self.headers), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def api_url(self):
        return f"http://127.0.0.1:{self.port}/{API_VERSION}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    @staticmethod
    def error(status, code, message):
        return status, {}, {"code": code, "message": message,
                            "more_info": f"https://www.twilio.com/docs/errors/{code}",
                            "status": status}

    def answer(self, path, headers, body):
        prefix = f"/{API_VERSION}/Accounts/"
        if not path.startswith(prefix):
            return self.error(404, 20404, "The requested resource was not found")
        sid, _, resource = path[len(prefix):].partition("/")
        if resource not in ("Messages.json", "Calls.json"):
            return self.error(404, 20404, "The requested resource was not found")
        expected = "Basic " + base64.b64encode(
            f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if sid != self.account_sid or headers.get("Authorization") != expected:
            return self.error(401, 20003, "Authenticate")
        if not headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return self.error(400, 20001, "Content-Type must be application/x-www-form-urlencoded")
        form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        with self.cond:
            self.requests.append({"resource": resource, "form": form, "headers": headers,
                                  "at": time.monotonic()})
            self.cond.notify_all()
            scripted = self.script.get(resource)
            if scripted:
                status, extra = scripted.pop(0)
                code = 20429 if status == 429 else 20500
                s, _, err = self.error(status, code, "Too Many Requests" if status == 429
                                       else "Internal Server Error")
                return s, extra, err
        if not form.get("To"):
            return self.error(400, 21604, "A 'To' phone number is required.")
        if resource == "Messages.json":
            if not form.get("From") and not form.get("MessagingServiceSid"):
                return self.error(400, 21603, "A 'From' phone number is required.")
            if not form.get("Body"):
                return self.error(400, 21602, "Message body is required.")
            return 201, {}, {"sid": "SM" + secrets.token_hex(16), "account_sid": sid,
                             "to": form["To"], "from": form.get("From"),
                             "messaging_service_sid": form.get("MessagingServiceSid"),
                             "body": form["Body"], "status": "queued",
                             "api_version": API_VERSION}
        if not form.get("From"):
            return self.error(400, 21213, "No 'From' number is specified")
        if not form.get("Twiml") and not form.get("Url"):
            return self.error(400, 21205, "Url parameter is required.")
        return 201, {}, {"sid": "CA" + secrets.token_hex(16), "account_sid": sid,
                         "to": form["To"], "from": form["From"], "status": "queued",
                         "api_version": API_VERSION}

    def sent(self, resource, to=None):
        with self.lock:
            return [r for r in self.requests
                    if r["resource"] == resource and (to is None or r["form"].get("To") == to)]

    def wait_for(self, predicate, timeout=20.0):
        """Waits until predicate(requests) is truthy; returns its value (None on time-out)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = predicate(list(self.requests))
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)


if __name__ == "__main__":
    server = TwilioServer(sys.argv[1], sys.argv[2])
    print(server.api_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.close()
