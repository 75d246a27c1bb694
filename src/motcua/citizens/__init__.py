"""The citizens' side: sign-in with the national digital identity (OpenID Connect), and later
their dossiers. A citizen is an `accounts.User` of kind citizen with a `CitizenIdentity`;
they never hold a staff assignment (docs/decisions/0026)."""
