"""Small helpers about HTTP requests."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting only as many X-Forwarded-For hops as proxies we run.

    Taking the left-most X-Forwarded-For entry would let anyone dodge per-address throttling
    by sending the header themselves; we count hops from the right instead.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """Where to go after a form: the `next` parameter if it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def after_response(response: HttpResponseBase, work: Callable[[], None]) -> None:
    """Run `work` once the response has gone out: the WSGI server closes a response after
    its last byte (gunicorn, runserver and Django's test client alike), and Django runs its
    closers then. Work done there cannot show in how long the answer took. Django ignores a
    closer's exceptions, so `work` must report its own failures."""
    closers: list[Callable[[], None]] = response._resource_closers  # type: ignore[attr-defined]
    closers.append(work)


def never_compressed(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Marks a page that shows a secret (a second factor's key, a new token) for the page
    compression to leave alone (bridgework.middleware.CompressPagesMiddleware): a secret
    compressed beside something an attacker can put into the same page leaks through the
    page's size (BREACH)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(*args, **kwargs)
        response.never_compressed = True  # type: ignore[attr-defined]
        return response

    return wrapped
