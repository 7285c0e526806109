"""How apps below panels (cases) add to the agenda and the panel pack.

The dependency runs panels -> cases, so panels never imports cases. Instead
the cases app registers two functions here when Django starts
(`CasesConfig.ready`):

- an agenda source: `source(*, meeting) -> list[AgendaSuggestion]`, the people
  whose case is due for review or who have never been to panel;
- a case-details provider: `provider(*, user, person_ids) -> {person_id: PackSection}`,
  what the pack shows about each person's case (lead offender manager, plan,
  interventions, orders, whereabouts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AgendaSuggestion:
    person_id: int
    reason: str  # an AgendaItem.Reason value
    detail: str = ""


@dataclass
class PackSection:
    """A block of the pack for one person, rendered from `template` with `context`."""

    template: str
    context: dict = field(default_factory=dict)


AGENDA_SOURCES: list[Callable] = []
CASE_DETAIL_PROVIDERS: list[Callable] = []


def register_agenda_source(source: Callable) -> None:
    if source not in AGENDA_SOURCES:
        AGENDA_SOURCES.append(source)


def register_case_details(provider: Callable) -> None:
    if provider not in CASE_DETAIL_PROVIDERS:
        CASE_DETAIL_PROVIDERS.append(provider)
