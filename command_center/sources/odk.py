"""Form submissions from ODK Central (its OData feed) and KoboToolbox (its v2 data API), read
into one shape: a `Submission` with its id, the id of this version of it, who sent it, the
server's review verdict and its answers by field name.

Both servers page their lists: Central with `@odata.nextLink`, Kobo with `next`. An edited
submission keeps its id and gets a new `meta/instanceID` (the old one in `deprecatedID`), so
(id, version) tells a new submission, an edit and one already seen apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

CENTRAL_REJECTED = {"rejected"}
KOBO_REJECTED = {"validation_status_not_approved"}


@dataclass(frozen=True)
class Submission:
    submission_id: str  # stable across edits
    version_id: str  # this version (meta/instanceID)
    submitted_at: str | None
    submitter: str | None
    rejected: bool  # the server's reviewer rejected it
    answers: dict[str, str] = field(default_factory=dict)  # field name (no group) -> value
    repeats: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # repeat -> entries


@dataclass(frozen=True)
class Page:
    submissions: list[Submission]
    next_url: str | None


def flatten(answers: dict[str, Any], into: dict[str, str] | None = None) -> dict[str, str]:
    """Answers by their field name, group paths dropped (`korban/deaths` or Central's nested
    `{"korban": {"deaths": 2}}` both give `deaths`); system fields (`_id`, `__system`) and
    repeat groups (`repeats`) left out."""
    into = {} if into is None else into
    for key, value in answers.items():
        if key.startswith("_") or key.startswith("@") or "@odata" in key:
            continue
        if isinstance(value, dict):
            flatten(value, into)
        elif value is not None and not isinstance(value, list):
            into[key.rsplit("/", 1)[-1]] = str(value)
    return into


def repeats(answers: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Each repeat group's entries, flattened, by the repeat's name (`anggota`): Kobo gives
    them inline as `"anggota": [{"anggota/nik": ...}]`, Central with `$expand=*` too."""
    found: dict[str, list[dict[str, str]]] = {}
    for key, value in answers.items():
        if isinstance(value, dict) and not key.startswith("_"):
            found.update(repeats(value))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            found[key.rsplit("/", 1)[-1]] = [flatten(entry) for entry in value]
    return found


def parse_central(payload: bytes, url: str) -> Page:
    """One page of `.../forms/{form}.svc/Submissions` (OData JSON)."""
    data = json.loads(payload)
    rows = data["value"]
    submissions = []
    for row in rows:
        system = row.get("__system") or {}
        answers = flatten(row)
        submissions.append(
            Submission(
                submission_id=str(row["__id"]),
                version_id=answers.get("instanceID") or str(row["__id"]),
                submitted_at=system.get("submissionDate"),
                submitter=system.get("submitterName"),
                rejected=system.get("reviewState") in CENTRAL_REJECTED,
                answers=answers,
                repeats=repeats(row),
            )
        )
    following = data.get("@odata.nextLink")
    return Page(submissions, urljoin(url, following) if following else None)


def parse_kobo(payload: bytes, url: str) -> Page:
    """One page of `/api/v2/assets/{uid}/data/?format=json`."""
    data = json.loads(payload)
    submissions = []
    for row in data["results"]:
        answers = flatten(row)
        status = (row.get("_validation_status") or {}).get("uid")
        submissions.append(
            Submission(
                submission_id=str(row["_id"]),
                version_id=answers.get("instanceID") or str(row.get("_uuid") or row["_id"]),
                submitted_at=row.get("_submission_time"),
                submitter=row.get("_submitted_by"),
                rejected=status in KOBO_REJECTED,
                answers=answers,
                repeats=repeats(row),
            )
        )
    following = data.get("next")
    return Page(submissions, urljoin(url, following) if following else None)


def first_url(kind: str, base_url: str, project: str, form: str, page_size: int) -> str:
    """The address of the first page of a form's submissions on a `central` or `kobo` server."""
    base = base_url.rstrip("/")
    if kind == "kobo":
        return f"{base}/api/v2/assets/{form}/data/?format=json&limit={page_size}"
    return f"{base}/v1/projects/{project}/forms/{form}.svc/Submissions?$top={page_size}&$expand=*"
