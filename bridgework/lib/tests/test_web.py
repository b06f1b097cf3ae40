from __future__ import annotations

from django.test import RequestFactory, override_settings

from bridgework.lib.web import client_ip, safe_next


def test_without_trusted_proxies_it_ignores_forwarded_headers() -> None:
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "10.0.0.1"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_it_takes_the_address_that_proxy_saw() -> None:
    # The client claims 6.6.6.6; our proxy appended the address it really saw.
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_it_refuses_to_redirect_off_site() -> None:
    factory = RequestFactory()
    assert safe_next(factory.get("/", {"next": "https://evil.example/"})) == "/"
    assert safe_next(factory.get("/", {"next": "/clients/"})) == "/clients/"
