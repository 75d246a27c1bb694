"""Request context for audit events, the language choice, refused moves answered 409, no copy
of a signed-in person's pages kept by the browser, and NUL bytes in URLs answered 400."""

import contextvars

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from .views import bad_request

_current_request = contextvars.ContextVar("motcua_request", default=None)


def current_request():
    return _current_request.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


class LanguageMiddleware:
    """Vietnamese unless the person chose otherwise with the language switch (a cookie).

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: many cheap
    phones are set to English, and a commune service must still open in Vietnamese.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class IllegalTransitionMiddleware:
    """A refused state change that no view caught is a conflict (409) with its Vietnamese
    reason, never a 500: the shared `core.statemachine.IllegalTransition` covers dossiers,
    tickets and bookings. Views that show the reason inside their own page catch it first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from .statemachine import IllegalTransition

        if isinstance(exception, IllegalTransition):
            return render(request, "errors/409.html", {"message": exception.reason}, status=409)
        return None


class NoStoreWhenSignedInMiddleware:
    """Every answer to a signed-in person carries `Cache-Control: no-store` (and Django's other
    never-cache headers): a counter PC is shared, and after sign-out the next person must not
    reach a dossier list through the back button or the browser's cache.

    A response that already says how to cache it is left alone: a view that chose `private`
    for a reason (the citizen ticket page kept for offline use) or `public` for what is the
    same for everyone (a QR image, the display's audio). Anonymous visitors are untouched, so
    public pages stay cacheable; without a session cookie nobody is signed in, and the
    session is not even read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class RefuseNulInUrlMiddleware:
    """A NUL byte in the path or the query string (`%00`) is never something a person typed,
    and PostgreSQL refuses it in any text comparison: every page that looks up a code, a token
    or a search would answer 500. Such a request gets the 400 page before any view reads it.
    Text fields of forms refuse NUL on their own (Django's CharField)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return bad_request(request)
        return self.get_response(request)
