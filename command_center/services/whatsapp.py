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
from command_center.services.field_figures import (
    ROLE_OF,
    UNIT_ROLES,
    WORD,
    Figure,
    counts,
    read_figures,
    tidy,
    unread,
)
from command_center.services.field_needs import AID, NEEDS, Need, read_needs, regions
from command_center.services.gazetteer import Candidate, Gazetteer, normalise
from command_center.services.incidents import zone_of

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
    r"\b(?i:desa|ds|kel|kelurahan|dusun|dsn|kampung|kp|jl|jalan|sungai|kali|gunung|pulau|perum|"
    r"perumahan|kompleks|pasar|kab|kabupaten|kota|provinsi|prov|rsud|sdn|smpn|smp|sd|blok|gang|"
    r"gg|btn|posko|sekolah|masjid|nagari)\.?\s+(?:[A-Z][\w'-]*\s+){0,2}$",
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
SAID_AT = re.compile(  # "kata Murzani di Mataram": where it was said
    r"\b(?:kata|ujar|ucap|ungkap|jelas|tutur|papar|sebut)\w*\b[^.\n\"]{0,50}\bdi\s*$", re.IGNORECASE
)
DATELINE = re.compile(r"\s*[A-Z][A-Z .'-]+(?:,|\s[-\u2013\u2014(])[^\n]{0,40}?[-\u2013\u2014|]\s")


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
    text = cleaned(text)
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


def cleaned(text: str) -> str:
    """A paste with Windows line ends, and the marks WhatsApp's export puts around times
    (left-to-right mark, narrow no-break space), made plain."""
    return text.replace("\r\n", "\n").replace("\u200e", "").replace("\u202f", " ")


def _sent(header: re.Match, now: datetime) -> datetime | None:
    stamp = f"{header['d'] or header['d2']} pkl {header['t'] or header['t2']}"
    when = field_time.first_time(stamp, now, "WIB")
    return when.moment if when else None


def _read(message: _Message, now: datetime, places: Gazetteer | None, area: tuple) -> list[Draft]:
    text = message.text
    within = tuple(dict.fromkeys([*area, *_kabupaten_named(text, places)]))
    blocks = _needs_apart(text, _blocks(text, _places(text, places, within)))
    reference = message.sent or now
    home = area[0] if area else None
    message_time = field_time.first_time(text, reference, zone_of(home))  # a recap's header
    drafts: list[tuple[int, Draft]] = []
    # what the block before read: a list goes on ("Kec. A 300 jiwa, Kec. B 200 jiwa")
    running: set[str] = set()
    for start, end, named in blocks:
        context = _context(text, start, named) or running
        draft = _draft(text, start, end, named, context, recap=len(blocks) > 1)
        running = {ROLE_OF.get(f.name, f.name) for f in draft.figures} or running
        zone = zone_of(draft.area_code or home)
        own = field_time.first_time(text[start:end], reference, zone)
        when = own if own and (not message_time or own.sure >= message_time.sure) else message_time
        draft.report_time = when.moment if when else message.sent
        draft.has_clock = when.has_clock if when else message.sent is not None
        draft.sender = message.sender
        if draft.figures or draft.needs or named or len(blocks) == 1:
            drafts.append((start, draft))
    _common_area([draft for _, draft in drafts])
    return _without_totals(_joined(text, drafts))


def _needs_apart(text: str, blocks: list) -> list:
    """A recap's needs on lines of their own after its last place ("1. Kec. A ... 2. Kec. B
    ... / Kebutuhan: ...") are the recap's, not the last place's: a block of their own."""
    if sum(1 for _, _, named in blocks if named) < 2:
        return blocks
    start, end, named = blocks[-1]
    own = re.search(r"\n[ \t\"*_•-]*(?=" + NEEDS.pattern + ")", text[start:end], NEEDS.flags)
    if own is None:
        return blocks
    cut = start + own.start() + 1
    return [*blocks[:-1], (start, cut, named), (cut, end, [])]


def _common_area(drafts: list[Draft]) -> None:
    """A draft that names no place, beside drafts of one kabupaten, is that kabupaten's."""
    parents = {d.area_code[:5] for d in drafts if d.area_code}
    for draft in drafts:
        if not draft.said and draft.area_code is None and len(parents) == 1:
            draft.area_code = next(iter(parents))


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
                    draft.unread.append(tidy(draft.message[figure.start : figure.end]))
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
    if heading and not counts(_masked(heading.group())):
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
            said_at = SAID_AT.search(text[max(0, named.start - 60) : named.start])
            named.hint = (bool(agency) and named.code.count(".") == 1) or bool(
                (dateline and named.start < dateline.end()) or said_at
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
        sentence = max(masked.rfind(mark, 0, mention.start) for mark in (". ", "\n", '"')) + 1
        if qualified and current[2] and _counted(masked[max(sentence, current[0]) : mention.start]):
            continue  # "25 orang tertimbun di Desa Cijedil, Kecamatan Cugenang": where, in passing
        line = text.rfind("\n", 0, mention.start) + 1
        starts_line = line >= current[0] and LINE_LEAD.fullmatch(text[line : mention.start])
        title = (
            (mention.code or "").count(".") == 2
            and all(p.code and p.code.count(".") == 1 for p in current[2])
            and any(mention.code[:5] == p.code for p in current[2])
        )  # "Rekap banjir Kab. Bandung" over "1. Kec. Dayeuhkolot: ..."
        recap = current[2] and not title and starts_line and line > current[0]
        listed = len(current[2]) > 1 and sentence > current[0]  # "Untuk Kab. X, ..." after a list
        recap = recap or listed
        if not _counted(masked[current[0] : mention.start]) and not recap:
            current[2].append(mention)
            continue
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
    return any(count.found.kind != "zero" for count in counts(text))


def _masked(text: str) -> str:
    """`text` with its dates and clocks blanked, so their digits are not counts."""
    chars = list(text)
    for a, b in [*field_time.spans(text), *(m.span() for m in NUMBERING.finditer(text))]:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _draft(
    text: str, start: int, end: int, named: list[_Place], context: set[str], recap: bool
) -> Draft:
    body = text[start:end]
    draft = Draft(body, ", ".join(p.said for p in named if p.said), None)
    _resolve(draft, named)
    masked = list(_masked(body))
    for mention in named:
        a, b = mention.start - start, mention.end - start
        masked[a:b] = " " * (b - a)
    for a, b in _sub_areas(body, recap):
        draft.unread.append(tidy(body[a:b]))
        masked[a:b] = " " * (b - a)
    for a, _, b in regions(body, AID):
        draft.unread.append(tidy(body[a:b])[:300])
        masked[a:b] = " " * (b - a)
    for a, listed, b in regions(body, NEEDS):
        draft.needs += read_needs(body[listed:b])
        masked[a:b] = " " * (b - a)
    figures_text = "".join(masked)
    draft.figures = read_figures(figures_text, context)
    draft.unread += unread(figures_text, draft.figures)
    return draft


def _sub_areas(body: str, recap: bool) -> list[tuple[int, int]]:
    """The lines that are not the place's own figures: in a recap of several places, a total
    line (in one place's report it is the place's own, over its desa); a desa's line, and when
    it is a heading ("1. Desa Labuhan Lombok" then "RB = 4 Unit"), the lines under it up to a
    blank line or the next heading."""
    found = [(m.start(), m.end()) for m in TOTAL.finditer(body)] if recap else []
    for match in SUB_AREA.finditer(body):
        end = body.find("\n", match.start())
        end = len(body) if end < 0 else end
        line = re.sub(r"^\s*(?:[-•*]|\d{1,2}[.)])", " ", body[match.start() : end])
        if not counts(_masked(line)):  # a heading ("2.Desa Gunung Malang"): the lines under it
            for line in re.finditer(r"\n([^\n]*)", body[end:]):
                if (
                    not line.group(1).strip()
                    or SUB_AREA.match(line.group(1))
                    or (line.group(1).rstrip().endswith(":"))
                ):
                    break
                end += line.end() - line.start()
        found.append((match.start(), end))
    return found


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
