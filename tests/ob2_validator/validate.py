"""Runs 1EdTech's Open Badges 2.0 validator (PyPI `openbadges`, openbadges-validator-core)
on one hosted assertion, offline: every URL it fetches is answered from a JSON bundle of
documents (and the validator's own bundled OB 2.0 context), any other URL fails, and the
clock is pinned. Used by tests/credential_ob2_validator.rs.

Usage: validate.py BUNDLE.json  ->  prints one JSON object:
  {"report": <the validator's report>, "tasks": {"total", "incomplete", "failed"},
   "fetched": [URLs requested]}

BUNDLE: {"now": "YYYY-MM-DDTHH:MM:SSZ", "assertion": URL,
         "recipient": {"email": ...} | null,
         "documents": {URL: {"contentType": ..., "body": text}}}
"""
import collections
import collections.abc
import datetime as _dt
import json
import sys

# The validator (and its pinned dependencies) predate Python 3.10, which moved these
# names to collections.abc; alias them before importing it.
for _name in ("Mapping", "MutableMapping", "Iterable", "Sequence", "MutableSet", "Set",
              "Callable", "Hashable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

import responses  # noqa: E402
from openbadges.verifier import verifier as _verifier  # noqa: E402
from openbadges.verifier.openbadges_context import (  # noqa: E402
    OPENBADGES_CONTEXT_V2_DICT, OPENBADGES_CONTEXT_V2_URI)
from openbadges.verifier.tasks import validation as _validation  # noqa: E402


def main(path):
    with open(path, encoding="utf-8") as f:
        bundle = json.load(f)
    now = _dt.datetime.strptime(bundle["now"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=_dt.timezone.utc)

    class PinnedDatetime(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return now if tz is None else now.astimezone(tz)

    # The one clock read of the validator (assertion_timestamp_checks).
    _validation.datetime = PinnedDatetime

    options = {"use_cache": False, "cache_backend": None}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for url, doc in bundle["documents"].items():
            rsps.add(responses.GET, url, body=doc["body"].encode("utf-8"),
                     content_type=doc["contentType"])
        rsps.add(responses.GET, OPENBADGES_CONTEXT_V2_URI,
                 body=json.dumps(OPENBADGES_CONTEXT_V2_DICT),
                 content_type="application/ld+json")
        selected = _verifier._get_options(options)
        store = _verifier.verification_store(
            bundle["assertion"], bundle.get("recipient"), options=selected)
        report = _verifier.generate_report(store, options=selected)
        fetched = [call.request.url for call in rsps.calls]
    tasks = store.get_state()["tasks"]
    summary = {
        "total": len(tasks),
        "incomplete": [t.get("name") for t in tasks if not t.get("complete")],
        "failed": [{"name": t.get("name"), "result": t.get("result")}
                   for t in tasks if t.get("complete") and not t.get("success")],
    }
    print(json.dumps({"report": report, "tasks": summary, "fetched": fetched}, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
