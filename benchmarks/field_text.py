"""How right the field-text reader is on real report texts: the labelled corpus in
`tests/fixtures/field_text/corpus.yaml` (public texts, each with the drafts a careful operator
makes of it) read by `services.whatsapp.read_messages` over each text's incident area.

Run: `.venv/bin/python benchmarks/field_text.py [-v] [CORPUS.yaml ...]` (another labelled
corpus in the same shape may be given). Prints the share of labelled fields read exactly
(the place, the time, each figure, each need), the false figures (a figure and value the
reader gave that no draft of the operator's has: a misread number is worse than none) and
the misplaced ones (an operator's figure the reader gave to another place). `-v` lists every
miss. Needs the boundary layer (`CC_DATA_DIR`).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from command_center.base.times import ZONES
from command_center.services.gazetteer import Gazetteer
from command_center.services.incidents import zone_of
from command_center.services.logistics import need_line
from command_center.services.whatsapp import Draft, read_messages

CORPUS = Path(__file__).resolve().parent.parent / "tests/fixtures/field_text/corpus.yaml"


@dataclass
class Score:
    """Labelled fields read right, by kind, and the false figures with where they were."""

    right: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    false_figures: list[str] = field(default_factory=list)  # no draft of the text has it
    misplaced: list[str] = field(default_factory=list)  # the operator's figure, another place
    misses: list[str] = field(default_factory=list)

    def share(self, kind: str | None = None) -> float:
        right = self.right[kind] if kind else sum(self.right.values())
        total = self.total[kind] if kind else sum(self.total.values())
        return right / total if total else 1.0


def load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def score(entries: list[dict], places: Gazetteer) -> Score:
    """Every entry read and compared with its labels (see the module docstring)."""
    result = Score()
    for entry in entries:
        now = _moment(entry["now"])
        drafts = read_messages(entry["text"], now, places, entry.get("area") or ())
        labels = entry.get("drafts") or []
        pairs = _paired(labels, drafts)
        for label, draft in pairs:
            _compare(result, entry["id"], label, draft)
        used = {id(draft): label for label, draft in pairs}
        stated = {(k, v) for label in labels for k, v in (label.get("figures") or {}).items()}
        for draft in drafts:
            labelled = (used.get(id(draft)) or {}).get("figures") or {}
            for name, value in draft.values().items():
                if labelled.get(name) == value:
                    continue
                wrong = f"{entry['id']}: {name}={value} (label {labelled.get(name)})"
                (result.misplaced if (name, value) in stated else result.false_figures).append(
                    wrong
                )
    return result


def _paired(labels: list[dict], drafts: list[Draft]) -> list[tuple[dict, Draft | None]]:
    """Each label with the unused draft most like it (the same place counts two, each figure
    and need it shares one), else the next unused one."""
    unused = list(drafts)
    pairs = []
    for label in labels:
        figures = (label.get("figures") or {}).items()
        needs = {_need(n["item"], n.get("qty"), n.get("unit")) for n in label.get("needs") or []}
        scored = [
            (
                2 * bool(d.area_code and d.area_code == label.get("place"))
                + sum(d.values().get(k) == v for k, v in figures)
                + len(needs & {_need(n.item, n.qty, n.unit) for n in d.needs}),
                d,
            )
            for d in unused
        ]
        best = max(scored, key=lambda pair: pair[0], default=(0, None))
        draft = best[1] if best[0] else next(iter(unused), None)
        if draft is not None:
            unused.remove(draft)
        pairs.append((label, draft))
    return pairs


def _compare(result: Score, entry: str, label: dict, draft: Draft | None) -> None:
    got = draft.values() if draft else {}
    checks = [("place", label.get("place"), draft.area_code if draft else None)]
    checks.append(("time", _label_time(label.get("time")), _draft_time(draft, label)))
    for name, value in (label.get("figures") or {}).items():
        checks.append(("figure", (name, value), (name, got.get(name))))
    wanted = [_need(n["item"], n.get("qty"), n.get("unit")) for n in label.get("needs") or []]
    read = [_need(n.item, n.qty, n.unit) for n in draft.needs] if draft else []
    for need in wanted:
        checks.append(("need", need, need if need in read else None))
    for kind, expected, actual in checks:
        result.total[kind] += 1
        if expected == actual:
            result.right[kind] += 1
        else:
            result.misses.append(f"{entry}: {kind} expected {expected!r}, read {actual!r}")


def _need(item: str, qty: int | None, unit: str | None) -> tuple:
    """A need in the catalogue's words and units, as every channel stores it."""
    line = need_line(item, qty, unit)
    return (line.item, line.qty, line.unit)


def _label_time(value: object) -> object:
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return text[:16]


def _draft_time(draft: Draft | None, label: dict) -> str | None:
    if draft is None or draft.report_time is None:
        return None
    zone = ZoneInfo(ZONES[zone_of(draft.area_code or label.get("place"))])
    local = draft.report_time.astimezone(zone)
    labelled = _label_time(label.get("time"))
    if labelled is not None and len(labelled) == 10:  # the label gives the day only
        return local.date().isoformat()
    return local.strftime("%Y-%m-%dT%H:%M")


def _moment(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def main() -> None:
    from command_center.base import resources
    from command_center.services.gazetteer import gazetteer_of

    paths = [Path(a) for a in sys.argv[1:] if not a.startswith("-")]
    entries = [entry for path in paths or [CORPUS] for entry in load(path)]
    result = score(entries, gazetteer_of(resources.geography().points))
    drafts = sum(len(e.get("drafts") or []) for e in entries)
    print(f"field text corpus: {len(entries)} texts, {drafts} drafts")
    print(f"{'field':<10}{'right':>7}{'of':>6}{'exact':>9}")
    for kind in ("place", "time", "figure", "need"):
        right, total = result.right[kind], result.total[kind]
        print(f"{kind:<10}{right:>7}{total:>6}{result.share(kind):>9.1%}")
    print(
        f"{'all':<10}{sum(result.right.values()):>7}{sum(result.total.values()):>6}"
        f"{result.share():>9.1%}   (target >= 95%)"
    )
    print(
        f"false figures: {len(result.false_figures)} (target 0): a figure no draft of the text has"
    )
    print(
        f"misplaced figures: {len(result.misplaced)}: an operator's figure read for another place"
    )
    if "-v" in sys.argv:
        print("\n".join(["", *result.misses, "", *result.false_figures, "", *result.misplaced]))


if __name__ == "__main__":
    main()
