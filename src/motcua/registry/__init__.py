"""The population data adapter: `lookup(citizen_id, *, actor, purpose, unit=None)`.

Public surface for other apps: `registry.lookup` (and `registry.services.lookup_recorded`,
`registry.services.confirms`), the `Person` it returns and `RegistryUnavailable`, which every
caller must handle (the citizen or officer goes on by typing). docs/decisions/0027.
"""


def lookup(citizen_id: str, *, actor, purpose: str, unit=None):
    """The person with this citizen ID in the population registry, or None (audited)."""
    from .services import lookup as _lookup  # models load only once apps are ready

    return _lookup(citizen_id, actor=actor, purpose=purpose, unit=unit)
