"""Kecamatan reports page: what counts per kecamatan, roll-ups, the choropleth, the daily
series, every version, verification, entry (form, pasted WhatsApp messages), import and
exports. Reads are cached briefly; every write clears them."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from jinja2.utils import htmlsafe_json_dumps

from command_center.adapters.incidents import load_incident_kecamatan
from command_center.base import resources
from command_center.base.auth import Principal, within
from command_center.base.labels import NO_VALUE, field_name, number, t
from command_center.base.models import (
    FIGURES,
    Area,
    HazardEvent,
    ImpactReport,
    Incident,
    IncidentArea,
    ReporterLink,
)
from command_center.base.static_layers import detail_json
from command_center.base.times import format_wib, utcnow
from command_center.services import exports, figures, whatsapp
from command_center.services.gazetteer import gazetteer_of
from command_center.services.reporters import NewLink, link_state, link_url
from command_center.services.reports import (
    HEADLINE_PARTS,
    ReportInput,
    awaiting_verification,
    counted,
    daily_totals,
    newest_per_source,
    per_source,
    with_kabupaten_level,
)
from command_center.stores import common as store
from command_center.stores import imports
from command_center.stores import reporters as reporter_store
from command_center.stores import reports as report_store

HEADLINE = tuple(HEADLINE_PARTS)
COMBINED = {figure: parts for figure, parts in HEADLINE_PARTS.items() if len(parts) > 1}
MAP_FIGURES = (*HEADLINE, *FIGURES)


def figure_label(figure: str, lang: str) -> str:
    return t(f"fig_{figure}", lang)


def _figure(frame: pd.DataFrame, figure: str) -> pd.Series:
    columns = list(COMBINED.get(figure, (figure,)))
    return frame[columns].fillna(0).sum(axis=1).astype(int)


@resources.cached(HazardEvent, Incident, IncidentArea, ttl=30)
def incident_choices() -> dict[int, str]:
    """Open (confirmed) incidents, as {id: name}, newest first: a proposal takes reports once
    it is confirmed."""
    return {i.id: i.name for i in store.incidents(resources.engine()) if i.status == "open"}


@resources.cached(Area, ImpactReport, ttl=20)
def _all_versions() -> pd.DataFrame:
    """Every stored report version; one query serves all the loaders below."""
    return report_store.all_versions(resources.engine())


def _versions(incident_id: int | None, level: str = "kecamatan") -> pd.DataFrame:
    versions = (
        _all_versions()
        if level == "kecamatan"
        else report_store.all_versions(resources.engine(), incident_id, level)
    )
    if incident_id is not None:
        return versions[versions["incident_id"] == incident_id]
    return versions[versions["incident_id"].isin(incident_choices())]


@dataclass(frozen=True)
class Summary:
    totals: dict[str, int]
    kecamatan: pd.DataFrame  # labelled, one row per kecamatan (the report that counts)
    kabupaten: pd.DataFrame
    provinces: pd.DataFrame
    reporting: int
    unverified: int  # of the counted reports (only when unverified ones are included)
    bar: pd.DataFrame  # chosen figures per kecamatan name, for the bar chart


@resources.cached(Area, ImpactReport, ttl=20)
def load_summary(incident_id: int | None, include_unverified: bool, lang: str) -> Summary:
    """Incident totals and the roll-ups kecamatan → kabupaten → province; what kabupaten-level
    reports add is a row of its own, named "not yet broken down by kecamatan"."""
    rows = with_kabupaten_level(
        counted(_versions(incident_id), include_unverified),
        _versions(incident_id, "kabupaten"),
        include_unverified,
    )
    whole = rows["area_level"] == "kabupaten"
    rows.loc[whole, "kecamatan"] = rows.loc[whole, "kecamatan"] + t("not_broken_down", lang)
    geography = resources.geography()
    values = pd.DataFrame({f: _figure(rows, f) for f in HEADLINE})
    values.insert(0, "kode_kec", rows["kecamatan_code"].to_numpy())
    labels = {f: figure_label(f, lang) for f in HEADLINE}
    table = pd.DataFrame(
        {
            t("col_code", lang): rows["kecamatan_code"],
            t("col_kecamatan", lang): rows["kecamatan"],
            t("col_source", lang): rows["source"].str.upper(),
            t("col_time", lang): [format_wib(v, lang) for v in rows["report_time"]],
            t("col_verification", lang): [
                t(f"verification_{v}", lang) for v in rows["verification"]
            ],
        }
    ).join(values[list(HEADLINE)].set_index(rows.index).rename(columns=labels))
    rolled = {}
    for level in ("kabupaten", "province"):
        if geography is None or values.empty:
            rolled[level] = pd.DataFrame()
            continue
        up = geography.rollup(values, list(HEADLINE), level)
        rolled[level] = up.rename(
            columns={
                **labels,
                up.columns[0]: t("col_code", lang),
                up.columns[1]: t("col_name", lang),
            }
        ).sort_values(labels["displaced"], ascending=False)
    bar = values.set_index(rows["kecamatan"].to_numpy())[["deaths", "displaced"]]
    return Summary(
        totals={f: int(values[f].sum()) for f in HEADLINE},
        kecamatan=table,
        kabupaten=rolled["kabupaten"],
        provinces=rolled["province"],
        reporting=int((~whole).sum()),
        unverified=int((rows["verification"] != "verified").sum()),
        bar=bar.rename(columns=labels),
    )


@dataclass(frozen=True)
class ChoroplethView:
    values: dict[str, list[str]]
    legend: list[tuple[str, str]]  # (the class's range in words, its colour)
    urls: dict[str, str]
    bounds: list[list[float]] | None
    detail: str  # the detailed boundaries as HTML-safe JSON (`maps.Choropleth`), or null


@resources.cached(Area, ImpactReport, ttl=20)
def load_choropleth(
    incident_id: int | None, figure: str, include_unverified: bool, lang: str
) -> ChoroplethView | None:
    """Colours and tooltips of the kecamatan with this figure; None without boundaries."""
    geography = resources.geography()
    if geography is None:
        return None
    rows = counted(_versions(incident_id), include_unverified)
    amounts = dict(zip(rows["kecamatan_code"], _figure(rows, figure), strict=True))
    legend = figures.classes(list(amounts.values()))
    values = {
        code: [figures.class_colour(amount, legend) or figures.NO_FIGURE, number(amount, lang)]
        for code, amount in amounts.items()
    }
    bounds = None
    if amounts:
        x0, y0, x1, y1 = geography.kecamatan.loc[list(amounts)].total_bounds
        bounds = [[y0, x0], [y1, x1]]
    detail = htmlsafe_json_dumps(detail_json(geography, list(amounts)))  # once, for all
    return ChoroplethView(values, class_words(legend, lang), resources.map_layers(), bounds, detail)


def class_words(legend: list[tuple[float, str]], lang: str) -> list[tuple[str, str]]:
    """Each class as the range it holds ("3-10", with an en dash), then the kecamatan with none."""
    keys, low = [], 1
    for bound, colour in legend:
        high = int(bound)
        words = number(low, lang)
        keys.append((words if high <= low else f"{words}\u2013{number(high, lang)}", colour))
        low = high + 1
    return [*keys, (t("no_figure_key", lang), figures.NO_FIGURE)] if keys else []


@resources.cached(Area, ImpactReport, ttl=20)
def load_series(incident_id: int, include_unverified: bool, lang: str) -> pd.DataFrame:
    """Incident totals at the end of each day, with the change from the day before."""
    series = daily_totals(_versions(incident_id), list(HEADLINE), include_unverified, utcnow())
    return (
        series.set_index("day")
        .rename_axis(t("col_day", lang))
        .rename(
            columns={
                **{f: figure_label(f, lang) for f in HEADLINE},
                **{f"{f}_change": f"Δ {figure_label(f, lang)}" for f in HEADLINE},
            }
        )
    )


@resources.cached(Area, ImpactReport, ttl=20)
def load_side_by_side(incident_id: int, figure: str, lang: str) -> pd.DataFrame:
    """What every source says now per kecamatan (`per_source`), one column per source."""
    newest = per_source(_versions(incident_id))
    newest = newest.assign(value=_figure(newest, figure), source=newest["source"].str.upper())
    table = newest.pivot_table(
        index=["kecamatan_code", "kecamatan"], columns="source", values="value", aggfunc="first"
    )
    return table.reset_index().rename(
        columns={"kecamatan_code": t("col_code", lang), "kecamatan": t("col_kecamatan", lang)}
    )


@resources.cached(Area, ImpactReport, ttl=20)
def load_versions(
    incident_id: int,
    kecamatan_code: str | None,
    lang: str,
    sources: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Every version of the incident's reports, newest (by report time) first, each marked
    current or history, filtered by kecamatan, sources and verification statuses (none given:
    all); index = report id."""
    versions = _versions(incident_id)
    current = set(newest_per_source(versions[versions["verification"] != "rejected"])["id"])
    if kecamatan_code:
        versions = versions[versions["kecamatan_code"] == kecamatan_code]
    if sources:
        versions = versions[versions["source"].isin(sources)]
    if statuses:
        versions = versions[versions["verification"].isin(statuses)]
    versions = versions.sort_values(["report_time", "version"], ascending=False)
    table = pd.DataFrame(
        {
            t("col_kecamatan", lang): versions["kecamatan"],
            t("col_source", lang): versions["source"].str.upper(),
            t("col_version", lang): versions["version"],
            t("col_time", lang): [format_wib(v, lang) for v in versions["report_time"]],
            t("col_standing", lang): [
                t("standing_current" if i in current else "standing_history", lang)
                for i in versions["id"]
            ],
            t("col_reporter", lang): versions["reporter"],
            t("col_verification", lang): [
                t(f"verification_{v}", lang) for v in versions["verification"]
            ],
            t("col_reason", lang): versions["rejection_reason"],
            **{figure_label(f, lang): _figure(versions, f) for f in HEADLINE},
            t("col_notes", lang): versions["notes"],
            t("field_other_columns", lang): versions["other_columns"].map(_other_columns),
        }
    )
    table.index = pd.Index(versions["id"].astype(int), name="id")
    return table.fillna(NO_VALUE)


def _other_columns(kept: dict[str, str] | None) -> str | None:
    """The columns a report kept from its file or form, as "header: value; ..."."""
    return "; ".join(f"{header}: {value}" for header, value in kept.items()) if kept else None


@resources.cached(Area, ImpactReport, ttl=20)
def verification_queue(incident_id: int, actor: Principal, lang: str) -> tuple[dict[int, str], int]:
    """What waits for verification (`awaiting_verification`) inside `actor`'s scope, oldest
    first, labelled "Cugenang · TKSK · versi 3 · 22 Nov 14:00 WIB", and "· riwayat" for an
    older report that gives a figure its source's current one does not; superseded versions
    are never offered, nor the actor's own reports (a second person checks them): how many of
    those wait comes second."""
    waiting = awaiting_verification(_versions(incident_id)).sort_values(["report_time", "id"])
    waiting = waiting.loc[[actor.covers(code) for code in waiting["kecamatan_code"]]]
    own = waiting["created_by"] == actor.name
    waiting = waiting[~own]
    return {
        int(r.id): " · ".join(
            (
                str(r.kecamatan),
                t(f"source_{r.source}", lang),
                t("version_n", lang, n=r.version),
                format_wib(r.report_time, lang),
                *([t("standing_history", lang)] if r.history else []),
            )
        )
        for r in waiting.itertuples()
    }, int(own.sum())


def save_report(values: dict[str, Any], actor: Principal, confirmed: bool) -> report_store.Saved:
    report = ReportInput.check(values, resources.geography())
    return resources.written(report_store.save_report(resources.engine(), report, actor, confirmed))


@dataclass(frozen=True)
class PastedReport:
    """One report read from pasted text: the draft, the areas to pick from (its own first,
    then the incident's kecamatan and kabupaten), and the text as escaped HTML with every
    figure read marked."""

    draft: whatsapp.Draft
    options: dict[str, str]  # code -> "name (code)"
    marked_html: str


def read_whatsapp(text: str, incident_id: int, actor: Principal) -> list[PastedReport]:
    """Drafts from pasted field messages; kecamatan are looked for in the incident's
    kabupaten first (`whatsapp.read_messages`), an unknown one left for the operator, who
    picks among those inside `actor`'s scope."""
    incident = load_incident_kecamatan(incident_id)
    geography = resources.geography()
    places = gazetteer_of(geography.points) if geography is not None else None
    area = list(dict.fromkeys(code[:5] for code in incident))
    name = geography.name if geography is not None else str
    kabupaten = {code: f"{name(code)} ({code})" for code in area}
    pasted = []
    for draft in whatsapp.read_messages(text, utcnow(), places, area):
        own = [draft.area_code] if draft.area_code else []
        own += [c.code for c in draft.candidates]
        options = {code: f"{name(code)} ({code})" for code in own}
        choices = within(actor, {**options, **incident, **kabupaten})
        pasted.append(PastedReport(draft, choices, _marked(draft)))
    return pasted


def _marked(draft: whatsapp.Draft) -> str:
    """The message with each figure read in <mark>, every piece of it escaped."""
    parts, last = [], 0
    for figure in draft.figures:
        parts.append(html.escape(draft.message[last : figure.start]))
        parts.append(f"<mark>{html.escape(draft.message[figure.start : figure.end])}</mark>")
        last = figure.end
    parts.append(html.escape(draft.message[last:]))
    return "".join(parts)


def verify(
    report_id: int,
    status: str,
    actor: Principal,
    reason: str | None = None,
    confirmed: bool = False,
) -> None:
    engine = resources.engine()
    resources.written(
        report_store.set_verification(engine, report_id, status, actor, reason, confirmed)
    )


def preview(
    data: bytes,
    file_name: str,
    incident_id: int,
    actor: Principal,
    default_source: str | None = None,
) -> imports.Table:
    """The rows a report file would give the incident, each with the place it matched
    (`area_match`)."""
    limits, geography = resources.settings().import_limits, resources.geography()
    within = report_store.incident_kabupaten(resources.engine(), incident_id)
    return report_store.read_file(data, file_name, geography, actor, limits, default_source, within)


def import_file(
    data: bytes,
    file_name: str,
    incident_id: int,
    actor: Principal,
    confirmed: bool,
    progress,
    default_source: str | None = None,
) -> imports.ImportReport:
    engine, geography = resources.engine(), resources.geography()
    limits = resources.settings().import_limits
    return resources.written(
        report_store.import_reports(
            engine,
            data,
            file_name,
            incident_id,
            geography,
            actor,
            limits,
            confirmed,
            progress,
            default_source,
        )
    )


def resubmit(edits: dict[int, dict[str, Any]], actor: Principal) -> imports.ImportReport:
    engine, geography = resources.engine(), resources.geography()
    return resources.written(report_store.resubmit_reports(engine, edits, geography, actor))


def export(incident_id: int | None, include_unverified: bool, kind: str, lang: str) -> bytes:
    """The counted reports as `csv` (headed in the user's language, for people), or `hxl` and
    `geojson` (our field names and HXL tags, for the systems that read them)."""
    geography = resources.geography()
    table = exports.export_table(counted(_versions(incident_id), include_unverified), geography)
    if kind == "geojson":
        return exports.to_geojson(table, geography)
    if kind == "hxl":
        return exports.to_hxl(table)
    return exports.to_csv(table.rename(columns=lambda c: field_name(c, lang)))


def export_name(incident_id: int | None, kind: str, now: datetime | None = None) -> str:
    stamp = (now or utcnow()).strftime("%Y%m%d-%H%M")
    suffix = {"csv": "csv", "hxl": "hxl.csv", "geojson": "geojson"}[kind]
    return f"laporan-dampak-{incident_id or 'semua'}-{stamp}.{suffix}"


def report_areas(incident_id: int, actor: Principal, lang: str) -> dict[str, str]:
    """What `actor` may report for: the incident's kecamatan (then the rest of its
    kabupaten), then each of its kabupaten as a whole, inside `actor`'s scope: code → words."""
    kecamatan = load_incident_kecamatan(incident_id)
    geography = resources.geography()
    name = geography.name if geography is not None else str
    whole = {
        code: f"{name(code)} ({code}){t('whole_kabupaten', lang)}"
        for code in dict.fromkeys(c[:5] for c in kecamatan)
    }
    return within(actor, {**kecamatan, **whole})


def issue_link(values: dict[str, Any], actor: Principal) -> str:
    """A new field reporter's link; its address (shown once)."""
    link = NewLink.check(values, resources.geography())
    _, token = resources.written(reporter_store.create_link(resources.engine(), actor, link))
    return link_url(resources.settings().public_url, token)


@resources.cached(ReporterLink, ttl=60)  # its states depend on the clock too
def load_links(actor: Principal, lang: str) -> pd.DataFrame:
    """The field reporters' links of `actor`'s area, labelled; index = link id."""
    now, geography = utcnow(), resources.geography()
    rows = reporter_store.links(resources.engine(), actor)
    name = geography.name if geography is not None else str

    table = pd.DataFrame(
        {
            t("col_name", lang): [r.name for r in rows],
            t("field_role", lang): [t(f"source_{r.role}", lang) for r in rows],
            t("col_phone", lang): [r.phone or "" for r in rows],
            t("col_kecamatan", lang): [", ".join(map(name, r.kecamatan)) for r in rows],
            t("lapor_incident", lang): [r.incident_id or t("all_open", lang) for r in rows],
            t("link_until", lang): [format_wib(r.expires_at, lang) for r in rows],
            t("link_state", lang): [
                t(f"link_{link_state(r.revoked_at, r.expires_at, now)}", lang) for r in rows
            ],
            t("link_used", lang): [format_wib(r.last_used_at, lang) for r in rows],
        },
        index=pd.Index([r.id for r in rows], name="id"),
    )
    return table.astype(str)


def revoke_link(link_id: int, actor: Principal) -> None:
    resources.written(reporter_store.revoke_link(resources.engine(), actor, link_id))
