"""`${ENV}` references: secrets stay out of the facility file and are resolved at use.

A field holding a reference keeps the reference text (so `config check` and logs never show
the secret); `resolve()` substitutes the environment when the value is used.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class MissingEnvironment(LookupError):
    """A `${VAR}` reference names a variable that is not set and has no default."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__("environment variable(s) not set: " + ", ".join(names))


def references(text: str) -> list[str]:
    """Names of the variables `text` refers to."""
    return [m.group(1) for m in _REF.finditer(text)]


def missing(text: str, env: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if env is None else env
    return [m.group(1) for m in _REF.finditer(text) if m.group(1) not in env and m.group(2) is None]


def resolve(text: str, env: Mapping[str, str] | None = None) -> str:
    """Substitute `${VAR}` and `${VAR:-default}`; raise MissingEnvironment when unset."""
    env = os.environ if env is None else env
    absent = missing(text, env)
    if absent:
        raise MissingEnvironment(absent)
    return _REF.sub(lambda m: env.get(m.group(1), m.group(2) or ""), text)
