"""Secrets of the MQTT users: from the environment, else kept in a credentials file outside
the repository, else generated (and then kept there, so that regenerating the broker's
files does not change anybody's password).

The credentials file is `KEY=value` lines, usable as `docker-compose --env-file` and as a
systemd `EnvironmentFile=`; it is written with mode 0600.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ENV_PREFIX = "CANGJING_MQTT_PASSWORD_"
# Characters that stay literal inside mqtt://user:password@host: no URL encoding needed.
_URL_SAFE = re.compile(r"^[A-Za-z0-9_.~-]+$")
_GENERATED_BYTES = 24  # 192 bits, 32 URL-safe characters


def env_name(user: str) -> str:
    """The variable holding `user`'s password: gw-01 -> CANGJING_MQTT_PASSWORD_GW_01."""
    return ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", user.upper())


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines; blank lines and # comments skipped; optional quotes removed."""
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[key.strip().removeprefix("export ").strip()] = value
    return out


@dataclass
class Passwords:
    """Each user's password and where it came from."""

    by_user: dict[str, str] = field(default_factory=dict)
    from_env: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)


class CredentialsError(ValueError):
    """Two users map to one variable, or a given password cannot go into a URL as is."""


def resolve_passwords(users: list[str], store: Path,
                      env: Mapping[str, str] | None = None) -> Passwords:
    """Each user's password: environment first, then the store, else a new one (saved)."""
    env = os.environ if env is None else env
    _check_variables(users)
    stored = read_env_file(store)
    result = Passwords()
    new: dict[str, str] = {}
    for user in users:
        var = env_name(user)
        if env.get(var):
            result.by_user[user] = env[var]
            result.from_env.append(user)
        elif stored.get(var):
            result.by_user[user] = stored[var]
            result.kept.append(user)
        else:
            new[var] = result.by_user[user] = secrets.token_urlsafe(_GENERATED_BYTES)
            result.generated.append(user)
    for user in result.from_env + result.kept:
        if not _URL_SAFE.match(result.by_user[user]):
            raise CredentialsError(
                f"{env_name(user)}: use only letters, digits and _ . ~ - "
                "(the password goes into mqtt://user:password@host as is)"
            )
    if new:
        set_env_values(store, new)
    return result


def _check_variables(users: list[str]) -> None:
    owner: dict[str, str] = {}
    for user in users:
        var = env_name(user)
        if var in owner and owner[var] != user:
            raise CredentialsError(f"users {owner[var]!r} and {user!r} would share {var}")
        owner[var] = user


def set_env_values(path: Path, values: dict[str, str]) -> None:
    """Fill `KEY=` lines already in the file (an .env.example copy), append the others;
    comments and other lines stay. The file is (re)written with mode 0600."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    todo = dict(values)
    for i, line in enumerate(lines):
        key = line.split("=", 1)[0].strip()
        if "=" in line and key in todo:
            lines[i] = f"{key}={todo.pop(key)}"
    lines += [f"{key}={value}" for key, value in todo.items()]
    write_private(path, "\n".join(lines) + "\n")


def write_private(path: Path, text: str, mode: int = 0o600) -> None:
    """Replace `path` atomically with `text`, created with `mode` (never world-readable
    in between)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
