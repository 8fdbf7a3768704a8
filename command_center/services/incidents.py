"""When an earthquake should become a proposed incident (the operator confirms it)."""

from __future__ import annotations

from dataclasses import dataclass

from command_center.services.exposure import mmi_roman


@dataclass(frozen=True)
class ProposalRules:
    min_magnitude: float = 5.0
    max_depth_km: float = 70.0
    min_felt_mmi: int = 4


def proposal_reason(
    magnitude: float | None,
    depth_km: float | None,
    on_land: bool,
    max_felt_mmi: int,
    tsunami_potential: bool,
    affected_kecamatan: int,
    rules: ProposalRules,
) -> str | None:
    """Why this earthquake deserves an incident, or None if it does not.

    An event qualifies with tsunami potential, a felt report at or above `min_felt_mmi`, or a
    magnitude at or above `min_magnitude` that is on land or shallow (`max_depth_km`) and
    is estimated to shake at least one kecamatan strongly (`affected_kecamatan` > 0).
    """
    if tsunami_potential:
        return "potensi tsunami"
    if max_felt_mmi >= rules.min_felt_mmi:
        return f"dirasakan {mmi_roman(max_felt_mmi)} MMI"
    if magnitude is not None and magnitude >= rules.min_magnitude and affected_kecamatan:
        if on_land:
            return f"M{magnitude:.1f} di darat"
        if depth_km is not None and depth_km <= rules.max_depth_km:
            return f"M{magnitude:.1f} dangkal ({depth_km:.0f} km)"
    return None
