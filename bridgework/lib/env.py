"""Typed readers for settings that come from the environment.

Each reader refuses a bad value loudly, naming the variable and what it expects, so a
misconfigured server stops at start-up instead of misbehaving later. Secrets may come from
a file: `SECRET_KEY_FILE=/run/secrets/key` is read when `SECRET_KEY` itself is not set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class Env:
    """Reads variables from a mapping (os.environ by default), so tests can pass their own."""

    def __init__(self, source: Mapping[str, str] | None = None) -> None:
        self.source = os.environ if source is None else source

    def raw(self, name: str) -> str | None:
        if name in self.source:
            return self.source[name]
        file_name = self.source.get(f"{name}_FILE")
        if file_name:
            try:
                return Path(file_name).read_text().strip()
            except OSError as exc:
                raise ImproperlyConfigured(
                    f"{name}_FILE points at {file_name!r}, which cannot be read ({exc.strerror}). "
                    "Expected the path of a readable file holding the value."
                ) from exc
        return None

    def string(self, name: str, default: str = "") -> str:
        value = self.raw(name)
        return default if value is None else value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a yes/no value. "
            "Expected one of 1, true, yes, on, 0, false, no, off."
        )

    def integer(
        self, name: str, default: int, *, low: int | None = None, high: int | None = None
    ) -> int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if (low is not None and number < low) or (high is not None and number > high):
            raise ImproperlyConfigured(
                f"{name}={number} is out of range. Expected a whole number from {low} to {high}."
            )
        return number

    def strings(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self.raw(name)
        if value is None:
            return list(default or [])
        return [part.strip() for part in value.split(",") if part.strip()]

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.string(name, default)
        if value not in choices:
            raise ImproperlyConfigured(
                f"{name}={value!r} is not allowed. Expected one of: {', '.join(choices)}."
            )
        return value


def check_secret_key(key: str) -> None:
    """Refuse keys that Django's own deployment check calls weak (short, repetitive, insecure)."""
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak. Expected at least 50 characters with at least 5 different "
            "characters, not starting with 'django-insecure-'. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )


def secret_key(env: Env, *, debug: bool, var_dir: Path) -> str:
    """The key from SECRET_KEY / SECRET_KEY_FILE; with DEBUG on, one generated once into var/."""
    key = env.raw("SECRET_KEY")
    if key is not None:
        check_secret_key(key)
        return key
    if not debug:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing. With DEBUG off, set SECRET_KEY (or SECRET_KEY_FILE, a path to "
            "a file holding it); `make demo` generates one into var/secret_key."
        )
    return generated_key(var_dir / "secret_key")


def generated_key(path: Path) -> str:
    import secrets

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()
