"""A key result's statement read into its measure: the baseline, target and unit it states.

Every face that takes a key result (the web form and its "read the statement" button, the API's
create and edit) fills the numbers left out from the same reading, so a statement means the
same numbers wherever it is typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from constellation.core.language.measure import read_measure

MEASURE = ("baseline", "target", "unit")


def fill_measure(
    values: dict[str, Any], *, names: Iterable[str] = MEASURE, only_empty: bool = True
) -> str | None:
    """Put into `values` the measure its statement (`values["title"]`) states; the reading's note.

    Only the fields in `names` are filled, and with `only_empty` only those still empty, so
    numbers the person gave are kept. A baseline already in `values` turns a relative change
    ("grow by 20%") into a target. None when the statement states no number.
    """
    measure = read_measure(str(values.get("title") or ""), values.get("baseline"))
    if measure is None:
        return None
    read = {"baseline": measure.baseline, "target": measure.target, "unit": measure.unit}
    for name in names:
        if read[name] in (None, ""):
            continue
        if not only_empty or values.get(name) in (None, ""):
            values[name] = read[name]
    return measure.note
