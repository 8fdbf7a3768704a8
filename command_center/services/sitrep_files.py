"""The files of an issued Laporan Situasi, made on the server from its facts: the A4 PDF of
the printable page (`sitrep.html`) and a PNG card 1080 px wide for WhatsApp groups (headline
figures, the map, the date).

Both are laid out by WeasyPrint from HTML and the SVG figures (`figures`), so the map is drawn
from the boundary layer with no tile server; the card is its one-page PDF rasterised by PDFium.
They hold counts only, never a person's name.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from types import ModuleType

import pypdfium2
from jinja2 import Environment
from markupsafe import Markup

from command_center.base.geography import Geography
from command_center.base.labels import number, t
from command_center.base.times import format_day, format_wib
from command_center.services import figures, sitrep

log = logging.getLogger(__name__)
CARD_WIDTH_PX = 1080  # WhatsApp shows a picture this wide without scaling it down
CARD_FIGURES = ("deaths", "missing", "displaced", "houses_heavy")


@dataclass(frozen=True)
class SitrepFiles:
    number: int  # the sitrep's
    pdf: bytes
    png: bytes


def drawings(facts: sitrep.SitrepFacts, geography: Geography | None) -> tuple[str, str]:
    """The map of the affected kecamatan shaded by displaced people, inside their kabupaten
    with its and the province's outline (none without boundaries), and the chart of the
    daily series: (map SVG, chart SVG)."""
    chart = figures.bar_svg([(format_day(day, year=False), n) for day, n in facts.daily])
    if geography is None or not facts.kecamatan:
        return "", chart
    shapes = geography.kecamatan.loc[[k.code for k in facts.kecamatan]]
    kabupaten = sorted(set(shapes["kode_kab"]))
    provinces = sorted(set(shapes["kode_prov"]))
    map_svg = figures.map_svg(
        shapes,
        {k.code: k.displaced for k in facts.kecamatan},
        around=geography.kecamatan[geography.kecamatan["kode_kab"].isin(kabupaten)],
        borders=(
            geography.kabupaten.loc[kabupaten].geometry,
            geography.provinces.loc[provinces].geometry,
        ),
        legend=t("sitrep_map_key", "id"),
    )
    return map_svg, chart


def _weasyprint() -> ModuleType:
    """WeasyPrint, imported when first needed: it loads Pango, which a machine may lack (then
    OSError), and the dashboard must start there all the same."""
    import weasyprint

    return weasyprint


def pdf(facts: sitrep.SitrepFacts, map_svg: str, chart_svg: str) -> bytes:
    """The printable sitrep as an A4 PDF (its fonts embedded)."""
    return _weasyprint().HTML(string=sitrep.html(facts, map_svg, chart_svg)).write_pdf()


CARD = Environment(autoescape=True).from_string(
    """<!doctype html><html lang="id"><head><meta charset="utf-8"><style>
  @page { size: 540px 720px; margin: 0; }
  body { margin: 0; padding: 18px 22px; font-family: "Source Sans Pro", Arial, "DejaVu Sans",
  sans-serif; color: #111; background: #fff; }
  .org { font-size: 11px; color: #444; } h1 { font-size: 22px; margin: 2px 0; }
  .incident { font-size: 15px; font-weight: bold; } .meta { font-size: 12px; color: #333; }
  .exercise { font-size: 12px; font-weight: bold; color: #b71c1c; }
  .figures { display: flex; gap: 6px; margin: 10px 0; }
  .figures div { flex: 1; border: 1.5px solid #111; padding: 4px 6px; }
  .figures b { display: block; font-size: 22px; } .figures span { font-size: 11px; }
  .change { font-size: 11px; } svg { width: 100%; height: auto; }
</style></head><body>
{% if f.organisation %}<div class="org">{{ f.organisation }}</div>{% endif %}
<h1>Laporan Situasi{% if f.final %} Akhir{% endif %} No. {{ f.number }}</h1>
<div class="incident">{{ f.incident }}</div>
<div class="meta">Per {{ wib(f.as_of) }}{% if f.status_line %} · {{ f.status_line }}{% endif %}
</div>
{% if f.is_exercise %}<div class="exercise">LATIHAN - bukan kejadian nyata</div>{% endif %}
<div class="figures">{% for key in shown %}<div><b>{{ n(f.totals[key]) }}</b>
<span>{{ words[key] }}</span>{% if key in f.changes %}
<span class="change">({{ signed(f.changes[key]) }})</span>{% endif %}</div>{% endfor %}</div>
{{ map_svg }}
</body></html>
"""
)


def card_html(facts: sitrep.SitrepFacts, map_svg: str) -> str:
    """The WhatsApp card's one page: title, date, headline figures with their change, map."""
    return CARD.render(
        f=facts,
        shown=CARD_FIGURES,
        words=sitrep.WORDS,
        n=number,
        signed=sitrep.signed,
        wib=format_wib,
        map_svg=Markup(map_svg),
    )


def png(facts: sitrep.SitrepFacts, map_svg: str) -> bytes:
    """The WhatsApp card as a PNG `CARD_WIDTH_PX` wide."""
    card = _weasyprint().HTML(string=card_html(facts, map_svg)).write_pdf()
    document = pypdfium2.PdfDocument(card)
    try:
        page = document[0]
        image = page.render(scale=CARD_WIDTH_PX / page.get_width()).to_pil()
    finally:
        document.close()
    if image.width != CARD_WIDTH_PX:  # the scale is a float: never a pixel off
        image = image.resize((CARD_WIDTH_PX, round(image.height * CARD_WIDTH_PX / image.width)))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render(facts: sitrep.SitrepFacts, geography: Geography | None) -> SitrepFiles | None:
    """Both files of the sitrep (the map needs the boundaries; without them, none). None on a
    machine without Pango: the sitrep is issued without files, and the log says what to install."""
    map_svg, chart_svg = drawings(facts, geography)
    try:
        return SitrepFiles(facts.number, pdf(facts, map_svg, chart_svg), png(facts, map_svg))
    except OSError as exc:  # WeasyPrint could not load Pango
        need = "Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
        log.warning("sitrep %s issued without its PDF and image: %s (%s)", facts.number, exc, need)
        return None
