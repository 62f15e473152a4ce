"""The case viewer's web pages, served by the node at ``/`` (the ``viewer`` blueprint).

Implements docs/adr/0015-case-viewer.md ("Pages", "Sign-in", "Sessions",
"CSRF", "Headers"):

* ``/`` the case list; ``/viewer/sign-in``, ``/viewer/sign-out``,
  ``/viewer/language``; ``/viewer/cases/<api root>/<collection>/<incident>``
  the case page and its exports; ``/viewer/static/`` the style sheet.
* Sign-in goes through the access package's :class:`Authenticator` (the
  same argon2id path, equal timing and login cache as HTTP Basic); a
  failure is audited like any other and charged to the source address's
  rate-limit bucket (``ratelimit.py``), so guessing is as slow here as on
  the TAXII API.
* Every page reads through ``AccessControl.policy_for(partner)``, the one
  policy object, and the case reader (``cases.py``), so the viewer shows
  what the TAXII API would show the same requester.
* Every form that changes anything is a POST carrying a CSRF token: the
  session's synchronizer token when signed in, a double-submit token before
  (sign-in and the language switch); a missing or wrong token is a 403 page.
* Responses carry a Content-Security-Policy that allows no script at all,
  frame denial and no referrer; pages are rendered by Jinja2 with
  autoescaping, and every error is an HTML page, never a traceback.
"""

from __future__ import annotations

import functools
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Final

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
)
from medallion.exceptions import MedallionError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from infoshare_server.access import AccessControl, Partner, Policy
from infoshare_server.config import NodeConfig
from infoshare_server.errors import RequestError
from infoshare_server.paging import PageSigner
from infoshare_server.storage import Store
from infoshare_server.viewer import i18n
from infoshare_server.viewer.graph import TYPE_COLOURS, heat_map, layout
from infoshare_server.viewer.model import Case, CaseFilters, CaseRef, FilterChoices
from infoshare_server.viewer.sessions import Session, Sessions, csrf_ok

log = logging.getLogger(__name__)

#: Content-Security-Policy of every viewer response: no script of any kind, styles
#: only from the node's own style sheet, no framing, forms only to the node.
CSP: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
    " frame-ancestors 'none'; base-uri 'none'"
)
HEADERS: Final = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
#: Longest form or query value looked at (names, passwords, filter values).
MAX_FIELD: Final = 1024
_FILTER_FIELDS: Final = ("country", "fimi_type", "determination", "status", "tlp", "origin")
_SAFE_NEXT: Final = re.compile(r"^/(?!/)[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,500}$")

viewer_blueprint = Blueprint(
    "viewer",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/viewer/static",
)


@dataclass
class ViewerState:
    """What the viewer needs from the node, built once per worker."""

    store: Store | None
    access: AccessControl
    sessions: Sessions | None
    #: None without a database (the viewer then answers 503).
    pager: PageSigner | None
    page_size: int
    rate_limits: Any
    #: The node's public address is HTTPS (``node.base_url``): cookies are Secure even
    #: when a TLS-terminating reverse proxy forwards the requests over plain HTTP.
    public_https: bool = False


def install(app: Flask, config: NodeConfig, access: AccessControl, rate_limits: Any) -> None:
    """Register the viewer on the node's ``app``."""
    store = access.store
    sessions = (
        Sessions(
            store,
            operators=access.authenticator.operators,
            idle=timedelta(minutes=config.viewer.idle_minutes),
            lifetime=timedelta(hours=config.viewer.lifetime_hours),
        )
        if store is not None
        else None
    )
    app.extensions["infoshare_viewer"] = ViewerState(
        store,
        access,
        sessions,
        PageSigner(config.paging_secret()) if store is not None else None,
        config.viewer.page_size,
        rate_limits,
        (config.node.base_url or "").lower().startswith("https://"),
    )
    app.register_blueprint(viewer_blueprint)


def _state() -> ViewerState:
    state = current_app.extensions["infoshare_viewer"]
    assert isinstance(state, ViewerState)
    return state


# --- cookies -----------------------------------------------------------------------------


def _secure() -> bool:
    """True when the browser talks HTTPS: to the node itself, or to its reverse proxy."""
    return request.is_secure or _state().public_https


def _cookie(name: str) -> str:
    """Over HTTPS the ``__Host-`` prefix binds the cookie to this host, path / and Secure."""
    return f"__Host-infoshare_{name}" if _secure() else f"infoshare_{name}"


def _set_cookie(response: BaseResponse, name: str, value: str, *, http_only: bool = True) -> None:
    response.set_cookie(
        _cookie(name),
        value,
        path="/",
        secure=_secure(),
        httponly=http_only,
        samesite="Strict",
    )


def _drop_cookie(response: BaseResponse, name: str) -> None:
    response.delete_cookie(_cookie(name), path="/", secure=_secure(), samesite="Strict")


# --- per-request state -------------------------------------------------------------------


def _session() -> Session | None:
    found = g.get("viewer_session")
    return found if isinstance(found, Session) else None


def _language() -> str:
    session = _session()
    for candidate in (
        session.language if session is not None else None,
        request.cookies.get(_cookie("lang")),
        i18n.from_accept_language(request.headers.get("Accept-Language")),
    ):
        chosen = i18n.supported(candidate)
        if chosen is not None:
            return chosen
    return i18n.DEFAULT


def _pre_session_token() -> str:
    """The double-submit token of a browser that is not signed in (set on the response)."""
    token = g.get("pre_session_token")
    if isinstance(token, str):
        return token
    existing = request.cookies.get(_cookie("form"))
    token = existing if existing and 20 <= len(existing) <= 100 else secrets.token_urlsafe(32)
    g.pre_session_token = token
    return token


def _csrf_value() -> str:
    session = _session()
    return session.csrf if session is not None else _pre_session_token()


def _csrf_passes() -> bool:
    sent = request.form.get("csrf")
    session = _session()
    if session is not None:
        return csrf_ok(session.session_id, sent)
    cookie = request.cookies.get(_cookie("form"))
    if not sent or not cookie or len(sent) > 100:
        return False
    return hmac.compare_digest(sent.encode(), cookie.encode())


@viewer_blueprint.before_request
def _load_session() -> BaseResponse | None:
    state = _state()
    g.viewer_session = None
    if request.endpoint == "viewer.static":
        return None  # the style sheet needs no session (and costs no query)
    if state.sessions is not None:
        session = state.sessions.find(request.cookies.get(_cookie("session")))
        if session is not None:
            g.viewer_session = session
            g.policy = state.access.policy_for(session.partner)
            _charge(session.partner)
    g.language = _language()
    g.messages = i18n.catalogues()[g.language]
    return None


def _charge(partner: Partner) -> None:
    """A signed-in page view costs a token of the partner's bucket, like an API request."""
    limits = _state().rate_limits
    if limits is None or not getattr(limits, "enabled", False):
        return
    import math

    from infoshare_server.ratelimit import TooManyRequests

    wait = limits.partners.take(f"partner:{partner.id}")
    if wait > 0:
        raise TooManyRequests(max(1, math.ceil(wait)), "this partner")


@viewer_blueprint.after_request
def _headers(response: BaseResponse) -> BaseResponse:
    for name, value in HEADERS.items():
        response.headers[name] = value
    response.headers.setdefault("Cache-Control", "no-store")
    response.vary.add("Cookie")
    token = g.get("pre_session_token")
    if isinstance(token, str) and request.cookies.get(_cookie("form")) != token:
        _set_cookie(response, "form", token)
    return response


@viewer_blueprint.app_context_processor
def _template_helpers() -> dict[str, Any]:
    def t(key: str, **fields: object) -> str:
        messages = g.get("messages") or i18n.catalogues()[i18n.DEFAULT]
        return str(messages.get(key, **fields))

    def word(kind: str, value: str | None) -> str:
        """A vocabulary value in the reader's language (the value itself if unknown)."""
        if not value:
            return "—"
        messages = g.get("messages") or i18n.catalogues()[i18n.DEFAULT]
        return str(messages.messages.get(f"word.{kind}.{value}", value))

    return {
        "t": t,
        "word": word,
        "csrf_value": _csrf_value,
        "languages": i18n.catalogues(),
        "tlp_class": _tlp_class,
    }


def _tlp_class(level: str | None) -> str:
    return "tlp-" + (level or "none").replace("+", "-")


def _page(template: str, status: int = 200, **context: Any) -> BaseResponse:
    session = _session()
    html = render_template(
        template,
        language=g.get("language", i18n.DEFAULT),
        signed_in=session.partner if session is not None else None,
        here=_here(),
        **context,
    )
    response = make_response(html, status)
    response.mimetype = "text/html"
    return response


def _here() -> str:
    full = request.full_path if request.query_string else request.path
    return full if _SAFE_NEXT.match(full) else "/"


def _safe_next(value: str | None) -> str:
    if value and len(value) <= 500 and _SAFE_NEXT.match(value) and "\\" not in value:
        return value
    return "/"


def _error(status: int, key: str, **fields: object) -> BaseResponse:
    messages = g.get("messages") or i18n.catalogues()[i18n.DEFAULT]
    return _page(
        "error.html",
        status,
        title=messages.get(f"error.{status}.title")
        if status in _TITLED
        else messages.get("error.title"),
        message=messages.get(key, **fields),
        code=status,
    )


_TITLED: Final = frozenset({400, 403, 404, 405, 413, 429, 500, 503})


def _need_sign_in() -> BaseResponse:
    return redirect(f"/viewer/sign-in?next={_quote(_here())}", 303)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="/")


def signed_in(view: Callable[..., BaseResponse]) -> Callable[..., BaseResponse]:
    """Pages behind sign-in: without a live session, the sign-in page."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> BaseResponse:
        if _session() is None:
            return _need_sign_in()
        if _state().store is None:
            return _error(503, "error.no_database")
        return view(*args, **kwargs)

    return wrapper


def _policy() -> Policy:
    policy = g.get("policy")
    assert isinstance(policy, Policy)
    return policy


def _store() -> Store:
    store = _state().store
    assert store is not None
    return store


# --- errors ------------------------------------------------------------------------------


@viewer_blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> BaseResponse:
    status = int(error.code or 500)
    if status == 405:
        return _error(405, "error.method")
    if status == 413:
        return _error(413, "error.too_large")
    if status == 404:
        return _error(404, "error.not_found")
    return _error(400 if status < 500 else 500, "error.bad_request")


@viewer_blueprint.errorhandler(MedallionError)
def _request_error(error: MedallionError) -> BaseResponse:
    status = int(getattr(error, "status", 400) or 400)
    if status == 429:
        response = _error(429, "error.too_many", seconds=getattr(error, "retry_after", 1))
        response.headers["Retry-After"] = str(getattr(error, "retry_after", 1))
        return response
    if isinstance(error, RequestError) and status == 400:
        return _error(400, "error.stale_page")
    return _error(status if status in _TITLED else 400, "error.bad_request")


@viewer_blueprint.errorhandler(Exception)
def _unexpected(error: Exception) -> BaseResponse:
    if isinstance(error, HTTPException):
        return _http_error(error)
    log.exception("internal error while serving a viewer page")
    return _error(500, "error.internal")


# --- sign-in, sign-out, language ---------------------------------------------------------


@viewer_blueprint.route("/viewer/sign-in", methods=["GET", "POST"])
def sign_in() -> BaseResponse:
    """The sign-in form, and signing in with a partner's or an operator's password."""
    next_path = _safe_next(request.values.get("next"))
    if _session() is not None:
        return redirect(next_path, 303)
    state = _state()
    if request.method == "GET":
        return _page("sign_in.html", next_path=next_path, failed=False, account="")
    if not _csrf_passes():
        return _error(403, "error.csrf")
    account = request.form.get("account", "")[:MAX_FIELD]
    password = request.form.get("password", "")[:MAX_FIELD]
    outcome = state.access.authenticator.authenticate_password(account, password)
    session_id = None
    if outcome.partner is not None and state.sessions is not None:
        try:
            session_id = state.sessions.start(outcome.partner, language=g.get("language"))
        except LookupError:  # the password was changed between the check and now
            session_id = None
    if outcome.partner is None or session_id is None:
        state.access.audit(
            None, state.access.entry("auth_failure", 401, attempted=outcome.attempted)
        )
        log.info(
            "viewer sign-in failed (%s) from %s", outcome.reason, state.access.source_address()
        )
        response = _page(
            "sign_in.html", 401, next_path=next_path, failed=True, account=account[:200]
        )
        # A 401 without a challenge a browser would answer with a password dialog.
        response.headers["WWW-Authenticate"] = 'Form realm="infoshare viewer"'
        return response
    response = redirect(next_path, 303)
    _set_cookie(response, "session", session_id)
    _drop_cookie(response, "form")
    g.pre_session_token = None
    log.info("viewer sign-in by %s", outcome.partner.id)
    return response


@viewer_blueprint.route("/viewer/sign-out", methods=["POST"])
def sign_out() -> BaseResponse:
    """Sign-out deletes the session (a CSRF-protected POST, so no link can sign you out)."""
    session = _session()
    if session is None:
        return redirect("/viewer/sign-in", 303)
    if not _csrf_passes():
        return _error(403, "error.csrf")
    state = _state()
    if state.sessions is not None:
        state.sessions.end(session.session_id)
    response = redirect("/viewer/sign-in?signed-out=1", 303)
    _drop_cookie(response, "session")
    return response


@viewer_blueprint.route("/viewer/language", methods=["POST"])
def choose_language() -> BaseResponse:
    """Switch the interface language (kept in a cookie, and in the session when signed in)."""
    if not _csrf_passes():
        return _error(403, "error.csrf")
    chosen = i18n.supported(request.form.get("lang"))
    if chosen is None:
        return _error(400, "error.language")
    session = _session()
    state = _state()
    if session is not None and state.sessions is not None:
        state.sessions.set_language(session.session_id, chosen)
    response = redirect(_safe_next(request.form.get("next")), 303)
    _set_cookie(response, "lang", chosen)
    return response


# --- the case list -----------------------------------------------------------------------


def _day(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if len(value) > 10:
        raise _FilterProblem(name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _FilterProblem(name) from None


class _FilterProblem(ValueError):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def _filters() -> CaseFilters:
    values: dict[str, str | None] = {}
    for name in _FILTER_FIELDS:
        value = request.args.get(name, "").strip()
        if len(value) > 200:
            raise _FilterProblem(name)
        values[name] = value or None
    return CaseFilters(
        country=values["country"],
        fimi_type=values["fimi_type"],
        determination=values["determination"],
        status=values["status"],
        tlp=values["tlp"],
        origin=values["origin"],
        since=_day("since"),
        until=_day("until"),
    )


def _query_without_next() -> str:
    from urllib.parse import urlencode

    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "next" and v]
    return urlencode(kept)


@viewer_blueprint.route("/", methods=["GET"])
@signed_in
def case_list() -> BaseResponse:
    """The cases the reader may see, newest first, filtered, one page at a time."""
    from infoshare_server.viewer.cases import filter_choices, list_cases

    try:
        filters = _filters()
    except _FilterProblem as problem:
        return _error(400, "error.filter", field=g.messages.get(f"filter.{problem.field}"))
    token = request.args.get("next") or None
    if token is not None and len(token) > 2000:
        return _error(400, "error.stale_page")
    state = _state()
    limit = state.page_size
    asked = request.args.get("limit", "")
    if asked:
        if not asked.isdigit() or len(asked) > 3 or not 1 <= int(asked) <= 100:
            return _error(400, "error.limit")
        limit = int(asked)
    assert state.pager is not None  # signed_in: there is a database
    page = list_cases(_store(), _policy(), filters, limit=limit, token=token, pager=state.pager)
    choices: FilterChoices = filter_choices(_store(), _policy())
    query = _query_without_next()
    layers = _readable_collections()
    return _page(
        "cases.html",
        page=page,
        choices=choices,
        filters=filters,
        query=query,
        first_page=token is None,
        layers=layers,
    )


def _readable_collections() -> list[tuple[str, str, str]]:
    """(API root, collection id, title) of every collection the reader may read."""
    from infoshare_server.viewer.cases import node_collections, readable_collections

    served = node_collections()
    with _store().reading() as connection:
        readable = readable_collections(connection, _policy(), served)
    return [
        (r.api_root, r.collection_id, r.key.settings.title or r.collection_id) for r in readable
    ]


@viewer_blueprint.route("/viewer/layers/<api_root>/<collection_id>/layer.json", methods=["GET"])
@signed_in
def collection_layer_export(api_root: str, collection_id: str) -> BaseResponse:
    """A DISARM Navigator layer of one collection: each technique scored with the number
    of visible incidents that use it."""
    import json

    from infoshare_server.viewer.cases import NotVisible
    from infoshare_server.viewer.exports import collection_layer

    if max(len(api_root), len(collection_id)) > 200:
        return _error(404, "error.no_collection")
    try:
        layer = collection_layer(_store(), _policy(), api_root, collection_id)
    except NotVisible:
        return _error(404, "error.no_collection")
    response = make_response(json.dumps(layer, indent=1, ensure_ascii=False).encode("utf-8"))
    response.headers["Content-Type"] = "application/json"
    stem = re.sub(r"[^A-Za-z0-9-]", "", collection_id)[:40]
    response.headers["Content-Disposition"] = f'attachment; filename="collection-{stem}-layer.json"'
    return response


# --- the case page -----------------------------------------------------------------------


def _audit_read(case: Case) -> None:
    """A case page or export is a read of the case's objects: audited like an API read,
    under the case's API root and collection (ADR 0006, "Audit trail")."""
    access = _state().access
    ref = case.summary.ref
    entry = replace(
        access.entry("read", 200, object_ids=[ref.incident_id], object_count=len(case.objects)),
        api_root=ref.api_root,
        collection_id=ref.collection_id,
    )
    access.audit(None, entry)


def _ref(api_root: str, collection_id: str, incident_id: str) -> CaseRef | None:
    if max(len(api_root), len(collection_id), len(incident_id)) > 200:
        return None
    return CaseRef(api_root, collection_id, incident_id)


@viewer_blueprint.route("/viewer/cases/<api_root>/<collection_id>/<incident_id>", methods=["GET"])
@signed_in
def case_page(api_root: str, collection_id: str, incident_id: str) -> BaseResponse:
    """One case: summary, timeline, graph, heat map, texts, actions, opinions, related."""
    from infoshare_server.viewer.cases import load_case

    ref = _ref(api_root, collection_id, incident_id)
    case = load_case(_store(), _policy(), ref, language=g.language) if ref is not None else None
    if case is None:
        return _error(404, "error.no_case")
    _audit_read(case)
    drawing = layout(case.nodes, case.edges, case.summary.ref.incident_id)
    names = {node.id: node.label for node in case.nodes}
    return _page(
        "case.html",
        case=case,
        drawing=drawing,
        names=names,
        heat=heat_map(case.techniques),
        colours=TYPE_COLOURS,
        base=case_url(case.summary.ref),
    )


_EXPORTS: Final = {
    "bundle.json": "application/json",
    "layer.json": "application/json",
    "brief.pdf": "application/pdf",
}


@viewer_blueprint.route(
    "/viewer/cases/<api_root>/<collection_id>/<incident_id>/<export>", methods=["GET"]
)
@signed_in
def case_export(api_root: str, collection_id: str, incident_id: str, export: str) -> BaseResponse:
    """The case as a STIX bundle, a DISARM Navigator layer or a printable brief (PDF).

    The export is built from the same :class:`~.model.Case` the page shows, read
    through the reader's policy, so it holds nothing the page would not.
    """
    import json

    from infoshare_server.viewer.cases import load_case
    from infoshare_server.viewer.exports import case_brief_pdf, case_bundle, case_layer

    if export not in _EXPORTS:
        return _error(404, "error.not_found")
    ref = _ref(api_root, collection_id, incident_id)
    case = load_case(_store(), _policy(), ref, language=g.language) if ref is not None else None
    if case is None:
        return _error(404, "error.no_case")
    _audit_read(case)
    body: bytes
    if export == "bundle.json":
        body = json.dumps(case_bundle(case), indent=1, ensure_ascii=False).encode("utf-8")
    elif export == "layer.json":
        body = json.dumps(case_layer(case), indent=1, ensure_ascii=False).encode("utf-8")
    else:
        from infoshare_server.viewer.brief import BriefUnavailable

        session = _session()
        try:
            body = case_brief_pdf(
                case,
                language=g.language,
                messages=g.messages.messages,
                reader=session.partner.name if session is not None else "",
            )
        except BriefUnavailable as problem:
            log.warning("cannot print the brief: %s", problem)
            return _error(503, "error.no_pdf")
    stem = re.sub(r"[^A-Za-z0-9-]", "", incident_id.removeprefix("incident--"))[:40]
    kind, _, extension = export.partition(".")
    response = make_response(body, 200)
    response.headers["Content-Type"] = _EXPORTS[export]
    response.headers["Content-Disposition"] = (
        f'attachment; filename="case-{stem}-{kind}.{extension}"'
    )

    return response


@viewer_blueprint.route("/viewer/<path:rest>", methods=["GET", "POST"])
def _unknown(rest: str) -> BaseResponse:
    return _error(404, "error.not_found")


def case_url(ref: CaseRef) -> str:
    """The address of a case page (each part quoted: it comes from the database)."""
    parts = (ref.api_root, ref.collection_id, ref.incident_id)
    return "/viewer/cases/" + "/".join(_quote_part(part) for part in parts)


def _quote_part(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


viewer_blueprint.add_app_template_global(case_url, "case_url")
