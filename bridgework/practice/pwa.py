"""What makes the client pages an installable app: the manifest, the service worker and the
offline page. None of these holds client data, so the service worker may keep them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _

# Bump when the list of cached files changes; the service worker then drops the old cache.
SHELL_VERSION = "bw-shell-8"


def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "name": "Bridgework",
            "short_name": "Bridgework",
            "description": _("Your action plans between sessions"),
            "start_url": "/me/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#f4f6fa",
            "theme_color": "#1f5f8b",
            "icons": [
                {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {
                    "src": static("icons/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "any maskable",
                },
            ],
        },
        content_type="application/manifest+json",
    )


def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [
        "/me/offline/",
        *(
            static(path)
            for path in (
                "css/bridgework.css",
                "js/client-app.js",
                "js/sliders.js",
                "js/sheet-rows.js",
                "js/from-series.js",
                "icons/icon-192.png",
            )
        ),
    ]
    response = render(
        request,
        "practice/sw.js",
        {"version": SHELL_VERSION, "shell": shell},
        content_type="text/javascript",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page cannot load. Generic on purpose: it is cached."""
    return render(request, "practice/offline.html")
