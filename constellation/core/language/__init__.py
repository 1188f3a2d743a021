"""The language reader: reads key-result statements and objective titles, offline and fast.

`read` tells an outcome from an output, whether a statement is measurable or only keeps a
level, and whether it is about customers or the business; `read_objective` tells when an
objective title is itself a deliverable; `parse_change` reads baseline, target and unit;
`similarity` tells when a key result is a copy of another.
"""

from __future__ import annotations

from constellation.core.language.numbers import Change, parse_change
from constellation.core.language.reader import Reading, read, read_objective
from constellation.core.language.similarity import COPY_THRESHOLD, similarity

__all__ = [
    "COPY_THRESHOLD",
    "Change",
    "Reading",
    "parse_change",
    "read",
    "read_objective",
    "similarity",
]
