"""Prepare a Home Assistant configuration directory for flowrt's tests, and print a token.

Run by .ci/services.sh with the Python of Home Assistant's own venv:

    python homeassistant_seed.py CONFIG_DIR PORT

It writes CONFIG_DIR/configuration.yaml (a few helper entities, no frontend, no onboarding) and,
unless it is there, CONFIG_DIR/.storage/auth holding one owner with a long-lived access token, in
the format of Home Assistant's auth store (homeassistant/auth/auth_store.py). It then prints a
fresh access token signed with that token's key: what a browser would get from the profile page.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import jwt

CONFIG = """\
homeassistant:
  name: flowrt-test
  latitude: 52.37
  longitude: 4.89
  elevation: 0
  unit_system: metric
  time_zone: UTC
  country: NL
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
websocket_api:
input_boolean:
  flowrt_switch:
    name: flowrt switch
  flowrt_other:
    name: flowrt other
input_number:
  flowrt_level:
    name: flowrt level
    min: 0
    max: 100
    step: 1
input_text:
  flowrt_text:
    name: flowrt text
template:
automation: []
"""
TEN_YEARS = 10 * 365 * 24 * 3600.0


def seed(config_dir: Path, port: int) -> str:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(CONFIG.format(port=port))
    store = config_dir / ".storage" / "auth"
    if not store.exists():
        store.parent.mkdir(parents=True, exist_ok=True)
        user_id = uuid.uuid4().hex
        token = {
            "id": uuid.uuid4().hex, "user_id": user_id, "client_id": None,
            "client_name": "flowrt tests", "client_icon": None,
            "token_type": "long_lived_access_token",
            "created_at": datetime.now(UTC).isoformat(),
            "access_token_expiration": TEN_YEARS, "token": secrets.token_hex(64),
            "jwt_key": secrets.token_hex(64), "last_used_at": None, "last_used_ip": None,
            "expire_at": None, "credential_id": None, "version": None,
        }
        data = {
            "users": [{"id": user_id, "group_ids": ["system-admin"], "is_owner": True,
                       "is_active": True, "name": "flowrt", "system_generated": False,
                       "local_only": False}],
            "groups": [{"id": "system-admin", "name": "Administrators"},
                       {"id": "system-users", "name": "Users"},
                       {"id": "system-read-only", "name": "Read Only"}],
            "credentials": [],
            "refresh_tokens": [token],
        }
        store.write_text(json.dumps({"version": 1, "minor_version": 1, "key": "auth",
                                     "data": data}))
        store.chmod(0o600)
    data = json.loads(store.read_text())["data"]
    token = next(t for t in data["refresh_tokens"]
                 if t["token_type"] == "long_lived_access_token")
    now = int(time.time())
    return jwt.encode({"iss": token["id"], "iat": now, "exp": now + int(TEN_YEARS)},
                      token["jwt_key"], algorithm="HS256")


if __name__ == "__main__":
    print(seed(Path(sys.argv[1]), int(sys.argv[2])))
