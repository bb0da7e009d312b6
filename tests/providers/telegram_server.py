"""A fake Telegram Bot API as Telegram documents it: `POST /bot<token>/<method>` with a JSON
body; answers `{"ok": true, "result": ...}` or `{"ok": false, "error_code", "description",
"parameters": {"retry_after"}}`. Methods: sendMessage (chat_id, text, parse_mode,
reply_markup.inline_keyboard with callback_data of at most 64 bytes), editMessageText,
answerCallbackQuery, setWebhook (url, secret_token). press() plays the person pressing an inline
button: Telegram then POSTs a callback_query update to the webhook with the header
X-Telegram-Bot-Api-Secret-Token; a webhook answer naming a method is performed like a call."""

import itertools
import json
import re
import secrets
import urllib.error
import urllib.request

from fake_vendor import FakeVendor

CALL = re.compile(r"^/bot([^/]+)/([A-Za-z]+)$")


class TelegramServer(FakeVendor):

    def __init__(self, bot_token):
        self.bot_token = bot_token
        self.messages = {}        # message_id -> {chat_id, text, reply_markup, edits: [...]}
        self.sent = []            # sendMessage bodies, in order
        self.edits = []           # editMessageText bodies, in order
        self.answers = []         # answerCallbackQuery bodies (calls and webhook answers)
        self.webhook = None       # {url, secret_token}
        self._ids = itertools.count(100)
        super().__init__()

    def handle(self, method, path, headers, body):
        def fail(code, description):
            return code, {"ok": False, "error_code": code, "description": description}, {}
        m = CALL.match(path)
        if method != "POST" or not m:
            return fail(404, "Not Found")
        if m.group(1) != self.bot_token:
            return fail(401, "Unauthorized")
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return fail(400, "Bad Request: can't parse JSON")
        return getattr(self, "do_" + m.group(2), lambda p: fail(404, "Not Found"))(params)

    def do_sendMessage(self, p):
        if "chat_id" not in p or not p.get("text"):
            return 400, {"ok": False, "error_code": 400,
                         "description": "Bad Request: message text is empty"}, {}
        for row in (p.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    return 400, {"ok": False, "error_code": 400,
                                 "description": "Bad Request: BUTTON_DATA_INVALID"}, {}
                if data is None and "url" not in button:
                    return 400, {"ok": False, "error_code": 400,
                                 "description": "Bad Request: can't parse inline keyboard button"}, {}
        with self.lock:
            message_id = next(self._ids)
            self.messages[message_id] = {"chat_id": p["chat_id"], "text": p["text"],
                                         "reply_markup": p.get("reply_markup"), "edits": []}
            self.sent.append(p)
        return 200, {"ok": True, "result": {"message_id": message_id,
                                            "chat": {"id": p["chat_id"], "type": "private"},
                                            "date": 0, "text": p["text"]}}, {}

    def do_editMessageText(self, p):
        with self.lock:
            message = self.messages.get(p.get("message_id"))
            if message is None or message["chat_id"] != p.get("chat_id"):
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: message to edit not found"}, {}
            if message["text"] == p.get("text"):
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: message is not modified"}, {}
            message["text"] = p["text"]
            message["reply_markup"] = p.get("reply_markup")
            message["edits"].append(p)
            self.edits.append(p)
        return 200, {"ok": True, "result": {"message_id": p["message_id"], "text": p["text"]}}, {}

    def do_answerCallbackQuery(self, p):
        with self.lock:
            self.answers.append(p)
        return 200, {"ok": True, "result": True}, {}

    def do_setWebhook(self, p):
        with self.lock:
            self.webhook = {"url": p["url"], "secret_token": p.get("secret_token")}
        return 200, {"ok": True, "result": True, "description": "Webhook was set"}, {}

    def press(self, message_id, button_text, from_id, secret=None, data=None, chat_id=None):
        """Presses the button labelled `button_text` of message `message_id` as user `from_id`:
        POSTs the update to the webhook with the secret header (the registered one, or `secret`)
        and answers (status, body). `data`/`chat_id` forge the update's callback_data and chat."""
        with self.lock:
            message = self.messages[message_id]
            if data is None:  # the button must still be there (an edit may have removed it)
                data = next(b for row in message["reply_markup"]["inline_keyboard"] for b in row
                            if b["text"] == button_text)["callback_data"]
            hook = dict(self.webhook)
        update = {"update_id": next(self._ids), "callback_query": {
            "id": secrets.token_hex(8), "from": {"id": from_id, "is_bot": False,
                                                "first_name": "Alice"},
            "message": {"message_id": message_id, "date": 0,
                        "chat": {"id": chat_id if chat_id is not None else message["chat_id"],
                                 "type": "private"}},
            "chat_instance": "1", "data": data}}
        headers = {"Content-Type": "application/json"}
        token = secret if secret is not None else hook["secret_token"]
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        request = urllib.request.Request(hook["url"], data=json.dumps(update).encode(),
                                         method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        answer = json.loads(text) if text else {}
        if answer.get("method") == "answerCallbackQuery":
            with self.lock:
                self.answers.append(answer)
        return status, text
