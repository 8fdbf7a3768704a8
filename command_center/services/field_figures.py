"""The figures of field text: which count of a clause is which figure of a kecamatan report
(BNPB's abbreviations beside a count, the report words on its side of the clause, its unit,
the count it is paired with, a heading, the words leading to its place), or none, and what
was not read. Used by `whatsapp` on one place's text at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from command_center.services.logistics import item_of
from command_center.services.numbers import Found, numbers_in

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
    ("shelter_words", r"(?:titik|lokasi|posko|tempat)\s+(?:pos\s+)?pengungsi(?:an)?"),
    ("displaced", r"mengungsi|pengungsi|ngungsi|diungsikan|\bdievakuasi\b"),
    (
        "affected",
        r"terdampak|berdampak|terkena\s+dampak|(?:jadi|menjadi)\s+korban(?!\s+(?:jiwa|meninggal|tewas))(?:\s+banjir)?|"
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
    r"ton|kg|mm|wilayah|daerah|provinsi|pulau|kota|kejadian|bencana)\b\.?",
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
    "kampung", "rt", "rw", "ton", "kg", "mm", "sekolah", "masjid", "jembatan", "wilayah",
    "daerah", "provinsi", "pulau", "kota", "kejadian", "bencana",
}  # fmt: skip
CASUALTIES = ("deaths", "missing", "injured_severe", "injured_light", "injured_unspecified")
VAGUE_BEFORE = re.compile(
    r"\b(?:lebih dari|hampir|kurang dari|mendekati|di atas|di bawah)\s*$", re.I
)
VAGUE_AFTER = re.compile(
    r"\s*(?:(?:jiwa|orang|warga|kk|rumah|unit)\s+)?lebih\b", re.I
)  # "4.000 lebih"
ROLE_OF = {  # a figure read -> the report words that say it, for a list that goes on
    "shelters": "shelter_words",
    "houses_flooded": "flooded",
    "affected_families": "affected",
    "affected_people": "affected",
}
PAIRED = r"\s*(?:\(|/|atau|dari|dengan(?: jumlah)?(?: sebanyak)?|,)?\s*"  # "300 KK (1.000"
SEVERITIES = {"severity_heavy": 0, "severity_moderate": 1, "severity_light": 2}
HYPOTHETICAL = re.compile(r"\b(?:jika|apabila|seandainya|diasumsikan|andaikan)\b", re.IGNORECASE)
BACK_REFERENCE = re.compile(
    r"\s*dari\s+(?:total\s+|jumlah\s+)?\S+\s+[^,]*?\b(?:itu|tersebut)\b", re.I
)
THINGS = re.compile(  # a count in these is of aid, never of people or houses
    r"\s*(?:dus|karton|ktn|paket|pkt|liter|ltr|lt|kg|ton|kwintal|lembar|lbr|karung|sak|galon|"
    r"pcs|bungkus|bks|botol|btl|pak|box|porsi|biji|pasang|roll|rol|lusin)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    name: str
    value: int
    start: int  # where it was read in the draft's message
    end: int


@dataclass
class _Count:
    """A count in a clause, what its unit says it counts, and the figure found for it."""

    found: Found
    unit: str | None
    end: int  # after its unit
    name: str | None = None
    topic: set[str] = field(default_factory=set)  # the report words that gave the figure
    span: tuple[int, int] | None = None  # of the report words that gave the figure


def read_figures(text: str, context: set[str]) -> list[Figure]:
    """Each count of each clause given the figure its words say, or none (then unread): the
    abbreviation beside it; else the report words on its side of the clause (before it when
    the clause starts with them, "mengungsi 300 jiwa", after it otherwise); else, when its
    unit says what it counts, the words of the count it is paired with ("300 KK atau 1.000
    jiwa terdampak"), of its clause, of a heading line, or leading to the place. A figure is
    read once: the first count of it in `text`."""
    heading: set[str] = set()
    last_end = 0
    figures: dict[str, Figure] = {}
    spans = clauses(text)
    for index, (a, b) in enumerate(spans):
        if text[last_end:a].count("\n") >= 2:
            heading = set()
        last_end = b
        clause = text[a:b]
        words = [(m.lastgroup, m.start(), m.end()) for m in WORD.finditer(clause)]
        found = counts(clause)
        if not found:
            if clause.rstrip().endswith(":") and words:
                heading = {w[0] for w in words} - UNIT_ROLES
            continue
        leads = any(w[1] < found[0].found.start for w in words if w[0] not in UNIT_ROLES)
        line = text.rfind("\n", 0, a) + 1
        colon = text.find(":", line, a)  # "Rumah rusak: berat 2, sedang 5": the line's label
        label = {m.lastgroup for m in WORD.finditer(text[line:colon])} if colon >= 0 else set()
        for i, count in enumerate(found):
            low = found[i - 1].end if i else 0
            high = found[i + 1].found.start if i + 1 < len(found) else len(clause)
            before = [w for w in words if low <= w[1] and w[2] <= count.found.start]
            after = [w for w in words if w[2] > count.found.end and w[1] < high]
            _named_by_words(clause, count, before, after, leads, label)
        clause_roles = {w[0] for w in words} - UNIT_ROLES
        for i, count in enumerate(found):
            if count.name or count.topic or _unit_kind(count.unit, set()) is None:
                continue
            following = _following(text, spans, index)
            for fallback in (
                _partner(clause, found, i),
                clause_roles,
                following,
                heading,
                context,
            ):
                if fallback:
                    count.name = _one_meaning(fallback, count.unit)
                    count.topic = {count.name} if count.name else set()
                    break
        for count in found:
            if count.name and count.name not in figures:
                start, end = count.span or (count.found.start, count.end)
                start, end = min(start, count.found.start), max(end, count.end)
                figures[count.name] = Figure(count.name, count.found.value, a + start, a + end)
    return sorted(figures.values(), key=lambda f: f.start)


def _names_an_item(after: str) -> bool:
    """Whether the words after a count name a catalogue item ("1000 selimut kepada ...")."""
    words = re.findall(r"[a-z]+", after.lower())[:3]
    return any(item_of(" ".join(words[:n])) for n in range(1, len(words) + 1))


def _following(text: str, clauses: list[tuple[int, int]], index: int) -> set[str]:
    """The report words of the clauses after clauses[index] in its sentence, up to one with a
    count ("16 jiwa warga di Desa X, Kecamatan Y, terpaksa mengungsi")."""
    roles: set[str] = set()
    for a, b in clauses[index + 1 :]:
        if re.search(r"[.\n]", text[clauses[index][1] : a]) or counts(text[a:b]):
            break
        roles |= {m.lastgroup for m in WORD.finditer(text[a:b])}
    return roles - UNIT_ROLES


def counts(clause: str) -> list[_Count]:
    """The counts of a clause with their units; a length, a depth, a road's number or a year
    ("160 cm", "RT 03", "km 12") is not one."""
    counts = []
    for found in numbers_in(clause):
        unit = UNIT.match(clause, found.end)
        word = unit["unit"].lower() if unit else None
        vague = VAGUE_BEFORE.search(clause[: found.start]) or VAGUE_AFTER.match(clause, found.end)
        if found.value is None or word in MEASURES or _after_measure(clause, found.start) or vague:
            continue
        if re.search(r"\bsalah\s*$", clause[: found.start], re.IGNORECASE):
            continue  # "salah satu pengungsi": one of them
        if HYPOTHETICAL.search(clause[: found.start]):
            continue  # "jika diasumsikan ada 70 ribu pengungsi": not a report
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


def clauses(text: str) -> list[tuple[int, int]]:
    """Where each clause is: between boundaries (punctuation, lines, "dan" before a count)."""
    spans, last = [], 0
    for boundary in BOUNDARY.finditer(text):
        if boundary.start() > last:
            spans.append((last, boundary.start()))
        last = boundary.end() if boundary.group().strip() not in ("(",) else boundary.start() + 1
    if last < len(text):
        spans.append((last, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def unread(text: str, figures: list[Figure]) -> list[str]:
    """The fragments of `text` outside the figures read that hold a count or a report word."""
    chars = list(text)
    for figure in figures:
        chars[figure.start : figure.end] = "\x00" * (figure.end - figure.start)
    rest = "".join(chars)
    pieces = []
    for a, b in clauses(rest):
        piece = tidy(rest[a:b].replace("\x00", " "))
        if piece and (re.search(r"\d", piece) or _reports(piece)):
            pieces.append(piece)
    return pieces


def tidy(text: str) -> str:
    return " ".join(text.split()).strip(" -•*:()=_")


def _reports(piece: str) -> bool:
    roles = {m.lastgroup for m in WORD.finditer(piece)}
    return bool(roles - UNIT_ROLES - {"damaged"} - set(SEVERITIES))
