"""Data KK Terdampak page, and the household counts of the incident view: the masked register
(for those who register families; the other roles see counts), one household opened in clear
(audited, with a reason), the form, the changes waiting for a data officer's review, the
import and its sealed quarantine, the registry extract, Kemensos payments, named exports and
the comparison with the kecamatan reports. Masked reads are cached by the tables they read;
clear ones never."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from command_center.base import resources
from command_center.base.auth import Principal, permits, require, within
from command_center.base.labels import NO_VALUE, field_error, field_label, number, t
from command_center.base.models import (
    Area,
    AssistancePayment,
    HazardEvent,
    Household,
    HouseholdChange,
    HouseholdMember,
    ImpactReport,
    Incident,
    IncidentArea,
    RegistryEntry,
    Shelter,
)
from command_center.base.times import format_wib, today_in
from command_center.services import households as rules
from command_center.services.reports import counted
from command_center.stores import common as store
from command_center.stores import household_changes as changes
from command_center.stores import households as household_store
from command_center.stores import imports
from command_center.stores import reports as report_store

HEADLINE_COUNTS = ("families", "people", "deaths", "missing", "injured_severe", "displaced")
VULNERABLE = ("toddlers", "pregnant", "elderly", "disabled")
HOUSES = ("houses_heavy", "houses_moderate", "houses_light", "houses_flooded")
NAMED_EXPORTS = household_store.NAMED_EXPORTS


@resources.cached(HazardEvent, Incident, IncidentArea, ttl=60)
def load_incidents() -> dict[int, str]:
    """Open incidents, newest first: id -> name."""
    return {i.id: i.name for i in store.incidents(resources.engine()) if i.status == "open"}


def incident_kecamatan(incident_id: int, actor: Principal) -> dict[str, str]:
    """The incident's kecamatan inside `actor`'s scope: code -> name."""
    return within(actor, _incident_kecamatan(incident_id))


@resources.cached(HazardEvent, Incident, IncidentArea, ttl=60)
def _incident_kecamatan(incident_id: int) -> dict[str, str]:
    incident = next((i for i in store.incidents(resources.engine()) if i.id == incident_id), None)
    codes = incident.kecamatan_codes if incident else ()
    return {code: f"{resources.area_name(code)} ({code})" for code in codes}


@resources.cached(Household, HouseholdMember, ttl=None)
def load_counts(incident_id: int) -> dict[str, int]:
    """The incident's household counts (counts only, never names): families, people,
    casualties, displaced, houses by damage, the vulnerable."""
    return household_store.totals(resources.engine(), incident_id)


@resources.cached(Household, HouseholdMember, Shelter, RegistryEntry, ttl=None)
def load_register(incident_id: int, lang: str) -> pd.DataFrame:
    """The masked register, one row per household, labelled; index = household id."""
    engine = resources.engine()
    families = household_store.households(engine, incident_id)
    shelters = household_store.shelter_names(engine, incident_id)
    matched = household_store.registry_match(engine, incident_id).set_index("household_id")
    rows = []
    for f in families.itertuples():
        registry = _registry_words(matched, f.id, lang)
        rows.append(
            {
                "id": f.id,
                t("col_kk", lang): f.kk_masked,
                t("col_head", lang): f.head_masked,
                t("col_code", lang): f.kecamatan_code,
                t("col_kecamatan", lang): resources.area_name(f.kecamatan_code),
                t("col_desa", lang): f.desa,
                t("col_members", lang): int(f.members),
                t("col_damage", lang): t(f"damage_{f.damage}", lang),
                t("col_shelter", lang): shelters.get(f.shelter_id, NO_VALUE)
                if f.shelter_id
                else (t("yes", lang) if f.displaced else NO_VALUE),
                t("col_registry", lang): registry,
                t("col_updated_by", lang): f.updated_by,
            }
        )
    return pd.DataFrame(rows).set_index("id") if rows else pd.DataFrame()


def register(incident_id: int, actor: Principal, lang: str) -> pd.DataFrame:
    """The masked register inside `actor`'s area, for those who register families (the other
    roles see counts only).

    Raises:
        Forbidden: `actor` does not register families.
    """
    require(actor, "household")
    table = load_register(incident_id, lang)
    if table.empty:
        return table
    return table.loc[[actor.covers(code) for code in table[t("col_code", lang)]]]


def _registry_words(matched: pd.DataFrame, household_id: int, lang: str) -> str:
    if household_id not in matched.index or not matched.loc[household_id, "in_registry"]:
        return t("registry_not_in", lang)
    programmes = [p.upper() for p in ("pkh", "sembako", "pbi") if matched.loc[household_id, p]]
    return ", ".join(programmes) if programmes else t("registry_in", lang)


@resources.cached(Household, HouseholdMember, ttl=3600)  # ages move on
def _members(incident_id: int, household_id: int, lang: str) -> pd.DataFrame:
    people = household_store.members(resources.engine(), incident_id)
    mine = people[people["household_id"] == household_id]
    day = today_in()
    return pd.DataFrame(
        {
            t("col_nik", lang): mine["nik_masked"],
            t("col_sex", lang): mine["sex"],
            t("col_age", lang): [rules.age_band(d, day) for d in mine["birth_date"]],
            t("col_relation", lang): [t(f"relation_{r}", lang) for r in mine["relation"]],
            t("col_casualty", lang): [
                t(f"casualty_{c}", lang) if isinstance(c, str) else NO_VALUE
                for c in mine["casualty"]
            ],
        }
    )


def load_members(incident_id: int, household_id: int, actor: Principal, lang: str) -> pd.DataFrame:
    """One household's people, masked (an age band, never a birth date), for those who
    register families.

    Raises:
        Forbidden: `actor` does not register families.
    """
    require(actor, "household")
    return _members(incident_id, household_id, lang)


def reveal(household_id: int, actor: Principal, why: str) -> dict[str, Any]:
    """One household in clear; audited with `why`. Never cached."""
    return household_store.reveal(resources.engine(), resources.vault(), household_id, actor, why)


def save(
    values: dict[str, Any],
    incident_id: int,
    actor: Principal,
    household_id: int | None = None,
    version: int | None = None,
    merge_into: int | None = None,
) -> household_store.Saved:
    """Register or change a family; a change of what is paid, or a duplicate the user may not
    see, waits for review (`Saved.waiting`)."""
    entry = rules.HouseholdInput.check(values, resources.geography())
    return resources.written(
        household_store.save_household(
            resources.engine(),
            resources.vault(),
            incident_id,
            entry,
            actor,
            household_id,
            version,
            merge_into,
            limits=resources.settings().probe_limits,
        )
    )


@resources.cached(HouseholdChange, ttl=None)
def waiting_count(incident_id: int) -> int:
    """How many entries wait for a data officer's review (a count)."""
    return changes.waiting_count(resources.engine(), incident_id)


def load_pending(incident_id: int, actor: Principal, lang: str) -> pd.DataFrame:
    """The changes waiting inside `actor`'s area, masked and labelled; index = change id.

    Raises:
        Forbidden: `actor` may not review personal data.
    """
    table = changes.pending(resources.engine(), actor, incident_id)
    return pd.DataFrame(
        {
            t("col_kk", lang): table["kk_masked"].to_numpy(),
            t("col_kecamatan", lang): [resources.area_name(c) for c in table["kecamatan_code"]],
            t("col_reason", lang): [t(f"change_{r}", lang) for r in table["reason"]],
            t("col_fields", lang): [
                ", ".join(field_label(f, lang) for f in fields) for fields in table["fields"]
            ],
            t("col_proposed_by", lang): table["proposed_by"].to_numpy(),
            t("col_proposed_at", lang): [format_wib(at, lang) for at in table["proposed_at"]],
        },
        index=pd.Index(table["id"], name="id"),
    )


def review(change_id: int, actor: Principal) -> dict[str, Any]:
    """A waiting change beside its family, in clear; audited. Never cached."""
    return changes.review(resources.engine(), resources.vault(), change_id, actor)


def change_rows(seen: dict[str, Any], lang: str) -> pd.DataFrame:
    """Each field a change makes differ: what it is, before, after, and whether it decides
    who is paid what (a reviewed change's `changes`)."""

    def shown(value: Any) -> str:
        if isinstance(value, dict):  # a person added or removed
            casualty = value.get("casualty")
            return " · ".join(
                str(v)
                for v in (
                    value["nik"],
                    value["name"],
                    value["sex"],
                    value["birth_date"],
                    t(f"relation_{value['relation']}", lang),
                    t(f"casualty_{casualty}", lang) if casualty else None,
                )
                if v
            )
        if isinstance(value, bool):
            return t("yes", lang) if value else t("no", lang)
        return NO_VALUE if value in (None, "") else str(value)

    rows = []
    for change in seen["changes"]:
        what = field_label(change.field, lang)
        if change.nik is not None:
            what = f"{t('field_members', lang)} {change.nik} · {what}"
        rows.append(
            {
                t("col_field", lang): what,
                t("col_before", lang): shown(change.before),
                t("col_after", lang): shown(change.after),
                t("col_payment_relevant", lang): t("yes", lang) if change.payment else "",
            }
        )
    return pd.DataFrame(rows)


def decide(change_id: int, actor: Principal, accept: bool, version: int, note: str) -> str:
    """Accept or reject a waiting change (not one's own); returns its new status."""
    return resources.written(
        changes.decide(
            resources.engine(), resources.vault(), change_id, actor, accept, version, note
        )
    )


@resources.cached(Shelter, ttl=None)
def shelter_choices(incident_id: int) -> dict[int, str]:
    return household_store.shelter_names(resources.engine(), incident_id)


@resources.cached(Area, ImpactReport, Household, HouseholdMember, ttl=None)
def load_consistency(incident_id: int, lang: str) -> pd.DataFrame:
    """Per kecamatan and figure: households' count, the reports' figure, the difference."""
    engine = resources.engine()
    versions = report_store.all_versions(engine)
    reported = counted(versions[versions["incident_id"] == incident_id])
    reported = reported.set_index("kecamatan_code")
    table = rules.against_reports(household_store.counts(engine, incident_id), reported)
    return pd.DataFrame(
        {
            t("col_kecamatan", lang): [resources.area_name(c) for c in table["kecamatan_code"]],
            t("col_figure", lang): [t(f"count_{f}", lang) for f in table["figure"]],
            t("col_households_count", lang): table["households"],
            t("col_reported", lang): table["reported"].astype("Int64"),
            t("col_difference", lang): table["difference"].astype("Int64"),
        }
    )


@resources.cached(AssistancePayment, Household, ttl=None)
def load_payments(incident_id: int, lang: str) -> pd.DataFrame:
    """The incident's payments, masked; index = payment id."""
    paid = household_store.payments(resources.engine(), incident_id)
    return pd.DataFrame(
        {
            t("col_programme", lang): [t(f"programme_{p}", lang) for p in paid["programme"]],
            t("col_kk", lang): paid["kk_masked"].to_numpy(),  # by position: the index is the id
            t("col_kecamatan", lang): [resources.area_name(c) for c in paid["kecamatan_code"]],
            t("col_amount", lang): [f"Rp{number(int(a), lang)}" for a in paid["amount"]],
            t("col_status", lang): [t(f"payment_{s}", lang) for s in paid["status"]],
            t("col_paid_on", lang): [d.isoformat() if d else NO_VALUE for d in paid["paid_on"]],
            t("col_reference", lang): paid["reference"].fillna(NO_VALUE).to_numpy(),
        },
        index=pd.Index(paid["id"], name="id"),
    )


def payments_for(incident_id: int, actor: Principal, lang: str) -> pd.DataFrame:
    """The payments one by one (masked) for those who handle assistance; for the others, how
    many and how much per programme and status (counts only)."""
    table = load_payments(incident_id, lang)
    if permits(actor, "assistance") or table.empty:
        return table
    amounts = household_store.payments(resources.engine(), incident_id)
    summary = amounts.groupby(["programme", "status"])["amount"].agg(["size", "sum"])
    return pd.DataFrame(
        {
            t("col_programme", lang): [t(f"programme_{p}", lang) for p, _ in summary.index],
            t("col_status", lang): [t(f"payment_{s}", lang) for _, s in summary.index],
            t("col_payments", lang): summary["size"].tolist(),
            t("col_amount", lang): [f"Rp{number(int(a), lang)}" for a in summary["sum"]],
        }
    )


def payment_statuses(incident_id: int) -> dict[int, str]:
    paid = household_store.payments(resources.engine(), incident_id)
    return dict(zip(paid["id"], paid["status"], strict=True))


def programme_rules(lang: str) -> pd.DataFrame:
    """Each programme: amount, condition and source, as configured."""
    settings = resources.settings()
    rows = []
    for p in rules.programmes(settings.assistance_amounts).values():
        amount = f"Rp{number(p.amount, lang)}" if p.amount else t("in_kind", lang)
        if p.code == "jadup":
            amount = t("jadup_amount", lang, amount=amount, days=settings.jadup_days)
        rows.append(
            {
                t("col_programme", lang): t(f"programme_{p.code}", lang),
                t("col_amount", lang): amount,
                t("col_condition", lang): p.condition.replace(
                    "CC_JADUP_DAYS", str(settings.jadup_days)
                ),
                t("col_source", lang): p.source,
            }
        )
    return pd.DataFrame(rows)


def propose(incident_id: int, actor: Principal) -> int:
    settings = resources.settings()
    return resources.written(
        household_store.propose_payments(
            resources.engine(), incident_id, actor, settings.assistance_amounts, settings.jadup_days
        )
    )


def advance(payment_id: int, actor: Principal, reference: str, paid_on: date | None) -> str:
    return resources.written(
        household_store.advance_payment(resources.engine(), payment_id, actor, reference, paid_on)
    )


def export(incident_id: int, kind: str, actor: Principal, why: str) -> bytes:
    """A named list with its watermark; audited. Never cached."""
    return household_store.export_named(
        resources.engine(), resources.vault(), incident_id, kind, actor, why
    )


def export_name(incident_id: int, kind: str) -> str:
    return f"{kind}_kejadian{incident_id}_{today_in():%Y%m%d}.csv"


def preview(content: bytes, name: str, actor: Principal) -> imports.Table:
    return imports.preview(
        content,
        name,
        household_store.HOUSEHOLDS,
        rules.IMPORT_HEADERS,
        actor,
        resources.settings().import_limits,
    )


def import_file(
    content: bytes, name: str, incident_id: int, actor: Principal, progress: imports.Progress
) -> imports.ImportReport:
    return resources.written(
        household_store.import_households(
            resources.engine(),
            resources.vault(),
            content,
            name,
            incident_id,
            resources.geography(),
            actor,
            resources.settings().import_limits,
            progress,
        )
    )


def resubmit(edits: dict[int, dict[str, Any]], actor: Principal) -> imports.ImportReport:
    return resources.written(
        household_store.resubmit_households(
            resources.engine(), resources.vault(), edits, resources.geography(), actor
        )
    )


def open_quarantine(lang: str, actor: Principal, why: str) -> pd.DataFrame:
    """Quarantined person rows in `actor`'s area, in clear for correcting; audited with `why`.
    Never cached."""
    rows = household_store.open_quarantine(resources.engine(), resources.vault(), actor, why)
    table = pd.DataFrame(
        [r["data"] for r in rows], index=pd.Index([r["id"] for r in rows], name="id")
    )
    problems = [
        "; ".join(field_error(e["field"], e["code"], e["params"], lang) for e in r["errors"])
        for r in rows
    ]
    if not table.empty:
        table.insert(0, t("col_problem", lang), problems)
        table.insert(0, t("col_row", lang), [f"{r['file_name']}:{r['row_number']}" for r in rows])
    return table


def import_registry(content: bytes, name: str, actor: Principal) -> tuple[int, list[int]]:
    return resources.written(
        household_store.import_registry(
            resources.engine(),
            resources.vault(),
            content,
            name,
            actor,
            resources.settings().import_limits,
        )
    )


@resources.cached(RegistryEntry, ttl=None)
def registry_size() -> int:
    return household_store.registry_size(resources.engine())
