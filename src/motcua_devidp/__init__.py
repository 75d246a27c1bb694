"""A development identity provider (OpenID Connect), standing in for VNeID on a developer's
machine and in tests: a separate Django project served as its own process on its own port,
built on django-oauth-toolkit's OIDC provider (docs/decisions/0026).

Never deployed: production points motcua at the real issuer (MOTCUA_OIDC_ISSUER). Its users
are the demo residents of residents.json; `python -m motcua_devidp seed_devidp` loads them and
registers motcua as a client.
"""
