"""``/spec/``: the published site of the profile version this node enforces.

Implements docs/adr/0016-published-profile-site.md. The site is built by
``infoshare spec-site build`` into a folder named in ``[spec_site] folder``.
The node serves it publicly (no sign-in: the profile is a public document)
only when the folder's ``build-info.json`` names the profile version the node
enforces (:data:`infoshare.profile.PROFILE_VERSION`). Otherwise every page
under ``/spec/`` is a 404 page that says why and how to build the right site,
and the node logs one warning at start and keeps serving TAXII.

Paths are resolved inside the site folder only: ``..``, absolute paths,
backslashes, NUL bytes, hidden files and symbolic links leaving the folder
all get the same 404 page. Pages carry a Content-Security-Policy that allows
the site's own files and the hashes of the theme's inline scripts, recorded
at build time, and nothing else.
"""

from __future__ import annotations

import html
import logging
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request, send_file

from infoshare.errors import SpecDataError
from infoshare.profile import PROFILE_VERSION

log = logging.getLogger(__name__)

spec_site_blueprint = Blueprint("spec_site", __name__)

PREFIX = "/spec"
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@+-]*$")
_HASH = re.compile(r"^sha256-[A-Za-z0-9+/]{43}=$")
_MAX_PATH = 1024


@dataclass(frozen=True)
class SiteState:
    """The site this node serves, or why it serves none."""

    folder: Path | None
    problem: str | None
    script_hashes: tuple[str, ...] = ()


def load_site(folder: Path | None) -> SiteState:
    """Check the built site in ``folder`` against the profile version this node enforces."""
    from infoshare.spec_site import read_build_info

    if folder is None:
        return SiteState(None, "no site is configured ([spec_site] folder is not set)")
    try:
        info = read_build_info(folder)
    except SpecDataError as exc:
        return SiteState(None, exc.message)
    version = info["profile_version"]
    if version != PROFILE_VERSION:
        return SiteState(
            None,
            f"the site in {folder} is of profile version {version}, but this node enforces"
            f" version {PROFILE_VERSION}",
        )
    if not (folder / "index.html").is_file():
        return SiteState(None, f"{folder} has build-info.json but no index.html")
    hashes = info.get("csp_script_hashes", [])
    if not isinstance(hashes, list) or not all(
        isinstance(h, str) and _HASH.match(h) for h in hashes
    ):
        return SiteState(None, f"{folder}/build-info.json: csp_script_hashes is malformed")
    return SiteState(folder.resolve(), None, tuple(hashes))


def install(app: Flask, folder: Path | None) -> None:
    """Register ``/spec/`` on ``app`` for the site in ``folder`` (logs a warning if unusable)."""
    state = load_site(folder)
    if state.problem is not None:
        # Not configured at all is a choice (info); configured but unusable is a fault.
        log.log(
            logging.INFO if folder is None else logging.WARNING,
            "the profile site is not served at %s/: %s; build it with"
            " `infoshare spec-site build --out DIR` and set [spec_site] folder = DIR",
            PREFIX,
            state.problem,
        )
    app.spec_site = state  # type: ignore[attr-defined]
    app.register_blueprint(spec_site_blueprint)


def _state() -> SiteState:
    state: SiteState = current_app.spec_site  # type: ignore[attr-defined]
    return state


def _headers(response: Response, state: SiteState) -> Response:
    scripts = " ".join(["'self'", *(f"'{h}'" for h in state.script_hashes)])
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline';"
        " img-src 'self' data:; font-src 'self' data:; connect-src 'self';"
        " worker-src 'self'; object-src 'none'; frame-ancestors 'none';"
        " form-action 'self'; base-uri 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-cache"
    return response


def _not_found(state: SiteState, what: str) -> Response:
    if state.problem is not None:
        title = "The profile site is not available on this node"
        body = (
            f"<p>This node enforces version {html.escape(PROFILE_VERSION)} of the infoshare"
            " FIMI exchange profile, but it has no published site of that version to show:"
            f" {html.escape(state.problem)}.</p>"
            "<p>The operator can build it with <code>infoshare spec-site build --out"
            " DIR</code> (or <code>make spec-site</code> in a source checkout), set"
            ' <code>[spec_site] folder = "DIR"</code> in the node\'s configuration and'
            " restart the node. The node's TAXII service is not affected.</p>"
        )
    else:
        title = "Page not found"
        body = (
            f"<p>The profile site has no page at {html.escape(what)}.</p>"
            f'<p><a href="{PREFIX}/">The profile\'s home page</a></p>'
        )
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    )
    response = Response(page, status=404, mimetype="text/html")
    return _headers(response, state)


def _resolve(state: SiteState, path: str) -> Path | None:
    """The file of the site at ``path`` (relative, with slashes), or None."""
    assert state.folder is not None
    if len(path) > _MAX_PATH or "\\" in path or "\x00" in path:
        return None
    segments = [segment for segment in path.split("/") if segment]
    if not all(_SAFE_SEGMENT.match(segment) for segment in segments):
        return None  # "..", ".hidden", odd characters: never a file of the site
    target = state.folder.joinpath(*segments)
    try:
        resolved = target.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(state.folder):
        return None  # a symbolic link out of the folder
    if resolved.is_dir():
        resolved = resolved / "index.html"
        if not resolved.is_file():
            return None
    return resolved if resolved.is_file() else None


@spec_site_blueprint.route(PREFIX, methods=["GET"], endpoint="root", strict_slashes=False)
@spec_site_blueprint.route(f"{PREFIX}/", methods=["GET"], endpoint="index")
@spec_site_blueprint.route(f"{PREFIX}/<path:path>", methods=["GET"], endpoint="page")
def page(path: str = "") -> Response:
    """One file of the site; a folder's index.html; a 404 page otherwise."""
    state = _state()
    shown = f"{PREFIX}/{path}"
    if state.problem is not None or state.folder is None:
        return _not_found(state, shown)
    if request.path == PREFIX:
        return _headers(_redirect(f"{PREFIX}/"), state)
    target = _resolve(state, path)
    if target is None:
        return _not_found(state, shown)
    if (
        target.name == "index.html"
        and path
        and not path.endswith("/")
        and not path.endswith("index.html")
    ):
        # A folder named without its slash: the pages' relative links need the slash.
        return _headers(_redirect(f"{PREFIX}/{path}/"), state)
    # Werkzeug adds "; charset=utf-8" to text types itself.
    mimetype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    response = send_file(target, mimetype=mimetype, conditional=True, max_age=0)
    return _headers(response, state)


def _redirect(location: str) -> Response:
    response = Response("", status=308)
    response.headers["Location"] = location
    return response
