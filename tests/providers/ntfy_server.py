"""A fake ntfy server speaking the publish API as ntfy documents it: `POST|PUT /<topic>` with the
message as the body and the options as headers (Title/X-Title, Priority 1-5 or min/low/default/
high/urgent, Tags, Click, Actions in the simple "action, label, url, key=value; ..." syntax),
`Authorization: Bearer <token>` on protected topics (403 `{"code":40301,"http":403,"error":...}`
otherwise), 200 `{"id", "time", "event": "message", "topic", ...}`. Every accepted message is
kept in `messages` with its actions parsed."""

import json
import re
import secrets
import time

from fake_vendor import FakeVendor

PRIORITY_NAMES = {"min": 1, "low": 2, "default": 3, "high": 4, "urgent": 5, "max": 5}
TOPIC = re.compile(r"^/([-_A-Za-z0-9]{1,64})$")


def split_quoted(text, sep):
    """Splits on `sep` outside double or single quotes; strips and unquotes the parts."""
    parts, current, quote = [], "", None
    for c in text:
        if quote:
            if c == quote:
                quote = None
            else:
                current += c
        elif c in "\"'":
            quote = c
        elif c == sep:
            parts.append(current.strip())
            current = ""
        else:
            current += c
    parts.append(current.strip())
    return parts


def parse_actions(header):
    """The Actions header's simple format: up to 3 actions separated by ';'."""
    actions = []
    for spec in split_quoted(header, ";"):
        if not spec:
            continue
        fields = split_quoted(spec, ",")
        action = {"action": fields[0], "label": fields[1], "url": fields[2]}
        for extra in fields[3:]:
            key, _, value = extra.partition("=")
            action[key.strip()] = value.strip()
        if action["action"] not in ("view", "http", "broadcast"):
            raise ValueError(f"unknown action {action['action']}")
        actions.append(action)
    if len(actions) > 3:
        raise ValueError("too many actions")
    return actions


class NtfyServer(FakeVendor):

    def __init__(self, tokens=None):
        """`tokens`: topic -> the access token it requires (other topics are open)."""
        self.tokens = dict(tokens or {})
        self.messages = []
        super().__init__()

    def handle(self, method, path, headers, body):
        def error(status, code, text):
            return status, {"code": code, "http": status, "error": text}, {}
        if method not in ("POST", "PUT"):
            return error(405, 40501, "method not allowed")
        m = TOPIC.match(path)
        if not m:
            return error(400, 40009, "invalid topic")
        topic = m.group(1)
        if topic in self.tokens and headers.get("authorization") != "Bearer " + self.tokens[topic]:
            return error(403, 40301, "forbidden")
        priority = headers.get("priority") or headers.get("x-priority") or "3"
        priority = PRIORITY_NAMES.get(priority, None) or int(priority)
        if not 1 <= priority <= 5:
            return error(400, 40007, "invalid priority")
        try:
            actions = parse_actions(headers.get("actions", ""))
        except (ValueError, IndexError) as e:
            return error(400, 40018, f"invalid action: {e}")
        message = {"id": secrets.token_hex(6), "time": int(time.time()), "event": "message",
                   "topic": topic, "message": body.decode(),
                   "title": headers.get("title") or headers.get("x-title", ""),
                   "priority": priority,
                   "tags": [t for t in headers.get("tags", "").split(",") if t],
                   "click": headers.get("click", ""), "actions": actions}
        with self.lock:
            self.messages.append(message)
        return 200, json.dumps(message), {"Content-Type": "application/json"}
