"""An independent LTI 1.3 platform, built on PyPI's lti1p3platform, that launches a learner
and an instructor into a running Cairn tool and prints a JSON report. With --definition it
also runs Deep Linking: the instructor publishes that credential definition through Cairn's
API, places its first assessment with an LtiDeepLinkingRequest, the platform validates the
LtiDeepLinkingResponse with lti1p3platform (signature checked with Cairn's JWKS) and a learner
launches the placed link with the item's custom parameters. Then grades flow back: every
launch carries the AGS endpoint claim (the line item container, and for the placed link the
line item the platform made from the item's lineItem); the platform serves an OAuth 2 token
endpoint (POST /token: lti1p3platform's get_access_token checks the client_credentials grant
and the signed JWT assertion against Cairn's JWKS; this script adds the iss/sub/aud checks
the library leaves out) and the AGS line item and score services (lti1p3platform's
AssignmentsGradesService over an in-memory gradebook that refuses a score not newer than the
last one of its user). The learner answers the placed assessment through Cairn's API and the
report lists what the score service received.

It generates its RSA key, serves its JWKS (GET /jwks) and its OIDC authentication endpoint
(GET /auth) on 127.0.0.1:<--port>, and plays the browser with a requests.Session:
login initiation (lti1p3platform's preflight URL) -> Cairn's 302 to /auth -> /auth checks the
authentication request and answers the auto-submitting form of lti1p3platform's id_token ->
the form is posted to Cairn's /lti/launch. Cairn must already know the platform: issuer
http://127.0.0.1:<port>, client id and deployment id as given, /auth and /jwks on that origin.

Only loopback traffic. Exit status 0 when it ran to the end (the report says how each launch
went; the Rust test judges it), 2 on a usage or platform error.
"""

import argparse
import html
import json
import re
import sys
import threading
import time
from datetime import datetime
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlparse

import jwt as pyjwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.exceptions import LineItemNotFoundException
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.response import generate_next_link
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService

ROLES = {
    "learner": "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
    "instructor": "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
}
USERS = {
    "learner-1": ("learner", "Lee Learner"),
    "instructor-1": ("instructor", "Ida Instructor"),
}
TIMEOUT = 10  # seconds, every HTTP request
# What the platform keeps between requests: the validated Deep Linking answer and the link
# it created from it.
PLACED = {}
# The gradebook behind the AGS endpoints: line items by number, every score received per line
# item number (as posted, with the request's User-Agent), and every token request's checks.
GRADEBOOK = {"line_items": {}, "scores": {}, "token_requests": []}
LOCK = threading.Lock()
# The learner's answers to the placed assessment: 4 of 5 items right (8 of 10 points).
ITEM_SET = {
    "items": [
        {
            "id": f"q{i}",
            "prompt": f"Question {i}",
            "points": "2",
            "choices": [{"id": "right", "text": "Right"}, {"id": "wrong", "text": "Wrong"}],
            "key": {"type": "single_choice", "choice": "right"},
        }
        for i in range(1, 6)
    ]
}
ANSWERS = {f"q{i}": ("right" if i <= 4 else "wrong") for i in range(1, 6)}


def new_key_pair():
    """A fresh RSA-2048 key pair as (private PEM, public PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, public


class PlatformConf(LTI1P3PlatformConfAbstract):
    """The one registration of this platform: Cairn."""

    def init_platform_config(self, **kwargs):
        private, public = new_key_pair()
        self._registration = (
            Registration()
            .set_iss(kwargs["issuer"])
            .set_client_id(kwargs["client_id"])
            .set_deployment_id(kwargs["deployment_id"])
            .set_oidc_login_url(kwargs["tool"] + "/lti/login")
            .set_launch_url(kwargs["tool"] + "/lti/launch")
            .set_deeplink_launch_url(kwargs["tool"] + "/lti/launch")
            .set_tool_key_set_url(kwargs["tool"] + "/.well-known/jwks.json")
            .set_platform_private_key(private)
            .set_platform_public_key(public)
        )

    def get_registration_by_params(self, **kwargs):
        return self._registration


class Login(OIDCLoginAbstract):
    """Login initiation: the URL the browser is sent to (Cairn's /lti/login)."""

    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url):
        return url


class AuthRequest(Request):
    """The authentication request as lti1p3platform reads it: the query of GET /auth."""

    def build_metadata(self, request):
        return {
            "method": "GET",
            "form_data": {},
            "get_data": dict(parse_qsl(urlparse(request).query)),
            "headers": {},
            "content_type": None,
            "path": urlparse(request).path,
            "json": None,
        }


class Launch(LTIAdvantageMessageLaunchAbstract):
    """The launch: lti1p3platform validates the auth request, signs the id_token, and this
    renders the form_post page a platform sends to the browser."""

    def render_launch_form(self, launch_data, **kwargs):
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(launch_data[name])}">'
            for name in ("id_token", "state")
        )
        action = html.escape(launch_data["launch_url"])
        return (
            f'<!doctype html><body onload="document.forms[0].submit()">'
            f'<form method="post" action="{action}">{fields}</form></body>'
        )


def new_line_item(conf, fields):
    """Adds a line item to the gradebook; returns it with its id (its URL)."""
    with LOCK:
        number = len(GRADEBOOK["line_items"]) + 1
        item = {key: value for key, value in fields.items() if key != "id"}
        item["id"] = f"{conf.issuer}/lineitems/{number}"
        GRADEBOOK["line_items"][number] = item
        GRADEBOOK["scores"][number] = []
    return item


def line_item_number(line_item_id):
    """The number of a line item given by number or URL; raises when there is none."""
    number = str(line_item_id).rstrip("/").rsplit("/", 1)[-1]
    if not number.isdigit() or int(number) not in GRADEBOOK["line_items"]:
        raise LineItemNotFoundException(f"no line item {line_item_id}")
    return int(number)


def parse_instant(text):
    """An RFC 3339 timestamp as Unix seconds (Python 3.11 reads the Z and fractions)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Gradebook(AssignmentsGradesService):
    """lti1p3platform's AGS service over GRADEBOOK (its decorators check the bearer token
    this platform issued)."""

    user_agent = None

    def find_lineitems(self, page=1, limit=None, line_item_id=None, resource_link_id=None,
                       resource_id=None, tag=None, **_):
        with LOCK:
            items = list(GRADEBOOK["line_items"].values())
        for key, wanted in (("resourceLinkId", resource_link_id), ("resourceId", resource_id),
                            ("tag", tag)):
            if wanted is not None:
                items = [item for item in items if item.get(key) == wanted]
        return {"content": items, "has_next": False, "next": None}

    def find_lineitem(self, line_item_id):
        return GRADEBOOK["line_items"][line_item_number(line_item_id)]

    def create_lineitem(self, creation_data):
        return new_line_item(self.platform_config, creation_data)

    def update_lineitem(self, update_data):
        number = line_item_number(update_data["id"])
        with LOCK:
            GRADEBOOK["line_items"][number].update(
                {k: v for k, v in update_data.items() if k != "id"})
            return GRADEBOOK["line_items"][number]

    def delete_lineitem(self, line_item_id):
        number = line_item_number(line_item_id)
        with LOCK:
            del GRADEBOOK["line_items"][number]

    def update_score(self, line_item_id, score):
        number = line_item_number(line_item_id)
        with LOCK:
            received = GRADEBOOK["scores"][number]
            mine = [s for s in received if s["score"].get("userId") == score.get("userId")]
            if mine and parse_instant(score["timestamp"]) <= parse_instant(
                    mine[-1]["score"]["timestamp"]):
                return UpdateScoreStatus.OLD_TIMESTAMP
            received.append({"score": score, "user_agent": self.user_agent})
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id, page=1, limit=None, user_id=None, **_):
        number = line_item_number(line_item_id)
        item = GRADEBOOK["line_items"][number]
        latest = {}
        for entry in GRADEBOOK["scores"][number]:
            latest[entry["score"]["userId"]] = entry["score"]
        results = [
            {
                "id": f"{item['id']}/results/{user}",
                "scoreOf": item["id"],
                "userId": user,
                "resultScore": score.get("scoreGiven"),
                "resultMaximum": score.get("scoreMaximum"),
            }
            for user, score in latest.items()
            if user_id is None or user == user_id
        ]
        return {"content": results, "has_next": False, "next": None}


class ServiceRequest(Request):
    """A service call as lti1p3platform reads it: (method, path with query, headers, body)."""

    def build_metadata(self, request):
        method, target, headers, body = request
        kind = headers.get("Content-Type")
        return {
            "method": method,
            "form_data": {},
            "get_data": dict(parse_qsl(urlparse(target).query)),
            "headers": headers,
            "content_type": kind,
            "path": urlparse(target).path,
            "json": json.loads(body) if body and kind and "json" in kind else None,
        }


def token_response(conf, form):
    """POST /token: (status, JSON). lti1p3platform validates the grant and the assertion's
    signature with the tool's JWKS; the claims it does not check are checked here."""
    check = {"grant_type": form.get("grant_type"), "scope": form.get("scope")}
    try:
        answer = conf.get_access_token(form)
        claims = pyjwt.decode(form["client_assertion"], options={"verify_signature": False})
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        client_id = conf.get_registration().get_client_id()
        check.update({
            "signature_ok": True,
            "iss_ok": claims.get("iss") == client_id,
            "sub_ok": claims.get("sub") == client_id,
            "aud_ok": conf.issuer + "/token" in audiences,
            "jti": bool(claims.get("jti")),
            "exp_ok": claims.get("exp", 0) > time.time(),
            "assertion_type": form.get("client_assertion_type"),
        })
        ok = all(check[k] for k in ("iss_ok", "sub_ok", "aud_ok", "jti", "exp_ok"))
        status, body = (200, answer) if ok else (400, {"error": "invalid_client"})
    except Exception as error:  # the report shows why the platform refused
        check["error"] = repr(error)
        status, body = 400, {"error": "invalid_grant", "error_description": repr(error)}
    with LOCK:
        GRADEBOOK["token_requests"].append(check)
    return status, body


def service_response(conf, method, target, headers, body):
    """An AGS call: (status, JSON or None, Link or None), rendered as lti1p3platform's Django
    adapter renders its Response."""
    service = Gradebook(ServiceRequest((method, target, headers, body)), conf,
                        conf.issuer + "/lineitems")
    service.user_agent = headers.get("User-Agent")
    path = urlparse(target).path.rstrip("/")
    parts = path.split("/")[1:]
    handlers = {
        ("GET", 1): lambda: service.handle_get_lineitems(),
        ("POST", 1): lambda: service.handle_create_lineitem(),
        ("GET", 2): lambda: service.handle_get_lineitem(parts[1]),
        ("PUT", 2): lambda: service.handle_update_lineitem(parts[1]),
    }
    if len(parts) == 3 and parts[2] == "scores" and method == "POST":
        handler = lambda: service.handle_update_score(parts[1])
    elif len(parts) == 3 and parts[2] == "results" and method == "GET":
        handler = lambda: service.handle_get_results(parts[1])
    else:
        handler = handlers.get((method, len(parts)))
    if parts[0] != "lineitems" or handler is None:
        return 404, {"error": "not found"}, None
    try:
        resp = service.handle_resp(handler)
    except Exception as error:  # an invalid token: lti1p3platform raises
        return 401, {"error": repr(error)}, None
    if 200 <= resp.code < 300:
        result = resp.result
        data = result["content"] if isinstance(result, dict) and "content" in result else result
        link = generate_next_link(result["next"]) if isinstance(result, dict) and result.get(
            "next") else None
        return resp.code, data, link
    return resp.code, {"error": resp.message}, None


def auth_response(conf, query_url):
    """GET /auth: (status, body). Checks what lti1p3platform leaves to the platform (the
    OpenID parameters, the redirect URI, the user), then lets it build the launch."""
    params = dict(parse_qsl(urlparse(query_url).query))
    registration = conf.get_registration()
    expected = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": registration.get_client_id(),
        "redirect_uri": registration.get_launch_url(),
    }
    for name, value in expected.items():
        if params.get(name) != value:
            return 400, f"auth request: {name}={params.get(name)!r}, expected {value!r}"
    user = USERS.get(params.get("login_hint", ""))
    hint = params.get("lti_message_hint")
    if user is None or hint not in ("resource-1", "deep-link-1", "placed-1"):
        return 400, "auth request: unknown login_hint or lti_message_hint"
    role, name = user
    launch = Launch(AuthRequest(query_url), conf)
    launch.set_user_data(params["login_hint"], [ROLES[role]], full_name=name)
    if hint == "deep-link-1":
        launch.set_dl(conf.issuer + "/deep_links", title="Cairn", accept_types={"ltiResourceLink"})
    elif hint == "placed-1":
        item = PLACED["item"]
        launch.set_resource_link_claim("placed-link-1", title=item.get("title", "Cairn"))
        launch.set_custom_parameters_claim(item.get("custom", {}))
        launch.set_ags(conf.issuer + "/lineitems", PLACED.get("lineitem"))
    else:
        launch.set_resource_link_claim("resource-1", title="Cairn")
        launch.set_ags(conf.issuer + "/lineitems")
    launch.set_launch_context_claim(
        "course-1",
        ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        "Independent Course",
        "IND-101",
    )
    return 200, launch.lti_launch()


def serve(conf, port):
    """Serves /jwks and /auth on 127.0.0.1:port in a daemon thread; returns the server."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = urlparse(self.path).path
            if path == "/jwks":
                status, body, kind = 200, json.dumps(conf.get_jwks()), "application/json"
            elif path == "/auth":
                try:
                    status, body = auth_response(conf, self.path)
                except Exception as error:  # the report shows the platform's own failure
                    status, body = 400, f"lti1p3platform refused: {error!r}"
                kind = "text/html" if status == 200 else "text/plain"
            elif path.startswith("/lineitems"):
                self.service("GET", b"")
                return
            else:
                status, body, kind = 404, "not found", "text/plain"
            self.answer(status, body, kind)

        def answer(self, status, body, kind, link=None):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            if link:
                self.send_header("Link", link)
            self.end_headers()
            self.wfile.write(data)

        def service(self, method, body):
            status, data, link = service_response(conf, method, self.path, self.headers, body)
            kind = "application/json"
            self.answer(status, "" if data is None else json.dumps(data), kind, link)

        def do_PUT(self):
            length = int(self.headers.get("Content-Length", "0"))
            self.service("PUT", self.rfile.read(length))

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            path = urlparse(self.path).path
            if path.startswith("/lineitems"):
                self.service("POST", raw)
                return
            form = dict(parse_qsl(raw.decode()))
            if path == "/token":
                status, body = token_response(conf, form)
                self.answer(status, json.dumps(body), "application/json")
                return
            # The Deep Linking return URL: lti1p3platform validates the tool's JWT; an item
            # with a lineItem gets its line item, as an LMS makes the activity's grade column.
            if path != "/deep_links":
                status, body = 404, "not found"
            else:
                try:
                    items = conf.validate_deeplinking_resp(form)
                    PLACED["accepted"], PLACED["items"] = True, items
                    if items:
                        PLACED["item"] = items[0]
                        wanted = items[0].get("lineItem")
                        if wanted:
                            made = new_line_item(conf, dict(wanted, resourceLinkId="placed-link-1"))
                            PLACED["lineitem"] = made["id"]
                    status, body = 200, "saved"
                except Exception as error:  # the report shows why the platform refused
                    PLACED["accepted"], PLACED["error"] = False, repr(error)
                    status, body = 400, repr(error)
            self.answer(status, body, "text/plain")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class FormReader(HTMLParser):
    """The first form of a page: its action and its input fields."""

    def __init__(self):
        super().__init__()
        self.action, self.fields = None, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        elif tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value", "")


def launch_one(conf, tool, login_hint, hint="resource-1", pages=None):
    """One browser launch of the user `login_hint`; returns its report (and appends the
    launch's page to `pages` when given)."""
    browser = requests.Session()
    report = {"user": login_hint}
    login = Login(None, conf)
    login.set_lti_message_hint(hint=hint)
    preflight = login.initiate_login(login_hint)
    answer = browser.get(preflight, allow_redirects=False, timeout=TIMEOUT)
    report["login_status"] = answer.status_code
    location = answer.headers.get("Location", "")
    if answer.status_code != 302 or not location.startswith(conf.issuer + "/auth?"):
        report["error"] = f"login answered {answer.status_code} to {location!r}"
        return report
    # The state cookies as Cairn set them: `__Host-lti_state_<state>` (Secure, Partitioned) and,
    # for an http:// tool, a plain `lti_state_<state>` (SameSite=Lax).
    set_cookies = answer.raw.headers.getlist("Set-Cookie")
    report["state_cookies_set"] = sorted(c.split("=", 1)[0] for c in set_cookies)

    auth = browser.get(location, timeout=TIMEOUT)
    report["auth_status"] = auth.status_code
    if auth.status_code != 200:
        report["error"] = auth.text[:500]
        return report
    form = FormReader()
    form.feed(auth.text)
    # The browser's cookie jar decides what goes with the form post. Like any cookie jar it
    # keeps the Secure `__Host-` cookie but does not send it over http:// (browsers do, on
    # localhost); the plain development cookie it does send. Both are reported.
    prepared = browser.prepare_request(requests.Request("POST", form.action))
    sent = prepared.headers.get("Cookie", "")
    report["launch_cookies_sent"] = sorted(c.split("=", 1)[0] for c in sent.split("; ") if c)
    launch = browser.post(form.action, data=form.fields, allow_redirects=False, timeout=TIMEOUT)
    report["launch_url"] = form.action
    report["launch_status"] = launch.status_code
    role = re.search(r'id="launch-role">([^<]*)<', launch.text)
    report["launch_role"] = role.group(1) if role else None
    name = re.search(r'id="launch-name">([^<]*)<', launch.text)
    report["launch_name"] = html.unescape(name.group(1)) if name else None
    error = re.search(r'<code id="error-code">([^<]*)</code>', launch.text)
    report["launch_error"] = error.group(1) if error else None
    report["id_token_on_page"] = form.fields.get("id_token", "-") in launch.text
    if pages is not None:
        pages.append(launch.text)
    return report


def launch_data(page):
    """The tool page's #cairn-launch JSON."""
    found = re.search(r'<script type="application/json" id="cairn-launch">(.*?)</script>', page, re.S)
    return json.loads(found.group(1)) if found else {}


def deep_link(conf, tool, definition):
    """Publishes `definition`, places its first assessment by Deep Linking and launches the
    placed link as the learner; returns the report."""
    report = {}
    pages = []
    launch_one(conf, tool, "instructor-1", pages=pages)
    token = launch_data(pages[-1]).get("token")
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    created = api.post(tool + "/api/definitions", json=definition, timeout=TIMEOUT)
    report["definition_status"] = created.status_code
    published = api.post(
        f"{tool}/api/definitions/{definition['id']}/{definition['version']}/publish",
        timeout=TIMEOUT,
    )
    report["publish_status"] = published.status_code

    report["request"] = launch_one(conf, tool, "instructor-1", hint="deep-link-1", pages=pages)
    picker = pages[-1]
    token = re.search(r'name="token" value="([^"]*)"', picker)
    items = [html.unescape(v) for v in re.findall(r'name="item" value="([^"]*)"', picker)]
    report["picker_items"] = len(items)
    if not token or not items:
        report["error"] = "no picker on the Deep Linking launch"
        return report
    browser = requests.Session()
    answer = browser.post(
        tool + "/lti/deep-linking/response",
        data={"token": html.unescape(token.group(1)), "item": items[0], "action": "place"},
        timeout=TIMEOUT,
    )
    report["response_status"] = answer.status_code
    form = FormReader()
    form.feed(answer.text)
    report["return_url"] = form.action
    returned = browser.post(form.action, data=form.fields, timeout=TIMEOUT)
    report["return_status"] = returned.status_code
    report["accepted"] = PLACED.get("accepted")
    report["platform_error"] = PLACED.get("error")
    report["content_items"] = PLACED.get("items")
    if not PLACED.get("item"):
        return report
    placed = []
    report["placed_launch"] = launch_one(conf, tool, "learner-1", hint="placed-1", pages=placed)
    report["placement"] = launch_data(placed[-1]).get("placement")
    report["placed_lineitem"] = PLACED.get("lineitem")
    report["grades"] = grade(tool, api, definition, launch_data(placed[-1]).get("token"))
    return report


def grade(tool, instructor, definition, learner_token):
    """The instructor saves the placed assessment's item set, the learner enrols and answers
    it through Cairn's API; waits (at most 30 s) for Cairn's outbox to post the score to this
    platform's score service. Returns what happened and what the gradebook holds."""
    report = {}
    assessment = definition["assessments"][0]["id"]
    saved = instructor.put(f"{tool}/api/item-sets/{assessment}", json=ITEM_SET, timeout=TIMEOUT)
    report["item_set_status"] = saved.status_code
    learner = requests.Session()
    learner.headers["Authorization"] = f"Bearer {learner_token}"
    enrolled = learner.post(tool + "/api/me/enrolments", json={"credential": definition["id"]},
                            timeout=TIMEOUT)
    report["enrol_status"] = enrolled.status_code
    answered = learner.post(f"{tool}/api/me/item-sets/{assessment}/answers",
                            json={"answers": ANSWERS}, timeout=TIMEOUT)
    report["answer_status"] = answered.status_code
    if answered.status_code != 201:
        report["answer_error"] = answered.text[:500]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with LOCK:
            if any(GRADEBOOK["scores"].values()):
                break
        time.sleep(0.1)
    time.sleep(0.5)  # anything sent twice would land now
    with LOCK:
        report["line_items"] = list(GRADEBOOK["line_items"].values())
        report["scores"] = {
            GRADEBOOK["line_items"][n]["id"]: [
                dict(entry["score"], _user_agent=entry["user_agent"],
                     _timestamp_ok=bool(parse_instant(entry["score"]["timestamp"])))
                for entry in received
            ]
            for n, received in GRADEBOOK["scores"].items()
        }
        report["token_requests"] = list(GRADEBOOK["token_requests"])
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True, help="Cairn's public URL, http://localhost:PORT")
    parser.add_argument("--port", required=True, type=int, help="this platform's loopback port")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--deployment-id", required=True)
    parser.add_argument("--definition", help="a credential definition (JSON file) to place")
    args = parser.parse_args()
    for url in (args.tool,):
        if urlparse(url).hostname not in ("localhost", "127.0.0.1"):
            sys.exit(f"--tool must be on loopback, got {url}")
    issuer = f"http://127.0.0.1:{args.port}"
    conf = PlatformConf(
        issuer=issuer,
        client_id=args.client_id,
        deployment_id=args.deployment_id,
        tool=args.tool.rstrip("/"),
    )
    conf.issuer = issuer
    conf.get_registration()
    server = serve(conf, args.port)
    try:
        launches = [launch_one(conf, args.tool, user) for user in USERS]
        report = {"platform": "lti1p3platform 0.1.8", "issuer": issuer, "launches": launches}
        if args.definition:
            with open(args.definition, encoding="utf-8") as file:
                report["deep_linking"] = deep_link(conf, args.tool.rstrip("/"), json.load(file))
    finally:
        server.shutdown()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
