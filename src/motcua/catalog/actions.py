"""What a citizen can do next from a procedure's public page: book, take a ticket, file online.

The catalog sits upstream of the apps that offer these (queueing today; the portal once online
filing lands), so it never imports them: each registers a provider when it starts
(`AppConfig.ready`) and the procedure page shows what the providers return, in their order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    kind: str  # "book", "ticket", "online": the page's test hooks and icons
    label: str
    url: str
    unit_name: str = ""  # said when several communes offer it


Provider = Callable[..., list[Action]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add `provider(procedure) -> list[Action]`; registering the same one twice is a no-op."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def for_procedure(procedure) -> list[Action]:
    return [action for provider in _providers for action in provider(procedure)]
