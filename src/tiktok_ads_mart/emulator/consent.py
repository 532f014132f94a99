"""The authorisation side: TikTok's consent page and the ``oauth2/`` endpoints.

The page is plain HTML with one form, so a real browser and a bare HTTP client can both grant or deny.
These endpoints are never faulted: a client must always be able to authenticate.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tiktok_ads_mart.emulator.params import ApiFailure, Call, Code
from tiktok_ads_mart.emulator.scopes import APP_SCOPES
from tiktok_ads_mart.emulator.tokens import token_payload

if TYPE_CHECKING:
    from tiktok_ads_mart.emulator.state import Emulator

DECISION_PATH = "/portal/auth/decision"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:3em auto}}li{{margin:.3em 0}}
button{{font-size:1em;padding:.4em 1.2em;margin-right:1em}}</style></head>
<body>
{body}
</body>
</html>
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body), status_code=status)


def error_page(message: str) -> HTMLResponse:
    """TikTok shows an error page (not a redirect) when it cannot trust the request."""
    body = f'<h1>Authorization failed</h1>\n<p id="error">{html.escape(message)}</p>'
    return _page("Authorization failed", body, status=400)


def _valid_redirect(uri: str | None) -> bool:
    if not uri:
        return False
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check_request(emulator: Emulator, app_id: str | None, redirect_uri: str | None) -> HTMLResponse | None:
    if not app_id:
        return error_page("app_id is missing.")
    if app_id != emulator.app_id:
        return error_page("The app_id is not a registered app.")
    if not redirect_uri:
        return error_page("redirect_uri is missing.")
    if not _valid_redirect(redirect_uri):
        return error_page("redirect_uri must be an absolute http(s) URL.")
    return None


def consent_page(emulator: Emulator, request: Request) -> Response:
    """GET /portal/auth: the advertisers to grant, with Authorize and Deny."""
    query = request.query_params
    app_id, state, redirect_uri = query.get("app_id"), query.get("state"), query.get("redirect_uri")
    problem = _check_request(emulator, app_id, redirect_uri)
    if problem is not None:
        return problem
    items = "\n".join(
        f'<li><label><input type="checkbox" name="advertiser_id" value="{html.escape(adv["advertiser_id"])}" '
        f"checked> {html.escape(str(adv.get('name', '')))} ({html.escape(adv['advertiser_id'])})</label></li>"
        for adv in emulator.world.advertisers()
    )
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value or "", quote=True)}">'
        for name, value in (("app_id", app_id), ("state", state), ("redirect_uri", redirect_uri))
    )
    scopes = "\n".join(f"<li>{html.escape(APP_SCOPES[name].title)}</li>" for name in emulator.config.scopes)
    body = (
        "<h1>Authorize access to your TikTok ad accounts</h1>\n"
        f"<p>The app <strong>{html.escape(app_id or '')}</strong> asks for these permissions:</p>\n"
        f'<ul id="scopes">\n{scopes}\n</ul>\n'
        "<p>for these advertisers:</p>\n"
        f'<form method="post" action="{DECISION_PATH}">\n{hidden}\n<ul id="advertisers">\n{items}\n</ul>\n'
        '<button type="submit" name="decision" value="authorize" id="authorize">Authorize</button>\n'
        '<button type="submit" name="decision" value="deny" id="deny">Deny</button>\n</form>'
    )
    return _page("Authorize - TikTok for Business (emulator)", body)


def _redirect(redirect_uri: str, values: dict[str, str]) -> RedirectResponse:
    separator = "&" if urlsplit(redirect_uri).query else ("" if redirect_uri.endswith("?") else "?")
    return RedirectResponse(redirect_uri + separator + urlencode(values), status_code=302)


async def consent_decision(emulator: Emulator, request: Request) -> Response:
    """POST /portal/auth/decision: 302 back to the app with an auth code or ``error=access_denied``.

    Only checked advertisers are granted; a form without any ``advertiser_id`` (a plain HTTP client)
    grants all of them.
    """
    form = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)

    def first(name: str) -> str | None:
        values = form.get(name)
        return values[0] if values else None

    app_id, state, redirect_uri = first("app_id"), first("state"), first("redirect_uri")
    problem = _check_request(emulator, app_id, redirect_uri)
    if problem is not None:
        return problem
    assert redirect_uri is not None
    decision = first("decision")
    tail = {"state": state} if state is not None else {}
    if decision == "deny":
        return _redirect(redirect_uri, {"error": "access_denied", **tail})
    if decision != "authorize":
        return error_page("decision must be authorize or deny.")
    known = emulator.world.advertiser_ids
    chosen = [adv for adv in form.get("advertiser_id", []) if adv in known] or list(known)
    code = emulator.tokens.issue_auth_code(chosen)
    return _redirect(redirect_uri, {"auth_code": code, **tail})


def _app_credentials(call: Call) -> None:
    params = call.params
    call.emulator.tokens.check_app(params.required_string("app_id"), params.required_string("secret"))


def access_token(call: Call) -> dict[str, Any]:
    """POST oauth2/access_token/: exchange a consent's auth code once."""
    _app_credentials(call)
    access, refresh = call.emulator.tokens.exchange_auth_code(call.params.required_string("auth_code"))
    return token_payload(access, refresh, _granted_scope(call))


def refresh_token(call: Call) -> dict[str, Any]:
    """POST oauth2/refresh_token/: rotate; the presented refresh token dies."""
    _app_credentials(call)
    grant_type = call.params.string("grant_type", default="refresh_token")
    if grant_type != "refresh_token":
        raise ApiFailure(Code.INVALID_GRANT_TYPE, "grant_type must be refresh_token.")
    access, refresh = call.emulator.tokens.rotate(call.params.required_string("refresh_token"))
    return token_payload(access, refresh, _granted_scope(call))


def _granted_scope(call: Call) -> list[int]:
    """The permission ids of the app's scopes, as the token answers carry them."""
    return [APP_SCOPES[name].permission_id for name in call.emulator.config.scopes]


def advertiser_get(call: Call) -> dict[str, Any]:
    """GET oauth2/advertiser/get/: the advertisers this token was granted."""
    _app_credentials(call)
    grant = call.grant()
    names = {adv["advertiser_id"]: adv.get("name", "") for adv in call.emulator.world.advertisers()}
    return {
        "list": [
            {"advertiser_id": adv_id, "advertiser_name": names.get(adv_id, "")}
            for adv_id in grant.advertiser_ids
        ]
    }


def revoke_token(call: Call) -> dict[str, Any]:
    """POST oauth2/revoke_token/: the token is dead from now on."""
    _app_credentials(call)
    grant = call.emulator.tokens.revoke(call.params.required_string("access_token"))
    return {"app_id": grant.app_id, "advertiser_ids": list(grant.advertiser_ids)}


__all__ = [
    "DECISION_PATH",
    "access_token",
    "advertiser_get",
    "consent_decision",
    "consent_page",
    "error_page",
    "refresh_token",
    "revoke_token",
]
