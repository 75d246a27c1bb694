"""What else a citizen can do from their dossier page, offered by apps downstream of `citizens`.

`citizens` sits upstream of `filing` (filing reads the citizen's identity), so it never imports
it: an app registers a provider when it starts (`AppConfig.ready`), as with the procedure
page's `catalog.actions`, and "Hồ sơ của tôi" shows what the providers return, in their order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    kind: str  # the page's test hook: data-testid="action-<kind>"
    label: str
    url: str
    hint: str = ""


Provider = Callable[..., list[Action]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add `provider(user, dossier) -> list[Action]`; the same one twice is a no-op."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def for_dossier(user, dossier) -> list[Action]:
    return [action for provider in _providers for action in provider(user, dossier)]
