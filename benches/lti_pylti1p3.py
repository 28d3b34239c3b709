"""The reference side of `cargo xtask bench lti`: PyPI's pylti1p3 2.0.0 validates the
id_tokens that Cairn's bench client sent (file from `bench_lti --tokens-out`), as a tool
built on it would on each launch: `MessageLaunch.validate()` (state, JWT format, nonce,
registration, RS256 signature against the platform JWKS, deployment, message claims), with
the request, session and cookie of a framework replaced by plain dicts. The login step stored
the nonce in the session, so that is done first, outside the timing.

Prints `@metric pylti1p3_cpu_ms_per_validation` (process CPU time around validate() only) and
`@metric pylti1p3_validations`. No network: the JWKS is given inline in the tool config.
"""

import json
import sys
import time

from pylti1p3.cookie import CookieService
from pylti1p3.exception import LtiException
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.request import Request
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfDict

ROUNDS = 3  # passes over the tokens; each pass uses fresh sessions


class DictRequest(Request):
    """A launch POST: its form and the browser's session."""

    def __init__(self, form, session):
        self.form = form
        self._session = session

    @property
    def session(self):
        return self._session

    def is_secure(self):
        return True

    def get_param(self, key):
        return self.form.get(key)


class DictCookies(CookieService):
    """The browser's cookies: the state cookie the login set."""

    def __init__(self, cookies):
        self.cookies = cookies

    def get_cookie(self, name):
        return self.cookies.get(self._cookie_prefix + "-" + name)

    def set_cookie(self, name, value, exp=3600):
        self.cookies[self._cookie_prefix + "-" + name] = value


class DictMessageLaunch(MessageLaunch):
    """MessageLaunch over DictRequest, as its Django and Flask subclasses do."""

    def _get_request_param(self, key):
        return self._request.get_param(key)


def main():
    doc = json.load(open(sys.argv[1]))
    tool_conf = ToolConfDict(
        {
            doc["issuer"]: {
                "client_id": doc["client_id"],
                "auth_login_url": doc["issuer"] + "/api/lti/authorize_redirect",
                "auth_token_url": doc["issuer"] + "/login/oauth2/token",
                "key_set_url": None,
                "key_set": doc["jwks"],
                "deployment_ids": [doc["deployment_id"]],
            }
        }
    )
    tokens = doc["tokens"]
    if not tokens:
        sys.exit("no tokens to validate")
    cpu = 0.0
    count = 0
    for _ in range(ROUNDS):
        for token in tokens:
            # What the login did: the nonce in the session, the state in a cookie.
            request = DictRequest({"id_token": token["id_token"], "state": token["state"]}, {})
            sessions = SessionService(request)
            sessions.save_nonce(token["nonce"])
            cookies = DictCookies({})
            cookies.set_cookie(token["state"], token["state"])
            launch = DictMessageLaunch(request, tool_conf, sessions, cookies)
            started = time.process_time()
            launch.validate()
            cpu += time.process_time() - started
            count += 1
            data = launch.get_launch_data()
            if data["nonce"] != token["nonce"]:
                sys.exit("pylti1p3 returned another launch's data")
    # A negative control: a token whose signature is broken must be refused, so a validator
    # that checked nothing cannot pass.
    token = tokens[0]
    head, body, signature = token["id_token"].split(".")
    broken = ".".join([head, body, ("A" if signature[0] != "A" else "B") + signature[1:]])
    request = DictRequest({"id_token": broken, "state": token["state"]}, {})
    sessions = SessionService(request)
    sessions.save_nonce(token["nonce"])
    cookies = DictCookies({})
    cookies.set_cookie(token["state"], token["state"])
    try:
        DictMessageLaunch(request, tool_conf, sessions, cookies).validate()
        sys.exit("pylti1p3 accepted an id_token with a broken signature")
    except LtiException:
        pass
    print(f"pylti1p3 2.0.0 validated {count} id_tokens and refused a broken signature")
    print(
        "pylti1p3 timed: the whole MessageLaunch.validate() of each launch (state against the "
        "cookie, JWT format, nonce against the session, registration, RS256 signature with the "
        "JWK parsed, deployment, message claims) and saving the launch data; not timed: HTTP, "
        "the login, storage (its session and cookies are dicts in memory)"
    )
    print(f"@metric pylti1p3_validations {count}")
    print(f"@metric pylti1p3_cpu_ms_per_validation {cpu * 1000 / count:.4f} ms")


if __name__ == "__main__":
    main()
