"""Mosquitto's password file and ACL file, generated from the facility file.

Least privilege, one MQTT user (principal) per party:

    node <device>      write  <prefix>/<site>/node/<device>/up         (its own topic only)
    tasmota <device>   write  tele/<device>/#                           (Tasmota's own scheme)
    gateway <id>       read   the node topics of its own sensors
                       write  readings of its own sensors, its status, the dead-letter topic
    collector          read   readings;            write dead-letter
    alerts             read   readings, gateway status;  write alerts/<zone>, dead-letter
    monitor            read   everything of the site (technicians, health checks)

Anonymous access is refused by the broker configuration (`allow_anonymous false`); the ACL
has no lines outside user blocks, so a client without a user block can do nothing.
Passwords are stored as PBKDF2-SHA512 `$7$` hashes, the format `mosquitto_passwd` writes.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cangjing.config import Facility
from cangjing.config.gateways import Gateway
from cangjing.config.sensors import Decoder, Sensor, Transport
from cangjing.topics import Topics

from .credentials import Passwords, resolve_passwords, write_private

# Mosquitto stores the count in each hash, so a stronger count than mosquitto_passwd's 101
# costs nothing but a little CPU per connect; it slows guessing of operator-chosen passwords.
PBKDF2_ITERATIONS = 1000
_SALT_BYTES = 12  # as mosquitto_passwd

# The gateway service's id when the facility lists no gateways (gateway/service.py).
DEFAULT_GATEWAY_ID = "gw"


@dataclass(frozen=True)
class Principal:
    """One MQTT user and the topic filters it may read and write."""

    name: str
    kind: str
    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()


class AclError(ValueError):
    """The facility cannot be turned into distinct MQTT users (two parties share a name)."""


def node_principal(topics: Topics, sensor: Sensor) -> Principal:
    device = sensor.device or ""
    if sensor.decoder is Decoder.tasmota:
        return Principal(device, "tasmota", write=(f"tele/{device}/#",))
    return Principal(device, "node", write=(topics.node_up(device),))


def _node_read_filter(topics: Topics, sensor: Sensor) -> str:
    device = sensor.device or ""
    return f"tele/{device}/#" if sensor.decoder is Decoder.tasmota else topics.node_up(device)


def gateway_principal(facility: Facility, topics: Topics, gateway_id: str) -> Principal:
    """What the gateway `gateway_id` needs: its nodes in, its sensors' readings out."""
    mine = [s for s in facility.sensors if _gateway_id_of(facility, s) == gateway_id]
    nodes = [s for s in mine if s.transport is Transport.mqtt and s.device]
    return Principal(
        gateway_id, "gateway",
        read=tuple(_node_read_filter(topics, s) for s in nodes),
        write=(
            *(topics.reading(s.zone, s.id) for s in mine),
            topics.gateway_status(gateway_id),
            topics.deadletter,
        ),
    )


def _gateway_id_of(facility: Facility, sensor: Sensor) -> str:
    gw: Gateway | None = facility.gateway_of(sensor)
    return gw.id if gw else DEFAULT_GATEWAY_ID


def principals(facility: Facility) -> list[Principal]:
    """Every MQTT user of the facility, in a stable order; AclError on a name clash."""
    topics = Topics(facility.mqtt.prefix, facility.site.id)
    gateway_ids = [g.id for g in facility.gateways] or (
        [DEFAULT_GATEWAY_ID] if facility.sensors else []
    )
    out = [gateway_principal(facility, topics, gid) for gid in gateway_ids]
    out += [
        node_principal(topics, s)
        for s in facility.sensors if s.transport is Transport.mqtt and s.device
    ]
    out += [
        Principal("collector", "collector", read=(topics.all_readings,),
                  write=(topics.deadletter,)),
        Principal("alerts", "alerts", read=(topics.all_readings, topics.all_gateway_status),
                  write=(topics.all_alerts, topics.deadletter)),
        # $SYS/broker/uptime lets a health check prove a login works without any data.
        Principal("monitor", "monitor",
                  read=(f"{topics.base}/#", "tele/#", "$SYS/broker/uptime")),
    ]
    _check_distinct(out)
    return out


def _check_distinct(found: list[Principal]) -> None:
    seen: dict[str, Principal] = {}
    for p in found:
        other = seen.get(p.name)
        if other is not None:
            raise AclError(
                f"MQTT user {p.name!r} would be both a {other.kind} and a {p.kind}: "
                "rename the device or gateway"
            )
        seen[p.name] = p


def acl_text(found: list[Principal], source: str = "the facility file") -> str:
    """Mosquitto's acl_file: one `user` block per principal, nothing for anonymous."""
    lines = [
        f"# Generated by `cangjing mqtt-acl` from {source}. Do not edit: regenerate.",
        "# No topic lines outside user blocks: a client without a block may do nothing.",
    ]
    for p in found:
        lines += ["", f"# {p.kind}", f"user {p.name}"]
        lines += [f"topic read {t}" for t in p.read]
        lines += [f"topic write {t}" for t in p.write]
    return "\n".join(lines) + "\n"


def password_hash(password: str, *, salt: bytes | None = None,
                  iterations: int = PBKDF2_ITERATIONS) -> str:
    """`$7$<iterations>$<salt b64>$<PBKDF2-SHA512 b64>`, as Mosquitto 2 reads it."""
    salt = os.urandom(_SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return (f"$7${iterations}${base64.b64encode(salt).decode()}"
            f"${base64.b64encode(digest).decode()}")


def password_file_text(passwords: dict[str, str]) -> str:
    """Mosquitto's password_file: `user:hash` lines."""
    return "".join(f"{user}:{password_hash(pw)}\n" for user, pw in passwords.items())


@dataclass(frozen=True)
class BrokerFiles:
    passwd: Path
    acl: Path
    credentials: Path
    users: list[Principal]
    passwords: Passwords


def write_broker_files(facility: Facility, out_dir: Path, credentials: Path, *,
                       source: str = "the facility file",
                       env: Mapping[str, str] | None = None) -> BrokerFiles:
    """Write out_dir/passwd (0600) and out_dir/acl; passwords as `resolve_passwords`."""
    users = principals(facility)
    passwords = resolve_passwords([p.name for p in users], credentials, env)
    out_dir.mkdir(parents=True, exist_ok=True)
    passwd, acl = out_dir / "passwd", out_dir / "acl"
    write_private(passwd, password_file_text(passwords.by_user))
    write_private(acl, acl_text(users, source), mode=0o644)
    return BrokerFiles(passwd, acl, credentials, users, passwords)
