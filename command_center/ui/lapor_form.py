"""The field reporter's light report form at `/lapor?kunci=...`: one small page rendered on the
server, outside Streamlit's JavaScript, so that a cheap phone on a weak signal can type in it
within seconds (docs/phone.md). The same adapter and store as the Streamlit Lapor page.

With no JavaScript it is a plain form: POST, then 303 to the receipt (a reload sends nothing
again). Its inline script keeps the typed report on the phone and sends it when the signal
returns (`lapor_form.html`). The link is a credential: nothing here is cached or referred on.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
import pandas as pd
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from command_center.adapters import lapor as data
from command_center.adapters.lapor import GROUPS, LANG, UNSENT_AFTER_S
from command_center.base.errors import (
    CommandCenterError,
    Forbidden,
    InvalidInput,
    NeedsConfirmation,
)
from command_center.base.labels import field_error, t
from command_center.base.times import format_wib, now_in, today_in
from command_center.services.incidents import zone_of
from command_center.services.reporters import LINK_PARAM, FieldReporter
from command_center.ui.messages import explain

SENT_PARAM = "terkirim"  # the receipt: the id of the report just stored
PICK = {"incident_id": "kejadian", "kecamatan_code": "kec"}  # the choice, in the page's address
FIGURES = tuple(f for _, figures in GROUPS for f in figures)
TYPED = ("report_date", "report_clock", *FIGURES, "needs", "notes")
FIELD_MAX = 24_000  # bytes of one posted field: 2,000 characters (`NOTE`) of up to 4 bytes, as %XX
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent),
    autoescape=True,  # everything a person typed is shown as text
    undefined=jinja2.StrictUndefined,
)
TEMPLATE = TEMPLATES.get_template("lapor_form.html")


def _headers(nonce: str) -> dict[str, str]:
    """The link is in the address: keep the page out of caches and other sites' logs, and
    run only our own inline script and style."""
    policy = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        "img-src data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
    return {
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
    }


def _page(status: int = 200, **context: Any) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    html = TEMPLATE.render(t=_words, lang=LANG, nonce=nonce, **context)
    return HTMLResponse(html, status_code=status, headers=_headers(nonce))


def _words(key: str, **fields: object) -> str:
    """A label as plain text, for the template to escape: the label's markdown code marks
    dropped (not those of what fills it in)."""
    text = t(key, LANG).replace("`", "")
    return text.format(**fields) if fields else text


def _invalid() -> HTMLResponse:
    return _page(403, invalid=True)


def _chosen(wanted: str | None, allowed: dict) -> Any:
    """The incident or kecamatan asked for when the link allows it, else the first."""
    return next((key for key in allowed if str(key) == wanted), next(iter(allowed), None))


def _start(last: dict[str, Any], zone: str) -> dict[str, str]:
    """A new report's fields: now in the kecamatan's `zone`, and the reporter's `last`
    figures there."""
    now = now_in(zone)
    typed = {"report_date": now.date().isoformat(), "report_clock": now.strftime("%H:%M")}
    return typed | {k: str(v) for k, v in last.items()}


def _form(
    path: str,
    token: str,
    holder: FieldReporter,
    mine: pd.DataFrame,
    asked: dict[str, str | None],
    typed: dict[str, Any] | None = None,
    **context: Any,
) -> dict[str, Any]:
    """Everything the template shows for the form of `asked` (incident and kecamatan), at
    `path` (the form's own)."""
    incidents, places = data.incidents(holder), data.kecamatan(holder)
    incident_id = _chosen(asked.get("incident_id"), incidents)
    code = _chosen(asked.get("kecamatan_code"), places)
    last = data.last_figures(mine, incident_id, code) if incident_id is not None else {}
    zone = zone_of(code)  # the reporter's own clock: WIB, WITA or WIT
    return {
        "invalid": False,
        "token": token,
        "path": path,
        "link_param": LINK_PARAM,
        "action": f"{path}?{urlencode({LINK_PARAM: token})}",
        "full_page": f"{_root(path)}?{urlencode({LINK_PARAM: token})}"
        if data.households_open()
        else None,
        "hello": {
            "name": holder.name,
            "role": t(f"source_{holder.role}", LANG),
            "until": format_wib(holder.expires_at, LANG),
        },
        "incidents": incidents,
        "places": places,
        "incident_id": incident_id,
        "code": code,
        "pick": PICK,
        "groups": GROUPS,
        "typed": typed if typed is not None else _start(last, zone),
        "updating": bool(last) and typed is None,
        "zone": zone,
        "today": today_in(zone).isoformat(),
        "previous": data.summaries(mine, LANG),
        "config": {
            "waitS": UNSENT_AFTER_S,
            "unsent": t("lapor_unsent", LANG),
            "restored": t("lapor_restored", LANG),
        },
        "errors": {},
        "receipt": None,
        "confirm": None,
        **context,
    }


def _receipt(mine: pd.DataFrame, sent: str | None) -> dict[str, Any] | None:
    """The report just stored, when it is one of the link's own (however old its time)."""
    rows = data.summaries(mine[mine["id"].astype(str) == sent], LANG)
    if not rows:
        return None
    (row,) = rows
    name = f"{row['kecamatan']} ({row['code']})"
    text = t("lapor_saved", LANG, kecamatan=name, version=row["version"])
    return {"text": text, "draft": f"{row['incident_id']}_{row['code']}", **row}


def show(request: Request) -> Response:
    """GET: the form (and the receipt of a report just stored)."""
    token = request.query_params.get(LINK_PARAM, "")
    holder = data.reporter(token)
    if holder is None:
        return _invalid()
    mine = data.previous(holder)
    receipt = _receipt(mine, request.query_params.get(SENT_PARAM))
    if receipt is not None:  # the form goes on with the report just sent
        asked = {"incident_id": str(receipt["incident_id"]), "kecamatan_code": receipt["code"]}
    else:
        asked = {field: request.query_params.get(name) for field, name in PICK.items()}
    return _page(**_form(request.url.path, token, holder, mine, asked, receipt=receipt))


async def send(request: Request) -> Response:
    """POST: store the report, then 303 to its receipt; or the form again, as typed, with
    the question to confirm or each error beside its field. The link is checked before the
    body is read, and the body read only as far as the form's fields go."""
    token = request.query_params.get(LINK_PARAM, "")
    holder = await run_in_threadpool(data.reporter, token)
    if holder is None:
        return _invalid()
    fields = (*PICK, *TYPED, "confirmed")
    posted = await request.form(max_files=0, max_fields=2 * len(fields), max_part_size=FIELD_MAX)
    typed = {field: str(posted.get(field, "")) for field in fields}
    return await run_in_threadpool(_send, request.url.path, token, holder, typed)


def _send(path: str, token: str, holder: FieldReporter, typed: dict[str, str]) -> Response:
    report = {field: typed[field] for field in (*PICK, *FIGURES, "needs", "notes")}
    report["report_time"] = f"{typed['report_date']} {typed['report_clock']}".strip()
    mine = data.previous(holder)
    try:
        saved = data.save(token, report, confirmed=typed["confirmed"] == _figures(typed))
    except NeedsConfirmation as exc:
        drops = "; ".join(field_error(w.field, w.code, w.params, LANG) for w in exc.warnings)
        confirm = {"question": t("confirm_drops", LANG, drops=drops), "figures": _figures(typed)}
        return _page(**_form(path, token, holder, mine, typed, typed, confirm=confirm))
    except InvalidInput as exc:
        return _page(422, **_form(path, token, holder, mine, typed, typed, errors=_by_field(exc)))
    except CommandCenterError as exc:  # Forbidden: a kecamatan or incident not the link's
        errors = {"": [explain(exc, LANG, quote=str)]}
        status = 403 if isinstance(exc, Forbidden) else 422
        return _page(status, **_form(path, token, holder, mine, typed, typed, errors=errors))
    receipt = urlencode({LINK_PARAM: token, SENT_PARAM: saved.id})
    return RedirectResponse(f"{path}?{receipt}", status_code=303)


def _figures(typed: dict[str, str]) -> str:
    """The figures as typed, in one text: a confirmation holds only for the figures it was
    asked about (changed after the question, they are checked again)."""
    return "|".join(typed[figure] for figure in FIGURES)


def _by_field(error: InvalidInput) -> dict[str, list[str]]:
    """Each problem under the field it names (`report_time` under the date and time); the
    ones no field of the form shows (the link wrote too often) under ""."""
    shown = {*PICK, *TYPED, "report_time"}
    errors: dict[str, list[str]] = {}
    for e in error.errors:
        field = e.field.split(".")[0]
        text = field_error(e.field, e.code, e.params, LANG)
        errors.setdefault(field if field in shown else "", []).append(text)
    return errors


def _root(path: str) -> str:
    """The app's root for the form at `path` (`/` for `/lapor`, `/cc/` for `/cc/lapor`)."""
    return path.removesuffix("lapor")


def routes(base_url_path: str = "") -> list[Route]:
    """The form's routes, at `lapor` under Streamlit's `server.baseUrlPath` as the app is."""
    path = "/".join(["", *(part for part in base_url_path.split("/") if part), "lapor"])
    return [Route(path, show, methods=["GET"]), Route(path, send, methods=["POST"])]
