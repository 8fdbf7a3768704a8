"""Field reports pasted as text (WhatsApp posko messages, recaps, a BPBD statement) read into
draft kecamatan reports.

    [05/12 09.12] Asep TKSK: Lap. Posko Kec. Cileunyi 5/12 pkl 09.00
    MD 1, LR 7, mengungsi ± 2.340 jiwa (4 titik), 300 rumah kerendem
    Kebutuhan: tikar 150 lbr, air mineral 500 dus

A paste is cut into messages at WhatsApp's own headers and forwarded markers, and a message
into one draft per place it reports on (a "Kec." or a kecamatan of the incident's area named
at a line's start or after figures of another place; recap numbering "1." "2." included), so
no figure ever crosses from one draft to another. Figures are read by BNPB's abbreviations
(MD, H, LB, LR, RB, RS, RR) and words in either order ("mengungsi 1.250 jiwa", "1.250 jiwa
mengungsi"); counts by `numbers` (one reader for every path); dates by `field_time`. A
kecamatan is looked for in the incident's kabupaten first, a misspelling forgiven only when
clearly closest; an unknown or ambiguous one is asked, never guessed; several kecamatan with
one set of figures make a kabupaten-level draft. A desa's own line and a total line are not
the kecamatan's figures: they are listed unread with everything else not read (every
fragment holding a number or a report word). Nothing is saved here, and no text makes it
raise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from command_center.services import field_time
from command_center.services.gazetteer import Candidate, Gazetteer, normalise
from command_center.services.incidents import zone_of
from command_center.services.logistics import item_of
from command_center.services.numbers import Found, numbers_in

HEADER = re.compile(  # "[07/12 14.05] Nama:", "07/12/26 14.05 - Nama:", "[14:05, 7/12/2026] Nama:"
    r"^\[?(?:(?P<d>\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?),?\s+(?P<t>\d{1,2}[.:]\d{2})(?:[.:]\d{2})?"
    r"|(?P<t2>\d{1,2}[.:]\d{2})(?:[.:]\d{2})?,\s*(?P<d2>\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}))"
    r"(?:\]\s*|\s+-\s+)(?P<who>[^:\n]{1,60}?):[ \t]*",
    re.MULTILINE,
)
FORWARDED = re.compile(
    r"^[ \t*_]*(?:<?pesan )?(?:diteruskan|forwarded)(?: berkali-kali| many times)?[ \t*_>]*$",
    re.IGNORECASE | re.MULTILINE,
)
KECAMATAN = re.compile(  # "Kec. X", "KEC X", "Kecamatan X"; not "20 kecamatan. Rinciannya"
    r"(?<!\d )\b(?:kecamatan[ \t]+|kec\b\.?[ \t]*)(?=[A-Za-z])", re.IGNORECASE
)
KABUPATEN = re.compile(
    r"\b(?P<kind>(?i:kabupaten|kab|kota))\b\.?\s*"
    r"(?P<name>[A-Z][A-Za-z]*(?:[ -][A-Z][A-Za-z]*){0,2})"
)
NUMBERING = re.compile(r"^[ \t]*\d{1,2}[.)](?=\s)", re.MULTILINE)  # "1." of a recap line
CAPITALISED_WORD = re.compile(r"(?<![\w.'])[A-Z][A-Za-z']+")
AGENCY = re.compile(  # "BPBD Kabupaten Aceh Utara" is an agency, not where figures are
    r"\b(?:BPBD|BNPB|BPBA|bencana daerah|dinsos|dinas(?: sosial)?|pemkab|pemkot|pemda|"
    r"pemerintah|bupati|wali\s?kota|polres|kodim|rsud|sekda|kepala|kalak|pusdalops|tagana|tksk)\W*(?:\w+\W+)?$",
    re.IGNORECASE,
)
DESA_BEFORE = re.compile(r"\b(?i:desa|ds|kelurahan|kel|dusun|kampung)\.?\s+[A-Z][\w' -]*,?\s*$")
NOT_A_KECAMATAN = re.compile(  # a capitalised name after these is a desa, a street, a river...
    r"\b(?:desa|ds|kel|kelurahan|dusun|dsn|kampung|kp|jl|jalan|sungai|kali|gunung|pulau|perum|"
    r"perumahan|pasar|kab|kabupaten|kota|provinsi|prov|rsud|sdn|smpn|smp|sd|blok|gang|gg)\.?\s*$",
    re.IGNORECASE,
)
LINE_LEAD = re.compile(  # what may come before a place at a line's start: numbering, a title
    r"[ \t>*_•-]*(?:\d{1,2}[.)]\s*)?(?:(?:lap(?:oran)?|posko|update|data|info|rekap|pos|"
    r"banjir|longsor|bencana|di|wilayah)\.?\s*){0,3}",
    re.IGNORECASE,
)
SUB_AREA = re.compile(  # a desa's own line: its figures are not the kecamatan's
    r"^[ \t]*(?:[-•*]|\d{1,2}[.)])?[ \t]*(?:desa|ds|kel|kelurahan|dusun|dsn|kampung|kp|rt|rw)\b",
    re.IGNORECASE | re.MULTILINE,
)
TOTAL = re.compile(  # "Total: 2.050 jiwa", "Jumlah pengungsi = 800": a recap's sum line
    r"^[ \t]*(?:[-•*])?[ \t]*(?:total|jumlah|jml|grand total)(?:[ \t]+\w+){0,2}[ \t]*[:=].*$",
    re.IGNORECASE | re.MULTILINE,
)
NEEDS = re.compile(
    r"\b(?:kebutuhan(?: yang)?(?: mendesak| darurat| pengungsi| mendesak pengungsi)?|"
    r"(?:bantuan )?yang (?:sangat |paling )?(?:dibutuhkan|mendesak|diperlukan)|dibutuhkan|"
    r"membutuhkan|memerlukan|butuh|diperlukan|mohon bantuan)\b"
    r"\s*(?:saat ini|segera)?\s*(?:adalah|berupa|antara lain|yaitu|yakni|meliputi|seperti|"
    r"terdiri(?: dari| atas)?)?\s*:?",
    re.IGNORECASE,
)
AID = re.compile(  # aid given: not needs, and not figures of the disaster
    r"\b(?:bantuan (?:yang )?(?:sudah|telah)|sudah disalurkan|telah disalurkan|tersalur|"
    r"distribusi|logistik (?:yang )?(?:sudah|telah))",
    re.IGNORECASE,
)
BOUNDARY = re.compile(  # where one clause ends: punctuation, a new line, "dan" before a number
    r"[;\n]|(?<!\d),|,(?!\d)|(?<!\d)\.(?!\d)|\.(?=\s)|"
    r"\s(?:dan|serta|sedangkan|sementara)\s(?=(?:\W|sebanyak|sekitar|kurang lebih)*\d)",
    re.IGNORECASE,
)
# report words: (figure or role, pattern); a role is combined with the count's unit
WORDS = (
    ("deaths", r"\bMD\b|meninggal(?:\s+dunia)?|wafat|tewas|korban jiwa|\bmeninggoy\b"),
    ("missing", r"\bH\b|hilang|belum ditemukan|dalam pencarian"),
    ("injured_severe", r"\bLB\b|luka[\s-]+berat"),
    ("injured_light", r"\bLR\b|luka[\s-]+ringan"),
    ("injured_unspecified", r"\bLL\b|luka-luka|luka2|terluka|cedera|\bluka\b"),
    ("houses_heavy", r"\bRB\b|rusak\s+berat"),
    ("houses_moderate", r"\bRS\b|rusak\s+sedang"),
    ("houses_light", r"\bRR\b|rusak\s+ringan"),
    ("shelter_words", r"titik\s+pengungsian|lokasi\s+pengungsian|posko\s+pengungsian"),
    ("displaced", r"mengungsi|pengungsi|ngungsi|diungsikan|\bdievakuasi\b"),
    (
        "affected",
        r"terdampak|berdampak|terkena\s+dampak|(?:jadi|menjadi)\s+korban(?:\s+banjir)?|"
        r"korban\s+banjir",
    ),
    (
        "flooded",
        r"terendam|tergenang|kebanjiran|kerendem|kerendam|direndam|merendam|"
        r"terkena\s+banjir|kemasukan\s+air",
    ),
    ("schools_damaged", r"sekolah|fasilitas\s+pendidikan|sarana\s+pendidikan|madrasah|\bPAUD\b"),
    (
        "worship_damaged",
        r"masjid|mesjid|mush?all?a|mushola|musala|surau|langgar|gereja|"
        r"tempat\s+ibadah|rumah\s+ibadah|sarana\s+ibadah|fasilitas\s+ibadah|pura|vihara",
    ),
    ("health_damaged", r"puskesmas|pustu|fasilitas\s+kesehatan|faskes|polindes|poskesdes"),
    ("offices_damaged", r"kantor|fasilitas\s+pemerintah(?:an)?|perkantoran"),
    ("bridges_damaged", r"jembatan"),
    ("damaged", r"rusak|putus|ambruk|roboh|hanyut|jebol|ambles"),
    ("severity_heavy", r"\bberat\b"),
    ("severity_moderate", r"\bsedang\b"),
    ("severity_light", r"\bringan\b"),
    (
        "demographic",
        r"laki-laki|perempuan|lansia|balita|bayi|ibu hamil|ibu menyusui|disabilitas|"
        r"anak-anak|\banak\b|dewasa|\bpria\b|wanita|manula|difabel",
    ),
    ("house", r"\brumah\b|\brmh\b|hunian|tempat\s+tinggal"),
    ("people", r"\bjiwa\b|\borang\b|\borg\b|\bwarga\b|\bpenduduk\b"),
    ("families", r"\bKK\b|kepala\s+keluarga|\bkeluarga\b"),
)
WORD = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in WORDS), re.IGNORECASE)
ABBREVIATIONS = {"MD", "H", "LB", "LR", "LL", "RB", "RS", "RR"}  # bind to the number beside them
UNIT = re.compile(  # the word just after a count
    r"\s*(?P<unit>jiwa|orang|org|warga|penduduk|KK|kepala keluarga|keluarga|rumah|rmh|unit|"
    r"bangunan|buah|bh|titik|lokasi|posko|tempat|cm|meter|m|km|ha|hektar|hektare|persen|%|jam|"
    r"hari|kali|tahun|thn|bulan|ekor|desa|kelurahan|dusun|kecamatan|kabupaten|kampung|RT|RW|"
    r"ton|kg|mm)\b\.?",
    re.IGNORECASE,
)
PEOPLE, FAMILIES, HOUSES, SITES = (
    {"jiwa", "orang", "org", "warga", "penduduk"},
    {"kk", "kepala keluarga", "keluarga"},
    {"rumah", "rmh", "unit", "bangunan", "buah", "bh"},
    {"titik", "lokasi", "posko", "tempat"},
)
FACILITIES = ("schools_damaged", "worship_damaged", "health_damaged", "offices_damaged")
UNIT_ROLES = {"house", "people", "families"}
MEASURES = {  # a count in these is not a figure of people or houses
    "cm", "meter", "m", "km", "ha", "hektar", "hektare", "persen", "%", "jam", "hari", "kali",
    "tahun", "thn", "bulan", "ekor", "desa", "kelurahan", "dusun", "kecamatan", "kabupaten",
    "kampung", "rt", "rw", "ton", "kg", "mm", "sekolah", "masjid", "jembatan",
}  # fmt: skip
CASUALTIES = ("deaths", "missing", "injured_severe", "injured_light", "injured_unspecified")
VAGUE_BEFORE = re.compile(
    r"\b(?:lebih dari|hampir|kurang dari|mendekati|di atas|di bawah)\s*$", re.I
)
VAGUE_AFTER = re.compile(
    r"\s*(?:(?:jiwa|orang|warga|kk|rumah|unit)\s+)?lebih\b", re.I
)  # "4.000 lebih"
_ROLE_OF = {  # a figure read -> the report words that say it, for a list that goes on
    "shelters": "shelter_words",
    "houses_flooded": "flooded",
    "affected_families": "affected",
    "affected_people": "affected",
}
PAIRED = r"\s*(?:\(|/|atau|dari|dengan(?: jumlah)?(?: sebanyak)?|,)?\s*"  # "300 KK (1.000"
SEVERITIES = {"severity_heavy": 0, "severity_moderate": 1, "severity_light": 2}
NOT_NAMES = {  # capitalised words that start sentences, not kecamatan
    "data", "update", "laporan", "info", "posko", "banjir", "longsor", "korban", "rumah",
    "kebutuhan", "total", "jumlah", "dampak", "kondisi", "sumber", "pengungsi", "kejadian",
}  # fmt: skip
NAME_STOP = re.compile(
    r"[,:;()\n/=]|\d|\s-|-\s|\b(?:kab|kabupaten|kota|desa|ds|kel|kelurahan|pkl|pukul|jam|tgl|"
    r"tanggal|pada|di|yang|dan|sejak|hingga|akibat|per|hari|dengan|tercatat|terdapat|mencapai|"
    r"sebanyak|sekitar|senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    name: str
    value: int
    start: int  # where it was read in the draft's message
    end: int


@dataclass(frozen=True)
class Need:
    item: str  # as written
    qty: int | None
    unit: str | None


@dataclass
class Draft:
    """One place's report read from a message: the place as written and as resolved, when,
    the figures (each with where it was read), the needs and everything not read."""

    message: str
    said: str  # the place as written ("" when none)
    report_time: datetime | None
    has_clock: bool = False
    sender: str = ""
    area_code: str | None = None  # the kecamatan, or the kabupaten for a kabupaten-level draft
    candidates: list[Candidate] = field(default_factory=list)  # to pick from when not resolved
    figures: list[Figure] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)

    @property
    def kecamatan_code(self) -> str | None:
        return self.area_code if self.area_code and self.area_code.count(".") == 2 else None

    def values(self) -> dict[str, int]:
        return {f.name: f.value for f in self.figures}


@dataclass(frozen=True)
class _Message:
    text: str
    sent: datetime | None
    sender: str


@dataclass
class _Place:
    start: int  # where the mention is in the message
    end: int
    said: str
    code: str | None  # a kecamatan's or (a kabupaten named alone) a kabupaten's
    candidates: list[Candidate]
    hint: bool = False  # a kabupaten named as an agency's or a kecamatan's: not a place


def read_messages(
    text: str, now: datetime, places: Gazetteer | None = None, area: Sequence[str] = ()
) -> list[Draft]:
    """Every report in a paste as a draft (see the module docstring); `area` holds the
    kabupaten codes of the incident, where kecamatan are looked for first."""
    drafts = []
    for message in split_messages(text, now):
        drafts += _read(message, now, places, tuple(area))
    return drafts


def split_messages(text: str, now: datetime) -> list[_Message]:
    """The messages of a paste: one per WhatsApp header (with its time and sender), pieces
    around a forwarded marker apart; a paste without headers is one message."""
    text = text.replace("\r\n", "\n").replace("\u200e", "").replace("\u202f", " ")
    headers = list(HEADER.finditer(text))
    pieces = [(text[: headers[0].start()] if headers else text, None)]
    ends = [h.start() for h in headers[1:]] + [len(text)]
    pieces += [(text[h.end() : ends[i]], h) for i, h in enumerate(headers)]
    messages = []
    for body, header in pieces:
        sent = _sent(header, now) if header else None
        who = header["who"].strip() if header else ""
        for part in FORWARDED.split(body):
            if part.strip():
                messages.append(_Message(part.strip("\n"), sent, who))
    return messages


def _sent(header: re.Match, now: datetime) -> datetime | None:
    stamp = f"{header['d'] or header['d2']} pkl {header['t'] or header['t2']}"
    when = field_time.first_time(stamp, now, "WIB")
    return when.moment if when else None


def _read(message: _Message, now: datetime, places: Gazetteer | None, area: tuple) -> list[Draft]:
    text = message.text
    within = tuple(dict.fromkeys([*area, *_kabupaten_named(text, places)]))
    blocks = _blocks(text, _places(text, places, within))
    reference = message.sent or now
    home = area[0] if area else None
    head = text[: blocks[1][0]] if len(blocks) > 1 else text
    head_time = field_time.first_time(head, reference, zone_of(home)) or field_time.first_time(
        text, reference, zone_of(home)
    )
    drafts: list[tuple[int, Draft]] = []
    running: set[str] = (
        set()
    )  # what the block before read: a list goes on ("Kota Batu 11.084 jiwa")
    for start, end, named in blocks:
        draft = _draft(text, start, end, named, _context(text, start, named) or running)
        running = {_ROLE_OF.get(f.name, f.name) for f in draft.figures} or running
        zone = zone_of(draft.area_code or home)
        when = field_time.first_time(text[start:end], reference, zone) or head_time
        draft.report_time = when.moment if when else message.sent
        draft.has_clock = when.has_clock if when else message.sent is not None
        draft.sender = message.sender
        if draft.figures or draft.needs or named or len(blocks) == 1:
            drafts.append((start, draft))
    return _without_totals(_joined(text, drafts))


def _without_totals(drafts: list[Draft]) -> list[Draft]:
    """A figure of a draft over no single kecamatan that is the sum of the same figure of
    the other drafts ("4.401 warga mengungsi" above their breakdown) is their total, not a
    report of its own: listed unread, and the draft dropped when nothing else is left."""
    kept = []
    for draft in drafts:
        others = [d for d in drafts if d is not draft and d.area_code]
        if draft.kecamatan_code is None and len(others) >= 2 and draft.figures:
            for figure in list(draft.figures):
                parts = [d.values()[figure.name] for d in others if figure.name in d.values()]
                if len(parts) >= 2 and sum(parts) == figure.value:
                    draft.figures.remove(figure)
                    draft.unread.append(_tidy(draft.message[figure.start : figure.end]))
            if not draft.figures and not draft.needs:
                continue
        kept.append(draft)
    return kept


def _joined(text: str, drafts: list[tuple[int, Draft]]) -> list[Draft]:
    """Neighbouring drafts of the same area that give different figures made one (two
    sentences on one place are one report)."""
    joined: list[tuple[int, Draft]] = []
    for start, draft in drafts:
        if joined and _joins(joined[-1][1], draft):
            first_start, first = joined[-1]
            shift = start - first_start
            first.message = text[first_start : start + len(draft.message)]
            first.figures += [
                replace(f, start=f.start + shift, end=f.end + shift) for f in draft.figures
            ]
            first.needs += draft.needs
            first.unread += draft.unread
        else:
            joined.append((start, draft))
    return [draft for _, draft in joined]


def _joins(first: Draft, second: Draft) -> bool:
    return (
        first.area_code is not None
        and first.area_code == second.area_code
        and not set(first.values()) & set(second.values())
    )


def _context(text: str, start: int, named: list[_Place]) -> set[str]:
    """What the words leading to a block's place say ("rincian pengungsi yakni Kec. A 300
    jiwa, Kec. B 200 jiwa": displaced), and a heading line above it ("Data pengungsi:")."""
    roles: set[str] = set()
    if named:
        at = named[0].start
        lead = max(text.rfind(mark, 0, at) for mark in (". ", "\n", "! ", "? ", '"', "\u201c"))
        roles |= {m.lastgroup for m in WORD.finditer(text[lead + 1 : at])}
    heading = None
    for line in re.finditer(r"^[^\n]*:[ \t]*$", text[:start], re.MULTILINE):
        heading = line
    if heading and not any(f.value is not None for f in numbers_in(_masked(heading.group()))):
        roles |= {m.lastgroup for m in WORD.finditer(heading.group())}
    return roles - UNIT_ROLES


def _kabupaten_named(text: str, places: Gazetteer | None) -> list[str]:
    """The kabupaten/kota codes the text names with "Kab."/"Kabupaten"/"Kota"."""
    return [p.code for p in _kabupaten_places(text, places) if p.code]


def _kabupaten_places(text: str, places: Gazetteer | None) -> list[_Place]:
    """Each "Kab. Bandung", "KOTA BANDUNG", "Kabupaten Aceh Utara" in the text, resolved."""
    found = []
    for match in KABUPATEN.finditer(text) if places is not None else ():
        words = match["name"].split()
        for n in range(len(words), 0, -1):
            code = places.kabupaten_named(f"{match['kind']} {' '.join(words[:n])}")
            if code:
                end = match.start("name") + len(" ".join(words[:n]))
                found.append(_Place(match.start(), end, text[match.start() : end], code, []))
                break
    return found


def _places(text: str, places: Gazetteer | None, within: tuple) -> list[_Place]:
    """Every place the text reports on: a kecamatan after "Kec."/"Kecamatan" (any name,
    checked), a kabupaten after "Kab."/"Kota" (not an agency's name, "BPBD Kab. X", nor
    the kabupaten of a kecamatan just named), or a kecamatan or kabupaten of `within`
    written with a capital (not a desa, a street or a river)."""
    mentions = []
    for match in KECAMATAN.finditer(text):
        named = _named(text, match.end(), places, within, prefixed=True)
        unsure = named.said[:1].islower() and not named.code  # "14 kecamatan masih ..."
        if named.said and named.said.lower() not in NOT_NAMES and not unsure:
            named.start = match.start()
            mentions.append(named)
    for kabupaten in _kabupaten_places(text, places):
        before = text[max(0, kabupaten.start - 30) : kabupaten.start]
        after_kecamatan = any(
            0 <= kabupaten.start - m.end <= 3
            for m in mentions
            if m.code is None or m.code.count(".") == 2
        )
        if not AGENCY.search(before) and not after_kecamatan:
            mentions.append(kabupaten)
        else:
            mentions.append(_Place(kabupaten.start, kabupaten.end, "", None, [], hint=True))
    taken = [(m.start, m.end) for m in mentions]
    for match in CAPITALISED_WORD.finditer(text) if places is not None and within else ():
        if any(a <= match.start() < b for a, b in taken) or NOT_A_KECAMATAN.search(
            text[max(0, match.start() - 14) : match.start()]
        ):
            continue
        named = _named(text, match.start(), places, within, prefixed=False)
        if named.code:
            agency = AGENCY.search(text[max(0, named.start - 30) : named.start])
            dateline = DATELINE.match(text)  # "BENGKULU, KOMPAS.com -": where it was written
            named.hint = (bool(agency) and named.code.count(".") == 1) or bool(
                dateline and named.start < dateline.end()
            )
            mentions.append(named)
            taken.append((named.start, named.end))
    return sorted(mentions, key=lambda m: m.start)


def _named(text: str, at: int, places: Gazetteer | None, within: tuple, prefixed: bool) -> _Place:
    """The place named at `at`: the longest run of words (up to three) that is a kecamatan
    (or, without "Kec.", a kabupaten of `within`), else (after "Kec.") the run with the
    closest names to pick from."""
    stop = NAME_STOP.search(text, at)
    words = list(re.finditer(r"\S+", text[at : stop.start() if stop else len(text)]))[:3]
    best = _Place(at, at + (words[0].end() if words else 0), "", None, [])
    for n in range(len(words), 0, -1):
        end = at + words[n - 1].end()
        said = text[at:end].strip(" .-'\"*")
        if not prefixed and (said.lower() in NOT_NAMES or len(normalise(said)) < 4):
            continue
        if places is None:
            return _Place(at, end, said, None, [])
        if not prefixed:
            kabupaten = {places.kabupaten_named(said), places.kabupaten_named(f"Kota {said}")}
            kabupaten &= set(within)
            if len(kabupaten) == 1:  # "Jakarta Barat", "Demak": a kabupaten/kota of the area
                return _Place(at, end, said, kabupaten.pop(), [])
        match = places.kecamatan_for(said, within)
        top = match.candidates[0].score if match.candidates else 0
        if match.code or top == 100:
            return _Place(at, end, said, match.code, match.candidates)
        if n == 1 or top > (best.candidates[0].score if best.candidates else 0):
            best = _Place(at, end, said, None, match.candidates) if prefixed else best
    return best


def _blocks(text: str, mentions: list[_Place]) -> list[tuple[int, int, list[_Place]]]:
    """The message cut into one block per place: a mention starts a new block when the block
    so far holds counts, or names a place and the mention starts a line (a recap); mentions
    with no count between them stay together (one block over several places). A block
    starts at its line or sentence when no count stands between that and its place."""
    masked = _masked(text)
    blocks: list[list] = [[0, len(text), []]]
    for mention in mentions:
        current = blocks[-1]
        if mention.hint:
            continue
        qualified = DESA_BEFORE.search(text[max(0, mention.start - 40) : mention.start])
        if qualified and current[2] and _counted(masked[current[0] : mention.start]):
            continue  # "25 orang tertimbun di Desa Cijedil, Kecamatan Cugenang": where, in passing
        line = text.rfind("\n", 0, mention.start) + 1
        starts_line = line >= current[0] and LINE_LEAD.fullmatch(text[line : mention.start])
        title = (
            (mention.code or "").count(".") == 2
            and all(p.code and p.code.count(".") == 1 for p in current[2])
            and any(mention.code[:5] == p.code for p in current[2])
        )  # "Rekap banjir Kab. Bandung" over "1. Kec. Dayeuhkolot: ..."
        recap = current[2] and not title and starts_line and line > current[0]
        if not _counted(masked[current[0] : mention.start]) and not recap:
            current[2].append(mention)
            continue
        sentence = max(masked.rfind(mark, 0, mention.start) for mark in (". ", "\n", '"')) + 1
        if starts_line:
            cut = line
        elif sentence > current[0]:
            cut = sentence  # "1.036 orang mengungsi di Jakarta Timur.": the sentence is its
        else:
            cut = mention.start
        current[1] = cut
        moved = [p for p in current[2] if p.start >= cut]  # named after the cut: the new block's
        current[2] = [p for p in current[2] if p.start < cut]
        blocks.append([cut, len(text), [*moved, mention]])
    return [(a, b, named) for a, b, named in blocks if text[a:b].strip()] or [(0, len(text), [])]


def _counted(text: str) -> bool:
    """Whether `text` holds a count of people, houses or sites ("enam kecamatan" is not)."""
    return any(count.found.kind != "zero" for count in _counts(text))


def _masked(text: str) -> str:
    """`text` with its dates and clocks blanked, so their digits are not counts."""
    chars = list(text)
    for a, b in [*field_time.spans(text), *(m.span() for m in NUMBERING.finditer(text))]:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _draft(text: str, start: int, end: int, named: list[_Place], context: set[str]) -> Draft:
    body = text[start:end]
    draft = Draft(body, ", ".join(p.said for p in named if p.said), None)
    _resolve(draft, named)
    masked = list(_masked(body))
    for mention in named:
        a, b = mention.start - start, mention.end - start
        masked[a:b] = " " * (b - a)
    for pattern in (SUB_AREA, TOTAL):
        for match in pattern.finditer(body):
            line_end = body.find("\n", match.start())
            a, b = match.start(), line_end if line_end >= 0 else len(body)
            draft.unread.append(_tidy(body[a:b]))
            masked[a:b] = " " * (b - a)
    for a, _, b in _regions(body, AID):
        draft.unread.append(_tidy(body[a:b])[:300])
        masked[a:b] = " " * (b - a)
    for a, listed, b in _regions(body, NEEDS):
        draft.needs += _needs(body[listed:b])
        masked[a:b] = " " * (b - a)
    figures_text = "".join(masked)
    _read_figures(draft, figures_text, context)
    draft.unread += _unread(figures_text, draft.figures)
    return draft


def _regions(body: str, pattern: re.Pattern) -> list[tuple[int, int, int]]:
    """Where the needs (or aid) lists of a text are (start, start of the list, end): from
    their word to the end of its sentence, or, for a heading ("Kebutuhan:" and lines under
    it), to a blank line."""
    regions = []
    for match in pattern.finditer(body):
        if regions and match.start() < regions[-1][1]:
            continue
        line_end = body.find("\n", match.end())
        inline = body[match.end() : line_end if line_end >= 0 else len(body)].strip()
        if inline:
            end = re.search(r"(?<!\d)\.(?!\d)|[\n\"\u201d]|$", body[match.end() :])
        else:
            end = re.search(r"\n[ \t]*\n|$", body[match.end() :])
        regions.append((match.start(), match.end(), match.end() + end.start()))
    return regions


def _resolve(draft: Draft, named: list[_Place]) -> None:
    """The draft's area: its one kecamatan; the kabupaten holding all of several named (or
    the one kabupaten it names); else none, with the candidates to pick from."""
    unknown = [p for p in named if not p.code]
    kecamatan = {p.code for p in named if p.code and p.code.count(".") == 2}
    kabupaten = {p.code for p in named if p.code and p.code.count(".") == 1}
    if unknown:
        draft.candidates = unknown[0].candidates
    elif len(kecamatan) == 1 and not kabupaten - {next(iter(kecamatan))[:5]}:
        draft.area_code = kecamatan.pop()
        draft.candidates = next(p.candidates for p in named if p.code == draft.area_code)
    elif kecamatan or kabupaten:
        parents = {code[:5] for code in kecamatan} | kabupaten
        draft.area_code = parents.pop() if len(parents) == 1 else None


@dataclass
class _Count:
    """A count in a clause, what its unit says it counts, and the figure found for it."""

    found: Found
    unit: str | None
    end: int  # after its unit
    name: str | None = None
    topic: set[str] = field(default_factory=set)  # the report words that gave the figure
    span: tuple[int, int] | None = None  # of the report words that gave the figure


def _read_figures(draft: Draft, text: str, context: set[str]) -> None:
    """Each count of each clause given the figure its words say, or none (then unread): the
    abbreviation beside it; else the report words on its side of the clause (before it when
    the clause starts with them, "mengungsi 300 jiwa", after it otherwise); else, when its
    unit says what it counts, the words of the count it is paired with ("300 KK atau 1.000
    jiwa terdampak"), of its clause, of a heading line, or leading to the place."""
    heading: set[str] = set()
    last_end = 0
    clauses = _clauses(text)
    for index, (a, b) in enumerate(clauses):
        if text[last_end:a].count("\n") >= 2:
            heading = set()
        last_end = b
        clause = text[a:b]
        words = [(m.lastgroup, m.start(), m.end()) for m in WORD.finditer(clause)]
        counts = _counts(clause)
        if not counts:
            if clause.rstrip().endswith(":") and words:
                heading = {w[0] for w in words} - UNIT_ROLES
            continue
        leads = any(w[1] < counts[0].found.start for w in words if w[0] not in UNIT_ROLES)
        line = text.rfind("\n", 0, a) + 1
        colon = text.find(":", line, a)  # "Rumah rusak: berat 2, sedang 5": the line's label
        label = {m.lastgroup for m in WORD.finditer(text[line:colon])} if colon >= 0 else set()
        for i, count in enumerate(counts):
            low = counts[i - 1].end if i else 0
            high = counts[i + 1].found.start if i + 1 < len(counts) else len(clause)
            before = [w for w in words if low <= w[1] and w[2] <= count.found.start]
            after = [w for w in words if w[2] > count.found.end and w[1] < high]
            _named_by_words(clause, count, before, after, leads, label)
        clause_roles = {w[0] for w in words} - UNIT_ROLES
        for i, count in enumerate(counts):
            if count.name or count.topic or _unit_kind(count.unit, set()) is None:
                continue
            following = _following(text, clauses, index)
            for fallback in (
                _partner(clause, counts, i),
                clause_roles,
                following,
                heading,
                context,
            ):
                if fallback:
                    count.name = _one_meaning(fallback, count.unit)
                    count.topic = {count.name} if count.name else set()
                    break
        for count in counts:
            if count.name and count.name not in draft.values():
                start, end = count.span or (count.found.start, count.end)
                start, end = min(start, count.found.start), max(end, count.end)
                draft.figures.append(Figure(count.name, count.found.value, a + start, a + end))
    draft.figures.sort(key=lambda f: f.start)


def _names_an_item(after: str) -> bool:
    """Whether the words after a count name a catalogue item ("1000 selimut kepada ...")."""
    words = re.findall(r"[a-z]+", after.lower())[:3]
    return any(item_of(" ".join(words[:n])) for n in range(1, len(words) + 1))


def _following(text: str, clauses: list[tuple[int, int]], index: int) -> set[str]:
    """The report words of the clauses after clauses[index] in its sentence, up to one with a
    count ("16 jiwa warga di Desa X, Kecamatan Y, terpaksa mengungsi")."""
    roles: set[str] = set()
    for a, b in clauses[index + 1 :]:
        if re.search(r"[.\n]", text[clauses[index][1] : a]) or _counts(text[a:b]):
            break
        roles |= {m.lastgroup for m in WORD.finditer(text[a:b])}
    return roles - UNIT_ROLES


def _counts(clause: str) -> list[_Count]:
    """The counts of a clause with their units; a length, a depth, a road's number or a year
    ("160 cm", "RT 03", "km 12") is not one."""
    counts = []
    for found in numbers_in(clause):
        unit = UNIT.match(clause, found.end)
        word = unit["unit"].lower() if unit else None
        vague = VAGUE_BEFORE.search(clause[: found.start]) or VAGUE_AFTER.match(clause, found.end)
        if found.value is None or word in MEASURES or _after_measure(clause, found.start) or vague:
            continue
        if BACK_REFERENCE.match(clause) and found is numbers_in(clause)[0]:
            continue  # "Dari 10 orang meninggal dunia itu, ...": the total already given
        if THINGS.match(clause, found.end) or _names_an_item(clause[found.end :]):
            continue  # "1000 selimut", "100 ribu lembar masker": aid, not people
        counts.append(_Count(found, word, unit.end() if unit else found.end))
    return counts


def _named_by_words(
    clause: str, count: _Count, before: list, after: list, leads: bool, label: set[str]
) -> None:
    """The figure the abbreviation beside `count`, or the report words on its side, say."""
    for role, start, end in (*before[-1:], *after[:1]):
        gap = (
            clause[end : count.found.start]
            if start < count.found.start
            else clause[count.end : start]
        )
        if clause[start:end].upper() in ABBREVIATIONS and re.fullmatch(r"[\s:=.-]*", gap):
            count.name, count.topic, count.span = _checked(role, count.unit), {role}, (start, end)
            return
    for side in (before, after) if leads else (after, before):
        roles = {w[0] for w in side}
        if roles - UNIT_ROLES:
            name = _meaning(roles, count.unit)
            if name is None and roles & set(SEVERITIES):  # "..., sedang 5"
                name = _meaning(roles | (label - set(SEVERITIES)), count.unit)
            if not count.topic or name:
                count.topic, count.name = roles - UNIT_ROLES, name
                count.span = (min(w[1] for w in side), max(w[2] for w in side))
            if name:
                return


def _partner(clause: str, counts: list[_Count], i: int) -> set[str]:
    """The report words of the count joined to counts[i] ("300 KK (1.000 jiwa)", "1.000
    jiwa dari 300 keluarga", "300 KK atau 1.000 jiwa"), when it counts something else."""
    for j in (i - 1, i + 1):
        if 0 <= j < len(counts) and counts[j].topic and counts[j].unit != counts[i].unit:
            first, second = sorted((counts[i], counts[j]), key=lambda c: c.found.start)
            if re.fullmatch(PAIRED, clause[first.end : second.found.start], re.IGNORECASE):
                return counts[j].topic
    return set()


def _one_meaning(roles: set[str], unit: str | None) -> str | None:
    """The one figure any of these report words makes with this unit (several: None)."""
    meanings = {_meaning({role}, unit) for role in roles} - {None}
    return meanings.pop() if len(meanings) == 1 else None


def _meaning(roles: set[str], unit: str | None) -> str | None:
    """The figure these report words and this unit make together, or None when unclear."""
    kind = _unit_kind(unit, roles)
    if "demographic" in roles:  # "48.490 pengungsi laki-laki": a part, not the figure
        return None
    houses = roles & {"houses_heavy", "houses_moderate", "houses_light"}
    severities = roles & set(SEVERITIES)
    if len(houses | severities) > 1:  # "25 rumah rusak berat dan sedang": not one figure
        return None
    damaged = bool(roles & {"damaged"} or houses or severities)
    for facility in (*FACILITIES, "bridges_damaged"):
        if facility in roles:
            return facility if damaged and kind in (None, "houses") else None
    if houses:
        return houses.pop() if kind in (None, "houses") else None
    if severities:
        index = SEVERITIES[severities.pop()]
        if roles & {"injured_unspecified", "injured_severe", "injured_light"}:
            return ("injured_severe", None, "injured_light")[index]
        if roles & {"damaged", "house"}:
            return ("houses_heavy", "houses_moderate", "houses_light")[index]
        return None
    for casualty in CASUALTIES:
        if casualty in roles:
            return casualty if kind in (None, "people") else None
    if "shelter_words" in roles or (kind == "sites" and "displaced" in roles):
        return "shelters" if kind in (None, "sites") else None
    if "displaced" in roles:
        return "displaced" if kind in (None, "people") else None
    if "affected" in roles:
        return {"families": "affected_families", "people": "affected_people"}.get(kind or "")
    if "flooded" in roles:
        return "houses_flooded" if kind == "houses" else None
    return None


def _unit_kind(unit: str | None, roles: set[str]) -> str | None:
    """What the count counts: people, families, houses or sites (from its unit word, else
    from a unit word among its report words, "KK terdampak: 300")."""
    for kind, words in (
        ("people", PEOPLE),
        ("families", FAMILIES),
        ("houses", HOUSES),
        ("sites", SITES),
    ):
        if unit in words:
            return kind
    by_role = {"people": "people", "families": "families", "house": "houses"}
    kinds = {by_role[r] for r in roles if r in by_role}
    return kinds.pop() if len(kinds) == 1 else None


def _checked(role: str, unit: str | None) -> str | None:
    """An abbreviation's figure, unless its unit says it counts something else."""
    kind = _unit_kind(unit, set())
    if role in CASUALTIES:
        return role if kind in (None, "people") else None
    return role if kind in (None, "houses") else None


def _after_measure(clause: str, at: int) -> bool:
    """A count that is a number of a road, a unit or a page (RT 03, km 12, No. 5)."""
    return bool(
        re.search(
            r"\b(?:RT|RW|Rp|km|no|nomor|ke|tahun|thn|jl|jalan|gang|gg|blok|SDN?|SMPN?|SMAN?|SMKN?|MI|MTsN?|"
            r"pos|posko|jalur|kelas|level|status|magnitudo|M|SR)\.?\s*$",
            clause[:at],
            re.IGNORECASE,
        )
    )


def _clauses(text: str) -> list[tuple[int, int]]:
    """Where each clause is: between boundaries (punctuation, lines, "dan" before a count)."""
    spans, last = [], 0
    for boundary in BOUNDARY.finditer(text):
        if boundary.start() > last:
            spans.append((last, boundary.start()))
        last = boundary.end() if boundary.group().strip() not in ("(",) else boundary.start() + 1
    if last < len(text):
        spans.append((last, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _unread(text: str, figures: list[Figure]) -> list[str]:
    """The fragments of `text` outside the figures read that hold a count or a report word."""
    chars = list(text)
    for figure in figures:
        chars[figure.start : figure.end] = "\x00" * (figure.end - figure.start)
    rest = "".join(chars)
    pieces = []
    for a, b in _clauses(rest):
        piece = _tidy(rest[a:b].replace("\x00", " "))
        if piece and (re.search(r"\d", piece) or _reports(piece)):
            pieces.append(piece)
    return pieces


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" -•*:()=_")


def _reports(piece: str) -> bool:
    roles = {m.lastgroup for m in WORD.finditer(piece)}
    return bool(roles - UNIT_ROLES - {"damaged"} - set(SEVERITIES))


DATELINE = re.compile(r"\s*[A-Z][A-Z .'-]+(?:,|\s[-\u2013\u2014(])[^\n]{0,40}?[-\u2013\u2014|]\s")
BACK_REFERENCE = re.compile(
    r"\s*dari\s+(?:total\s+|jumlah\s+)?\S+\s+[^,]*?\b(?:itu|tersebut)\b", re.I
)
THINGS = re.compile(  # a count in these is of aid, never of people or houses
    r"\s*(?:dus|karton|ktn|paket|pkt|liter|ltr|lt|kg|ton|kwintal|lembar|lbr|karung|sak|galon|"
    r"pcs|bungkus|bks|botol|btl|pak|box|porsi|biji|pasang|roll|rol|lusin)\b",
    re.IGNORECASE,
)
NEED_FILLER = re.compile(  # words around a needs list that are not items
    r"^\s*(?:(?:para|pengungsi|warga|korban|yang|mendesak|saat ini|sekarang|antara lain|lainnya|"
    r"seperti|berupa|yaitu|yakni|adalah|juga|sangat|masih|paling|utama|terutama|lain)\b\s*)+",
    re.IGNORECASE,
)
NOT_AN_ITEM = re.compile(
    r"(?:dll|dsb|dan lain-lain|lain-lain|lainnya|dan sebagainya|sejumlah bantuan|bantuan|"
    r"logistik|pengungsi|warga)\.?",
    re.IGNORECASE,
)
NEED_UNIT = re.compile(
    r"\s*(?P<unit>dus|karton|ktn|paket|pkt|liter|ltr|lt|kg|ton|kwintal|lembar|lbr|buah|bh|"
    r"unit|karung|sak|galon|pcs|bungkus|bks|botol|btl|pak|box|set|porsi|biji|pasang|roll|rol)\b\.?",
    re.IGNORECASE,
)


def _needs(text: str) -> list[Need]:
    """ "selimut 300 lbr, 500 dus air mineral, obat-obatan" → Need(item, qty, unit)."""
    needs = []
    for piece in re.split(r"[;\n]|(?<!\d),|,(?!\d)|\s(?:dan|serta)\s|\s/\s", text):
        piece = NEED_FILLER.sub("", re.sub(r"^\s*(?:[-•*]|\d{1,2}[.)])\s*", "", piece))
        piece = re.split(r"\s(?:yang|karena|agar|supaya|sebab|bagi|untuk para)\s", piece)[0]
        piece = piece.strip(' .:*-\t"\u201c\u201d')
        if not piece or NOT_AN_ITEM.fullmatch(piece) or len(piece.split()) > 5:
            continue
        counts = [f for f in numbers_in(piece) if f.value is not None and f.kind != "zero"]
        qty, unit, words = None, None, piece
        if counts:
            found = counts[0]
            qty = found.value
            after = NEED_UNIT.match(piece, found.end)
            before = re.search(r"\b(?P<unit>\w+)\.?\s*$", piece[: found.start])
            if after:
                unit, words = after["unit"], piece[: found.start] + " " + piece[after.end() :]
            elif before and NEED_UNIT.fullmatch(" " + before["unit"]):
                unit = before["unit"]
                words = piece[: before.start()] + " " + piece[found.end :]
            else:
                words = piece[: found.start] + " " + piece[found.end :]
        item = " ".join(re.sub(r"[():]", " ", words).split()).strip(" .-").lower()
        if item:
            needs.append(Need(item, qty, unit.lower() if unit else None))
    return needs
