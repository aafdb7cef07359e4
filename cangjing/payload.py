"""Reading a JSON object out of an MQTT payload, with the one-line reason every dead letter
gives when it is not one."""

from __future__ import annotations

import json
from typing import Any


def json_object(payload: bytes | str, error: type[ValueError] = ValueError) -> dict[str, Any]:
    """The payload as a JSON object; raise `error` ("not JSON: ...", "not a JSON object")."""
    try:
        doc = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise error("not a JSON object")
    return doc
