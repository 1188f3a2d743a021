"""What every check reads about a plan, worked out once per lint: readings, graph, indexes."""

from __future__ import annotations

from functools import cached_property

from constellation.core.alignment import AlignmentGraph
from constellation.core.coach.findings import Finding, Fix
from constellation.core.coach.rules import RULES
from constellation.core.language import Reading, read, read_objective
from constellation.core.language.lexicon import word_set
from constellation.core.model import KeyResult, Kpi, Objective, Plan, Team

# "e-book" and "ebook", "3,100" and "3100", "50%" and "50" read the same.
_UNGLUE = str.maketrans("", "", ",-%$€£")
_QUICK_STOP = word_set("a an the of for to in on at by with from into our their its and or per")


def words_of(text: str) -> frozenset[str]:
    """The lower-case words of a title, split at spaces, without the most common ones.

    A cheap first pass before the real similarity: two titles that share too few of these
    words cannot be near-copies, so most pairs are ruled out without a full comparison.
    """
    return frozenset(text.lower().translate(_UNGLUE).split()) - _QUICK_STOP


# (all the words of an objective's key results, the fewest words of one, [(key result, words)])
KeyResultWords = tuple[frozenset[str], int, list[tuple[KeyResult, frozenset[str]]]]


class LintContext:
    """One plan with its memoised readings, alignment graph and lookups by id."""

    def __init__(self, plan: Plan) -> None:
        """Index the plan; nothing is read until a check asks."""
        self.plan = plan
        self.objectives: dict[str, Objective] = {}
        for objective in plan.objectives:
            self.objectives.setdefault(objective.id, objective)
        self.kpis: dict[str, Kpi] = {kpi.id: kpi for kpi in plan.kpis}
        self._readings: dict[str, Reading] = {}
        self._objective_outputs: dict[str, bool] = {}
        self._words: dict[str, frozenset[str]] = {}
        self._kr_words: dict[str, KeyResultWords] = {}

    def reading(self, text: str) -> Reading:
        """The language reader's reading of a statement, read once per distinct text."""
        found = self._readings.get(text)
        if found is None:
            found = self._readings[text] = read(text)
        return found

    def objective_is_output(self, title: str) -> bool:
        """Whether an objective title is itself a deliverable, read once per distinct title."""
        found = self._objective_outputs.get(title)
        if found is None:
            found = self._objective_outputs[title] = read_objective(title)
        return found

    def words(self, text: str) -> frozenset[str]:
        """The cheap word set of a title (see `words_of`), worked out once per distinct text."""
        found = self._words.get(text)
        if found is None:
            found = self._words[text] = words_of(text)
        return found

    def key_result_words(self, objective: Objective) -> KeyResultWords:
        """An objective's key results with their word sets, and all their words together.

        A title that shares too few words with all of them together cannot be a near-copy of
        any one, so a single test rules out all of an objective's key results at once.
        """
        found = self._kr_words.get(objective.id)
        if found is None:
            entries = [(kr, self.words(kr.title)) for kr in objective.key_results]
            every = frozenset().union(*(words for _, words in entries))
            fewest = min((len(words) for _, words in entries), default=0)
            found = self._kr_words[objective.id] = (every, fewest, entries)
        return found

    def is_output(self, kr: KeyResult) -> bool:
        """A key result that names work rather than a change (a kept range never does)."""
        return kr.type != "range" and self.reading(kr.title).nature == "output"

    @cached_property
    def graph(self) -> AlignmentGraph:
        """The plan's alignment graph."""
        return AlignmentGraph.from_objectives(self.plan.objectives)

    @cached_property
    def cycles(self) -> list[list[str]]:
        """Every alignment loop once, each from its first objective in file order."""
        return self.graph.cycles()

    def focus(self, objective: Objective) -> str | None:
        """The objective's focus as written, else inferred from its key results and title."""
        if objective.focus is not None:
            return objective.focus
        # Only outcomes lean: "Launch the customer portal" is work, whoever it is for.
        readings = [self.reading(kr.title) for kr in objective.key_results]
        leanings = [r.focus for r in readings if r.nature == "outcome"]
        if "customer" in leanings:
            return "customer"
        title = self.reading(objective.title)
        title_focus = title.focus if title.nature == "outcome" else None
        if title_focus == "customer":
            return "customer"
        if "business" in leanings or title_focus == "business":
            return "business"
        return None

    def finding(
        self,
        rule_id: str,
        obj: str | None,
        line: int | None,
        message: str,
        hint: str,
        *,
        plain: tuple[str, str],
        fix: Fix | None = None,
    ) -> Finding:
        """A finding of a catalogue rule, with the rule's severity: said in the file's words
        (`message`, `hint`) and in a page's (`plain`: message and hint, titles not ids)."""
        return Finding(
            rule_id, RULES[rule_id].severity, obj, line, message, hint, plain[0], plain[1], fix
        )

    def objective_title(self, objective_id: str) -> str:
        """An objective's title, for the words of a page (its id when it is not in the plan)."""
        found = self.objectives.get(objective_id)
        return found.title if found is not None and found.title else objective_id

    def team_name(self, team_id: str) -> str:
        """A team's name, for the words of a page (its id when the plan does not list it)."""
        found = self.teams.get(team_id)
        return found.name if found is not None and found.name else team_id

    @cached_property
    def teams(self) -> dict[str, Team]:
        """The plan's teams by id."""
        return {team.id: team for team in self.plan.teams}
