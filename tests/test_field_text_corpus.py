"""The labelled corpus of real field texts (`tests/fixtures/field_text/`): well formed, and read
at least as well as `benchmarks/results.md` says, so a change that reads real text worse
fails here (the figures themselves are the benchmark's)."""

from benchmarks.field_text import CORPUS, load, score
from command_center.base.models import FIGURES
from command_center.services.gazetteer import gazetteer_of

# What the reader achieves on the corpus today (benchmarks/field_text.py): a floor, not a goal
FLOOR = {"place": 0.85, "time": 0.78, "figure": 0.77, "need": 0.32}
MOST_FALSE_FIGURES = 47  # a figure no draft of the text has (benchmarks/field_text.py)


def test_every_entry_is_labelled_with_known_codes_and_figures(geography) -> None:
    entries = load(CORPUS)
    assert len(entries) >= 60
    assert len({e["id"] for e in entries}) == len(entries)
    for entry in entries:
        assert entry["source"].startswith("http"), entry["id"]
        assert entry["text"].strip(), entry["id"]
        for code in entry.get("area") or []:
            assert code in geography.layer("kabupaten").index, (entry["id"], code)
        for draft in entry["drafts"]:
            assert set(draft.get("figures") or {}) <= set(FIGURES), entry["id"]
            place = draft.get("place")
            if place is not None:
                level = "kecamatan" if place.count(".") == 2 else "kabupaten"
                assert place in geography.layer(level).index, (entry["id"], place)


def test_the_corpus_reads_no_worse_than_measured(geography) -> None:
    result = score(load(CORPUS), gazetteer_of(geography.points))
    shares = {kind: round(result.share(kind), 3) for kind in FLOOR}
    assert all(shares[kind] >= FLOOR[kind] for kind in FLOOR), shares
    assert len(result.false_figures) <= MOST_FALSE_FIGURES, result.false_figures
