"""Fault rules: make matching requests slow, fail, or lose their connection."""

import itertools
import re
import threading

from .store import ApiError

KINDS = ("status", "latency", "drop", "fail_create")


def _regex(value, field):
    if not isinstance(value, str):
        raise ApiError(400, f"{field} must be a regular expression string")
    try:
        return re.compile(value)
    except re.error as exc:
        raise ApiError(400, f"{field} is not a valid regular expression: {exc}")


class Faults:
    def __init__(self, store):
        self.store = store
        self.lock = threading.Lock()
        self.rules = []
        self._ids = itertools.count(1)

    def add(self, spec):
        if not isinstance(spec, dict):
            raise ApiError(400, "a fault is a JSON object")
        kind = spec.get("kind", "status")
        if kind not in KINDS:
            raise ApiError(400, f"kind must be one of {', '.join(KINDS)}")
        times = spec.get("times")
        if times is not None and (not isinstance(times, int) or times < 1):
            raise ApiError(400, "times must be a positive integer or null")
        rule = {"id": next(self._ids), "kind": kind, "times": times}
        if kind == "fail_create":
            _regex(spec.get("name", ".*"), "name")
            rule["name"] = spec.get("name", ".*")
            with self.store.lock:
                self.store.fail_create.append(rule)
            return rule
        rule["method"] = spec.get("method", ".*")
        rule["path"] = spec.get("path", ".*")
        rule["_method"] = _regex(rule["method"], "method")
        rule["_path"] = _regex(rule["path"], "path")
        if kind == "status":
            status = spec.get("status", 500)
            if not isinstance(status, int) or not 400 <= status <= 599:
                raise ApiError(400, "status must be an HTTP error status (400-599)")
            rule["status"] = status
            rule["message"] = str(spec.get("message", "injected fault"))
        elif kind == "latency":
            seconds = spec.get("seconds", 1.0)
            if not isinstance(seconds, (int, float)) or not 0 <= seconds <= 600:
                raise ApiError(400, "seconds must be a number between 0 and 600")
            rule["seconds"] = float(seconds)
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self):
        with self.store.lock, self.lock:
            self.rules.clear()
            self.store.fail_create.clear()

    def list(self):
        with self.store.lock, self.lock:  # always store.lock first, as Api.handle does
            rules = self.rules + self.store.fail_create
            return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rules]

    def match(self, method, path):
        """Rules that apply to this request (consuming their ``times``)."""
        hits = []
        with self.lock:
            for rule in list(self.rules):
                if rule["_method"].fullmatch(method) and rule["_path"].search(path):
                    hits.append(rule)
                    if rule["times"] is not None:
                        rule["times"] -= 1
                        if rule["times"] <= 0:
                            self.rules.remove(rule)
        return hits
