"""Numbers for people, formatted by their unit: `$4.8M`, `€1,200`, `45%`, `12,400 users`.

Pure Python (no Django), so the pages, the charts, the CLI and the digests write a value the
same way. A unit is free text: a currency symbol (`$`, `€`, `£`...) or an ISO 4217 code in
capitals (`USD`, `CHF`) makes the value money, written the English way with the symbol in
front; `%` sticks to its number; any other unit follows the number after a space and agrees
with it (`1 day`, `2 days`). Babel does the locale work (grouping, compact forms, symbols).
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Iterable
from functools import lru_cache

from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    get_currency_symbol,
    list_currencies,
)

LOCALE = "en"
# The compact form starts here: `€1,200` and `12,400 users` stay exact, `£350K` does not.
COMPACT_FROM = 100_000
# Past a thousand trillion there is no shorter word: such values are written in full.
COMPACT_UNTIL = 1e15
# Symbols people type as a unit, and the currency each stands for.
SYMBOLS = {
    "$": "USD",
    "US$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "R$": "BRL",
    "A$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
}
_PRECISION = 400
_GROUP = ("", "K", "M", "B", "T")


@lru_cache(maxsize=256)
def currency_of(unit: str | None) -> str | None:
    """The ISO code when `unit` names money (`$` → `USD`, `CHF` → `CHF`), else None."""
    if not unit:
        return None
    unit = unit.strip()
    if unit in SYMBOLS:
        return SYMBOLS[unit]
    # Only capitals: `all`, `top` or `cup` are words before they are currencies.
    if len(unit) == 3 and unit.isupper() and unit in list_currencies():
        return unit
    return None


def unit_for(value: float, unit: str) -> str:
    """The unit as a word agrees with its number: `1 day`, `2 days`; symbols stay (`1 ms`)."""
    plain_plural = unit.isalpha() and unit.islower() and len(unit) > 3 and unit.endswith("s")
    if plain_plural and not unit.endswith(("ss", "us")) and abs(float(value)) == 1:
        return unit[:-1]
    return unit


def _plain(value: float) -> str:
    """`1,234`, `2.5`, `0.25`: at most two decimals, none that are zero."""
    rounded = round(value, 2)
    if rounded.is_integer():
        return format_decimal(int(rounded), format="#,##0", locale=LOCALE)
    return format_decimal(rounded, format="#,##0.##", locale=LOCALE)


def _rounded_for_compact(value: float, digits: int) -> float:
    """The value rounded as its compact form shows it, so 999,999 reads `1M`, not `1000K`."""
    magnitude = abs(value)
    if magnitude < 1000:
        return value
    group = min(int(math.log10(magnitude) // 3), len(_GROUP) - 1)
    scale = 1000.0**group
    # Half up, as people round (1.25M reads 1.3M), not Python's half to even.
    shown = decimal.Decimal(repr(value / scale)).quantize(
        decimal.Decimal(1).scaleb(-digits), rounding=decimal.ROUND_HALF_UP
    )
    return float(shown) * scale


def exact_digits(values: Iterable[float], most: int = 3) -> int:
    """The fewest decimals (1 to `most`) that write each value's compact form exactly.

    Axis ticks 4.25M and 4.5M need two (`$4.25M`), so no grid line is labelled 50K off.
    """
    needed = 1
    for value in values:
        magnitude = abs(value)
        if not (math.isfinite(value) and COMPACT_FROM <= magnitude < COMPACT_UNTIL):
            continue
        scaled = magnitude / 1000.0 ** int(math.log10(magnitude) // 3)
        while needed < most and not math.isclose(
            scaled * 10**needed, round(scaled * 10**needed), abs_tol=1e-6
        ):
            needed += 1
    return needed


def _compact(value: float, currency: str | None, digits: int) -> str:
    value = _rounded_for_compact(value, digits)
    if currency is not None:
        return format_compact_currency(value, currency, locale=LOCALE, fraction_digits=digits)
    return format_compact_decimal(value, locale=LOCALE, fraction_digits=digits)


def _money(value: float, currency: str) -> str:
    rounded = round(value, 2)
    pattern = "¤#,##0" if rounded.is_integer() else "¤#,##0.00"
    return format_currency(rounded, currency, format=pattern, locale=LOCALE, currency_digits=False)


def format_value(
    value: float | int | None, unit: str | None = None, *, compact: bool = False, digits: int = 1
) -> str:
    """A value with its unit for people; an em dash when there is none.

    `compact` writes values from 100,000 up in short form (`$4.8M`, `350K users`) with at most
    `digits` decimals; smaller values, and every value when not compact, are exact to two
    decimals (`$4,848,624`, `€1,200.50`). Never raises, whatever the float.
    """
    if value is None:
        return "—"
    number = float(value)
    if math.isnan(number):
        return "—"
    unit = (unit or "").strip()
    currency = currency_of(unit)
    if math.isinf(number):
        text = "∞" if number > 0 else "−∞"
        symbol = get_currency_symbol(currency, LOCALE) if currency else ""
        return f"{symbol}{text}" if currency or not unit else _with_unit(text, number, unit)
    # Babel computes in Decimal: room for every digit of the largest float.
    with decimal.localcontext(prec=_PRECISION):
        if compact and COMPACT_FROM <= abs(number) < COMPACT_UNTIL:
            text = _compact(number, currency, digits)
        elif currency is not None:
            text = _money(number, currency)
        else:
            text = _plain(number)
    if currency is not None or not unit:
        return text
    return _with_unit(text, number, unit)


def _with_unit(text: str, number: float, unit: str) -> str:
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit_for(number, unit) if math.isfinite(number) else unit}"
