"""Local stand-ins for the chat services' incoming webhooks (tests/integration/test_chat_channels.py),
speaking what the vendors document (../../../shared/CHANNELS.md, docs/channels.md):

- TeamsWebhookFake: a Microsoft Teams "Workflows" webhook. POST JSON {"type": "message",
  "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": <card>}]}
  with an Adaptive Card of version 1.4 or lower; answers 202 Accepted with an empty body, or
  400 {"error": {"code", "message"}} for a body that is not such a message.
- MattermostWebhookFake: a Mattermost incoming webhook. POST JSON with `text` and/or
  `attachments`; answers 200 "ok" (text/plain), or 400 {"id", "message", "status_code"} for a
  body without either. press() then does what the Mattermost server does when a person presses
  an interactive button: POST {user_id, user_name, channel_id, team_id, post_id, context} to the
  button's integration URL.

Both listen on 127.0.0.1 (port 0), record every request (path, headers, parsed body) and answer a
path from its script first: a list of (status, headers, body) tuples, then the vendor's success.
Standard library only.
"""

import http.server
import json
import threading
import time
import urllib.error
import urllib.request


class _WebhookFake:
    def __init__(self):
        self.requests = []
        self.script = {}
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                with fake.lock:
                    fake.requests.append({"path": self.path, "headers": dict(self.headers.items()),
                                          "body": body, "raw": raw, "at": time.monotonic()})
                    steps = fake.script.get(self.path) or []
                    scripted = steps.pop(0) if steps else None
                status, headers, answer = scripted or fake.answer(self.headers, body)
                data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def at(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def wait_for(self, path, predicate, what, timeout=20.0):
        """The requests at `path` once predicate(requests) holds; AssertionError after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.at(path)
            if predicate(got):
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what} at {path}; got "
                                     f"{[r['body'] for r in got]}")
            time.sleep(0.05)


class TeamsWebhookFake(_WebhookFake):
    def answer(self, headers, body):
        problem = self.problem(headers, body)
        if problem:
            return 400, {"Content-Type": "application/json"}, {
                "error": {"code": "InvalidRequestContent", "message": problem}}
        return 202, {}, ""

    @staticmethod
    def problem(headers, body):
        if not headers.get("Content-Type", "").startswith("application/json"):
            return "the body must be JSON"
        if not isinstance(body, dict) or body.get("type") != "message":
            return "the body must be a message"
        attachments = body.get("attachments")
        if not isinstance(attachments, list) or not attachments:
            return "the message has no attachments"
        for a in attachments:
            if a.get("contentType") != "application/vnd.microsoft.card.adaptive":
                return "an attachment is not an Adaptive Card"
            card = a.get("content") or {}
            if card.get("type") != "AdaptiveCard":
                return "the card's type is not AdaptiveCard"
            version = tuple(int(p) for p in str(card.get("version", "0")).split("."))
            if version > (1, 4):
                return f"card version {card.get('version')} is above 1.4"
        return None

    @staticmethod
    def cards(requests):
        return [r["body"]["attachments"][0]["content"] for r in requests]


class MattermostWebhookFake(_WebhookFake):
    def answer(self, headers, body):
        if not isinstance(body, dict) or not (body.get("text") or body.get("attachments")):
            return 400, {"Content-Type": "application/json"}, {
                "id": "web.incoming_webhook.text.app_error", "message": "No text specified",
                "status_code": 400}
        return 200, {"Content-Type": "text/plain"}, "ok"

    @staticmethod
    def button(post, attachment=0):
        """The Acknowledge button of the post's attachment, or None."""
        actions = post["attachments"][attachment].get("actions") or []
        return actions[0] if actions else None

    @staticmethod
    def press(button, user_name, user_id="mm-user-1", post_id="mm-post-1", context=None):
        """What Mattermost sends when `user_name` presses `button`: (status, JSON answer)."""
        payload = {"user_id": user_id, "user_name": user_name, "channel_id": "mm-channel-1",
                   "team_id": "mm-team-1", "post_id": post_id, "trigger_id": "", "type": "",
                   "data_source": "",
                   "context": button["integration"]["context"] if context is None else context}
        request = urllib.request.Request(button["integration"]["url"],
                                         data=json.dumps(payload).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")
