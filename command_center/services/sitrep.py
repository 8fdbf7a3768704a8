"""Laporan Situasi (sitrep) of an incident: the facts gathered once, then written as WhatsApp
text (short lines, `*bold*`, no tables) and as print-ready HTML with a map and a chart.

Figures are the verified kecamatan reports (see `services.reports.counted`); the sitrep says
how many unverified reports were left out, its sources and report time, and what changed since
the previous sitrep of the incident. Needs and deliveries are one reconciliation
(`services.logistics.reconcile`): every rendering states one delivered figure per item and unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from jinja2 import Environment
from markupsafe import Markup

from command_center.base import labels
from command_center.base.labels import number
from command_center.base.times import format_day, format_wib
from command_center.services.logistics import AidLine, item_label
from command_center.services.reports import CASUALTIES

TOTALS = (
    "deaths",
    "missing",
    "injured_severe",
    "injured_light",
    "injured_unspecified",
    "displaced",
    "shelters",
    "affected_people",
    "houses_heavy",
    "houses_moderate",
    "houses_light",
)
WORDS = {f: labels.t(f"field_{f}", "id") for f in TOTALS}  # a sitrep is written in Bahasa Indonesia
TOP = 5
WHATSAPP_MARKS = re.compile(r"[*_~`]")


@dataclass(frozen=True)
class KecamatanLine:
    code: str
    name: str
    deaths: int
    missing: int
    injured: int
    displaced: int
    houses_damaged: int


@dataclass(frozen=True)
class AidFacts:
    """Shelters and meals for a sitrep (counts only, never names of people)."""

    shelters: int  # open
    in_shelters: int
    families: int
    meals_total: int
    meals_last_day: tuple[date, int] | None


@dataclass(frozen=True)
class SitrepFacts:
    incident: str
    is_exercise: bool
    number: int
    as_of: datetime
    event: str | None  # the triggering hazard in one line, if any
    event_time: datetime | None
    totals: dict[str, int]
    kecamatan: list[KecamatanLine]  # by displaced, then deaths
    area_kecamatan: int  # kecamatan in the incident's affected area
    sources: dict[str, int]  # reports counted per source
    latest_report: datetime | None
    unverified_left_out: int
    teams_deployed: list[tuple[str, str]]  # (team, kecamatan)
    teams_standby: int
    items: list[AidLine]  # needs and deliveries, reconciled (`logistics.reconcile`)
    previous_number: int | None = None
    previous_totals: dict[str, int] = field(default_factory=dict)
    status_line: str | None = None  # the emergency phase in force: "Hari ke-5 tanggap darurat"
    final: bool = False  # issued when the incident closed
    aid: AidFacts | None = None  # when shelters or dapur umum are recorded
    decree: str | None = None  # the decree of the phase in force: "SK 360/... (Bupati ...)"
    daily: tuple[tuple[date, int], ...] = ()  # displaced at the end of each day (WIB)
    organisation: str = ""  # who issues it, above the title

    @property
    def changes(self) -> dict[str, int]:
        """Totals that changed since the previous sitrep (figure -> difference)."""
        if self.previous_number is None:
            return {}
        return {
            f: self.totals[f] - self.previous_totals.get(f, 0)
            for f in TOTALS
            if self.totals[f] != self.previous_totals.get(f, 0)
        }


def kecamatan_lines(counted: pd.DataFrame) -> list[KecamatanLine]:
    """One line per kecamatan from the counted reports, most displaced first."""
    lines = [
        KecamatanLine(
            r.kecamatan_code,
            r.kecamatan,
            _int(r.deaths),
            _int(r.missing),
            _int(r.injured_severe) + _int(r.injured_light) + _int(r.injured_unspecified),
            _int(r.displaced),
            _int(r.houses_heavy) + _int(r.houses_moderate) + _int(r.houses_light),
        )
        for r in counted.itertuples()
    ]
    return sorted(lines, key=lambda k: (-k.displaced, -k.deaths, k.code))


def _int(value: object) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _plain(text: str) -> str:
    """User text inside WhatsApp formatting: its own `*_~` marks are dropped."""
    return WHATSAPP_MARKS.sub("", text)


def signed(value: int) -> str:
    return f"+{number(value)}" if value > 0 else f"-{number(-value)}"


def whatsapp(facts: SitrepFacts) -> str:
    """The sitrep as WhatsApp-ready text in Bahasa Indonesia."""
    t, n = facts.totals, number
    change = facts.changes
    lines = [
        f"*LAPORAN SITUASI{' AKHIR' if facts.final else ''} No. {facts.number}*",
        f"*{_plain(facts.incident)}*",
        f"Per {format_wib(facts.as_of)}",
    ]
    if facts.status_line:
        lines.append(facts.status_line)
    if facts.is_exercise:
        lines.append("_LATIHAN - bukan kejadian nyata_")
    if facts.event:
        lines += ["", "*Kejadian*", _plain(facts.event)]
        if facts.event_time:
            lines.append(format_wib(facts.event_time))
    lines += ["", "*Dampak (terverifikasi)*"]
    for figure in CASUALTIES:
        if figure == "injured_unspecified" and not t[figure]:
            continue  # BNPB's undivided "terluka": said only where a file gave it
        delta = f" ({signed(change[figure])})" if figure in change else ""
        lines.append(f"{WORDS[figure]}: {n(t[figure])}{delta}")
    delta = f" ({signed(change['displaced'])})" if "displaced" in change else ""
    lines.append(f"Mengungsi: {n(t['displaced'])} jiwa di {n(t['shelters'])} titik{delta}")
    lines.append(
        "Rumah rusak berat/sedang/ringan: "
        f"{n(t['houses_heavy'])} / {n(t['houses_moderate'])} / {n(t['houses_light'])}"
    )
    lines.append(f"Kecamatan melapor: {len(facts.kecamatan)} dari {facts.area_kecamatan}")
    if facts.kecamatan:
        lines += ["", "*Kecamatan terdampak terbesar*"]
        for i, k in enumerate(facts.kecamatan[:TOP], start=1):
            lines.append(
                f"{i}. {_plain(k.name)}: {n(k.deaths)} meninggal, {n(k.displaced)} mengungsi"
            )
    lines += ["", "*Tagana*", f"Bertugas: {len(facts.teams_deployed)} tim"]
    lines += [f"- {_plain(team)} di {_plain(place)}" for team, place in facts.teams_deployed]
    lines.append(f"Siaga: {facts.teams_standby} tim")
    needed = [line for line in facts.items if line.needed][:TOP]  # the largest gaps
    items = needed + [line for line in facts.items if not line.needed]
    if items:
        lines += ["", "*Kebutuhan dan bantuan*"]
        lines += [f"- {_plain(aid_words(line))}" for line in items]
    if facts.aid is not None:
        lines += ["", "*Pengungsian dan dapur umum*", *_aid_lines(facts.aid)]
    if facts.previous_number is not None:
        lines += ["", f"*Perubahan sejak Sitrep No. {facts.previous_number}*"]
        lines.append(
            ", ".join(f"{WORDS[f]} {signed(d)}" for f, d in change.items())
            or "Tidak ada perubahan angka."
        )
    sources = ", ".join(f"{s.upper()} {c}" for s, c in sorted(facts.sources.items()))
    lines += [
        "",
        f"_Sumber: {sum(facts.sources.values())} laporan kecamatan terverifikasi ({sources})._",
        f"_Laporan terakhir {format_wib(facts.latest_report)}._",
    ]
    if facts.unverified_left_out:
        lines.append(f"_{facts.unverified_left_out} laporan belum terverifikasi tidak dihitung._")
    return "\n".join(lines)


def _aid_lines(aid: AidFacts) -> list[str]:
    n = number
    lines = [f"Posko buka: {n(aid.shelters)}, {n(aid.in_shelters)} jiwa ({n(aid.families)} KK)"]
    if aid.meals_total:
        last = ""
        if aid.meals_last_day is not None:
            day, portions = aid.meals_last_day
            last = f", {n(portions)} pada {format_day(day, year=False)}"
        lines.append(f"Dapur umum: {n(aid.meals_total)} porsi tersaji{last}")
    return lines


def aid_words(line: AidLine) -> str:
    """One item's need and deliveries in a line: `Selimut: butuh 300 lembar, tersalur 120,
    dalam perjalanan 30`; a delivery the posko reported (not in the ledger) says so."""
    unit = f" {line.unit}" if line.unit else ""
    parts = [f"butuh {number(line.needed)}{unit}"] if line.needed else []
    parts.append(f"tersalur {delivered_words(line, '' if line.needed else unit)}")
    if line.in_transit:
        parts.append(f"dalam perjalanan {number(line.in_transit)}")
    return f"{item_label(line.item)}: {', '.join(parts)}"


def delivered_words(line: AidLine, unit: str = "") -> str:
    """The delivered figure (with `unit`), marked when it is the posko reports' own."""
    return number(line.delivered) + unit + (" (laporan posko)" if line.reported else "")


HTML = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<title>Laporan Situasi No. {{ f.number }} - {{ f.incident }}</title>
<style>
  @page { size: A4; margin: 16mm; }
  body { font-family: "Source Sans Pro", Arial, "DejaVu Sans", sans-serif; color: #111;
  font-size: 11pt; }
  h1 { font-size: 18pt; margin: 0; } h2 { font-size: 13pt; margin: 14pt 0 4pt; }
  .meta { color: #444; } .exercise { color: #b71c1c; font-weight: bold; }
  table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #999;
  padding: 3pt 5pt; text-align: right; } th:first-child, td:first-child { text-align: left; }
  .grid { display: flex; gap: 12pt; } .grid > div { flex: 1; }
  .change { color: #b71c1c; } footer { margin-top: 14pt; color: #444; font-size: 9pt; }
  svg { max-width: 100%; height: auto; } tr, svg { break-inside: avoid; }
</style></head><body>
{% if f.organisation %}<div class="meta">{{ f.organisation }}</div>{% endif %}
<h1>Laporan Situasi{% if f.final %} Akhir{% endif %} No. {{ f.number }}</h1>
<div><b>{{ f.incident }}</b></div>
{% if f.status_line %}<div><b>{{ f.status_line }}</b>{% if f.decree %} · {{ f.decree }}
{% endif %}</div>{% endif %}
<div class="meta">Per {{ wib(f.as_of) }}{% if f.previous_number %} · perubahan sejak Sitrep
No. {{ f.previous_number }} dalam kurung{% endif %}</div>
{% if f.is_exercise %}<div class="exercise">LATIHAN — bukan kejadian nyata</div>{% endif %}
{% if f.event %}<h2>Kejadian</h2><div>{{ f.event }}{% if f.event_time %},
{{ wib(f.event_time) }}{% endif %}</div>{% endif %}
<h2>Dampak (laporan terverifikasi)</h2>
<table><tr><th>Angka</th><th>Jumlah</th></tr>
{% for key in totals %}<tr><td>{{ words[key] }}</td><td>{{ n(f.totals[key]) }}
{% if key in f.changes %}<span class="change">({{ signed(f.changes[key]) }})</span>{% endif %}
</td></tr>{% endfor %}</table>
<div class="grid"><div><h2>Peta</h2>{{ map_svg }}</div>
<div><h2>Mengungsi per hari</h2>{{ chart_svg }}</div></div>
<h2>Per kecamatan</h2>
<table><tr><th>Kecamatan</th><th>Kode</th><th>Meninggal</th><th>Hilang</th><th>Luka</th>
<th>Mengungsi</th><th>Rumah rusak</th></tr>
{% for k in f.kecamatan %}<tr><td>{{ k.name }}</td><td>{{ k.code }}</td><td>{{ n(k.deaths) }}</td>
<td>{{ n(k.missing) }}</td><td>{{ n(k.injured) }}</td><td>{{ n(k.displaced) }}</td>
<td>{{ n(k.houses_damaged) }}</td></tr>{% endfor %}</table>
<h2>Tagana</h2>
<div>Bertugas: {{ f.teams_deployed|length }} tim · Siaga: {{ f.teams_standby }} tim</div>
<ul>{% for team, place in f.teams_deployed %}<li>{{ team }} — {{ place }}</li>{% endfor %}</ul>
{% if f.items %}<h2>Kebutuhan dan bantuan tersalur</h2>
<table><tr><th>Barang</th><th>Satuan</th><th>Dibutuhkan</th><th>Tersalur</th>
<th>Dalam perjalanan</th><th>Kekurangan</th></tr>
{% for line in f.items %}<tr><td>{{ label(line.item) }}</td><td>{{ line.unit }}</td>
<td>{{ n(line.needed) }}</td><td>{{ delivered(line) }}</td><td>{{ n(line.in_transit) }}</td>
<td>{{ n([line.needed - line.delivered, 0]|max) }}</td></tr>
{% endfor %}</table>{% endif %}
{% if f.aid %}<h2>Pengungsian dan dapur umum</h2>
<ul>{% for line in aid_lines(f.aid) %}<li>{{ line.lstrip("- ") }}</li>{% endfor %}</ul>{% endif %}
<footer>Sumber: {{ f.sources.values()|sum }} laporan kecamatan terverifikasi
({{ sources }}),
laporan terakhir {{ wib(f.latest_report) }}.
{% if f.unverified_left_out %}{{ f.unverified_left_out }} laporan belum terverifikasi tidak
dihitung.{% endif %} Data gempa dan cuaca: BMKG.</footer>
</body></html>
"""
)


def html(facts: SitrepFacts, map_svg: str = "", chart_svg: str = "") -> str:
    """Print-ready HTML (A4); `map_svg` and `chart_svg` are trusted SVG made by `figures`."""
    return HTML.render(
        f=facts,
        totals=TOTALS,
        words=WORDS,
        n=number,
        signed=signed,
        wib=format_wib,
        sources=", ".join(f"{s.upper()} {c}" for s, c in sorted(facts.sources.items())),
        aid_lines=_aid_lines,
        label=item_label,
        delivered=delivered_words,
        map_svg=Markup(map_svg),
        chart_svg=Markup(chart_svg),
    )
