"""What every anonymous visitor sees the same, read from the cache instead of rebuilt.

A version key per namespace ("catalog", "display:12") is part of every cache key under it (a
whole page carries it instead, read with it in one round trip); the code that changes the data
bumps it after its transaction commits (`bump`), so the next request misses and rebuilds: exact
invalidation, no waiting for a TTL (docs/decisions/0023). The TTL is
only a safety net for changes made where nothing bumps (a raw SQL fix, a shell).

`public_page` caches whole anonymous GET pages. Only requests without a session (no cookie but
the CSRF and language ones) are answered from the cache, and only 200 pages that set no cookie
are stored. Every page carries a CSRF token (the language switch, htmx headers); the stored copy
has a hole in its place, filled on each answer with the visitor's own token, so nobody receives
someone else's token and forms keep working.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token

VERSION_PREFIX = "motcua:ver:"
PAGE_PREFIX = "motcua:page:"
# Stored in place of the CSRF token; cannot occur in a page (NUL bytes are not valid HTML).
CSRF_HOLE = b"\x00motcua-csrf\x00"
_MASKED_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
# Response headers a stored page keeps (the middleware adds the rest on every answer).
KEPT_HEADERS = ("Cache-Control", "X-Robots-Tag", "Content-Disposition", "Link")


def version(namespace: str) -> int:
    """The namespace's current version; a missing (evicted) key restarts from the clock, so a
    page stored under an older version can never be mistaken for current."""
    key = VERSION_PREFIX + namespace
    value = cache.get(key)
    if value is None:
        cache.add(key, time.time_ns() // 1000, timeout=None)
        value = cache.get(key)
    return int(value)


def _bump_now(namespace: str) -> None:
    key = VERSION_PREFIX + namespace
    try:
        cache.incr(key)
    except ValueError:  # never read yet, or evicted: any fresh value differs from the old ones
        cache.set(key, time.time_ns() // 1000, timeout=None)


def bump(namespace: str) -> None:
    """Make every page and snapshot cached under `namespace` stale: now, and again once the
    current transaction commits. The second bump is the one that matters: a request that read
    the old rows between the first bump and the commit may have stored them under the new
    version. The first one keeps a change visible inside its own transaction (a test's, or the
    database cache's on the same connection). A rolled-back change costs one miss."""
    _bump_now(namespace)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump_now(namespace))


def bump_on_change(namespace_of: Callable[[object], str | None], *models) -> None:
    """Bump the namespace of every saved or deleted row of `models` (admin edits included).

    Not `QuerySet.update()` or `bulk_create`, which send no signal: services that use them
    call `bump` themselves."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    def changed(sender, instance, **kwargs):
        namespace = namespace_of(instance)
        if namespace:
            bump(namespace)

    who = f"{namespace_of.__module__}.{namespace_of.__qualname__}"  # one per caller and model
    for model in models:
        uid = f"motcua.pagecache.{who}.{model._meta.label}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + ".save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + ".delete")
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                changed,
                sender=field.remote_field.through,
                weak=False,
                dispatch_uid=f"{uid}.{field.name}.m2m",
            )


# --- whole anonymous pages -------------------------------------------------------------------


def _anonymous(request) -> bool:
    allowed = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    return (
        request.method in ("GET", "HEAD")
        and set(request.COOKIES) <= allowed
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _page_key(request, namespace: str) -> str:
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    htmx = "h" if request.headers.get("HX-Request") else "p"
    # host and scheme too: a page may print its own absolute address (a QR code's URL)
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    path = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"{PAGE_PREFIX}{namespace}:{language}:{htmx}:{path}"


def read_versioned(namespace: str, key: str) -> tuple[int, object | None]:
    """The namespace's version and what `key` holds if it was stored under that version (by
    `store_versioned`), in one cache round trip (`get_many`: an MGET on Redis). The value
    carries its version instead of the key: one read, and still exact."""
    found = cache.get_many([VERSION_PREFIX + namespace, key])
    current = found.get(VERSION_PREFIX + namespace)
    if current is None:
        return version(namespace), None
    stored = found.get(key)
    if not isinstance(stored, tuple) or stored[0] != int(current):
        return int(current), None
    return int(current), stored[1]


def store_versioned(key: str, made_under: int, value, timeout: int) -> None:
    """Store `value` as made under version `made_under`: the version read BEFORE it was made,
    so a change committed meanwhile leaves it stale at once."""
    cache.set(key, (made_under, value), timeout)


def _storable(response) -> bool:
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
    )


def _punch_csrf_hole(request, content: bytes) -> bytes | None:
    """The page with every token of this visitor's CSRF secret replaced by the hole; None when
    something else token-like of the visitor is left in it (then it is not stored)."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return content

    def hole(match: re.Match) -> bytes:
        token = match.group().decode()
        return CSRF_HOLE if _unmask_cipher_token(token) == secret else match.group()

    punched = _MASKED_TOKEN.sub(hole, content)
    return None if secret.encode() in punched else punched


def _answer(request, stored: dict) -> HttpResponse:
    content = stored["content"]
    if CSRF_HOLE in content:
        content = content.replace(CSRF_HOLE, get_token(request).encode())
    response = HttpResponse(content, content_type=stored["content_type"])
    for name, value in stored["headers"].items():
        response[name] = value
    return response


def public_page(namespace: str, *, timeout: int = 3600) -> Callable:
    """Serve the view's anonymous GET pages from the cache under `namespace`'s version."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not (settings.MOTCUA_PAGE_CACHE and _anonymous(request)):
                return view(request, *args, **kwargs)
            key = _page_key(request, namespace)
            made_under, stored = read_versioned(namespace, key)
            if stored is not None:
                return _answer(request, stored)
            response = view(request, *args, **kwargs)
            if _storable(response):
                content = _punch_csrf_hole(request, response.content)
                if content is not None:
                    headers = {h: response[h] for h in KEPT_HEADERS if h in response}
                    store_versioned(
                        key,
                        made_under,
                        {
                            "content": content,
                            "content_type": response["Content-Type"],
                            "headers": headers,
                        },
                        timeout,
                    )
            return response

        return wrapped

    return decorator
