"""Test helpers for households: identity numbers built the way Dukcapil builds them, a family."""

from __future__ import annotations

from datetime import date
from typing import Any

KEY = "dGVzdC1rZXktb25seS1mb3ItdGVzdHMtMzItYnl0ZXM="  # 32 bytes, tests only


def nik(born: date, female: bool = False, serial: int = 1, kecamatan: str = "320311") -> str:
    """A NIK: kecamatan of registration, birth date (+40 on the day for women), serial."""
    day = born.day + (40 if female else 0)
    return f"{kecamatan}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def kk(issued: date = date(2015, 3, 9), serial: int = 1, kecamatan: str = "320311") -> str:
    return f"{kecamatan}{issued:%d%m%y}{serial:04d}"


def family(serial: int = 1, kecamatan: str = "32.03.11", **changes: Any) -> dict[str, Any]:
    """A family of three as the form gives it: father (head), mother, a toddler."""
    prefix = kecamatan.replace(".", "")
    father, mother, child = date(1980, 5, 17), date(1984, 11, 2), date(2024, 1, 30)
    values = {
        "kk": kk(serial=serial, kecamatan=prefix),
        "kecamatan_code": kecamatan,
        "desa": "Sarampad",
        "address": "Kp. Rawacina RT 02/05",
        "damage": "berat",
        "displaced": True,
        "payout": "BRI 0123-01-000123-50-1",
        "members": [
            {
                "nik": nik(father, serial=serial * 10 + 1, kecamatan=prefix),
                "name": "Asep Saepudin",
                "sex": "L",
                "birth_date": father,
                "relation": "kepala keluarga",
            },
            {
                "nik": nik(mother, True, serial * 10 + 2, prefix),
                "name": "Euis Komariah",
                "sex": "P",
                "birth_date": mother,
                "relation": "istri",
                "casualty": "meninggal",
            },
            {
                "nik": nik(child, True, serial * 10 + 3, prefix),
                "name": "Siti Nurhaliza",
                "sex": "P",
                "birth_date": child,
                "relation": "anak",
                "casualty": "luka berat",
            },
        ],
    }
    values.update(changes)
    return values
