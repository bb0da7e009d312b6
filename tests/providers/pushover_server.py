"""A fake Pushover API as Pushover documents it: `POST /1/messages.json` (form: token, user,
message, title, url, url_title, priority -2..2; priority 2 needs retry >= 30 and expire <= 10800,
optional callback) answering `{"status": 1, "request", "receipt"}` (a receipt of 30 [A-Za-z0-9]
for emergency priority) or `{"status": 0, "errors": [...]}` with 400; `GET /1/receipts/<r>.json`;
`POST /1/receipts/<r>/cancel.json` (form: token). acknowledge() plays the person pressing
"Acknowledge" in the app: Pushover then POSTs the callback URL of the message (form: receipt,
acknowledged=1, acknowledged_at, acknowledged_by, acknowledged_by_device)."""

import re
import secrets
import string
import time
import urllib.parse
import urllib.error
import urllib.request
import uuid

from fake_vendor import FakeVendor, form

RECEIPT_ALPHABET = string.ascii_letters + string.digits
CANCEL = re.compile(r"^/1/receipts/([A-Za-z0-9]+)/cancel\.json$")
RECEIPT = re.compile(r"^/1/receipts/([A-Za-z0-9]+)\.json(\?.*)?$")


class PushoverServer(FakeVendor):

    def __init__(self, app_token, user_keys):
        self.app_token = app_token
        self.user_keys = set(user_keys)
        self.messages = []   # accepted messages (form fields, plus "receipt")
        self.receipts = {}   # receipt -> {message, acknowledged, cancelled}
        self.cancels = []    # receipts cancelled, in order
        super().__init__()

    def handle(self, method, path, headers, body):
        def error(status, text, **fields):
            return status, {**fields, "errors": [text], "status": 0,
                            "request": str(uuid.uuid4())}, {}
        if method == "POST" and path == "/1/messages.json":
            if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                return error(400, "message cannot be blank")
            f = form(body)
            if f.get("token") != self.app_token:
                return error(400, "application token is invalid", token="invalid")
            if f.get("user") not in self.user_keys:
                return error(400, "user identifier is not a valid user, group, or subscribed "
                             "user key", user="invalid")
            if not f.get("message"):
                return error(400, "message cannot be blank", message="cannot be blank")
            priority = int(f.get("priority", "0"))
            if not -2 <= priority <= 2:
                return error(400, "priority is invalid", priority="invalid")
            answer = {"status": 1, "request": str(uuid.uuid4())}
            if priority == 2:
                if not f.get("retry") or int(f["retry"]) < 30:
                    return error(400, "retry is invalid", retry="invalid")
                if not f.get("expire") or int(f["expire"]) > 10800:
                    return error(400, "expire is invalid", expire="invalid")
                receipt = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(30))
                answer["receipt"] = receipt
                f["receipt"] = receipt
                with self.lock:
                    self.receipts[receipt] = {"message": f, "acknowledged": 0, "cancelled": False}
            with self.lock:
                self.messages.append(f)
            return 200, answer, {}
        m = CANCEL.match(path)
        if method == "POST" and m:
            if form(body).get("token") != self.app_token:
                return error(400, "application token is invalid", token="invalid")
            with self.lock:
                r = self.receipts.get(m.group(1))
                if r is None:
                    return error(404, "receipt not found; may be invalid or expired",
                                 receipt="not found")
                r["cancelled"] = True
                self.cancels.append(m.group(1))
            return 200, {"status": 1, "request": str(uuid.uuid4())}, {}
        m = RECEIPT.match(path)
        if method == "GET" and m:
            with self.lock:
                r = self.receipts.get(m.group(1))
            if r is None:
                return error(404, "receipt not found; may be invalid or expired")
            return 200, {"status": 1, "acknowledged": r["acknowledged"],
                         "expired": 0, "called_back": 0}, {}
        return 404, {"status": 0, "errors": ["not found"]}, {}

    def acknowledge(self, receipt, user_key, device="phone", callback=None):
        """Pushover's callback for `receipt` acknowledged by `user_key`: POSTs to the message's
        callback URL (or `callback`) and answers (status, body)."""
        with self.lock:
            r = self.receipts.get(receipt)
            url = callback or (r["message"].get("callback") if r else None)
            if r is not None:
                r["acknowledged"] = 1
        data = urllib.parse.urlencode({
            "receipt": receipt, "acknowledged": "1", "acknowledged_at": str(int(time.time())),
            "acknowledged_by": user_key, "acknowledged_by_device": device}).encode()
        request = urllib.request.Request(url, data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
