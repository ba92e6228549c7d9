"""moto's standalone server on 127.0.0.1 for the boto3 tests (one per test module, reset per
test), and the environment that keeps boto3 away from any real account."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from moto.server import ThreadedMotoServer

# Credentials and config that can only ever reach moto: no profile, no instance metadata,
# one attempt per call (a refused call fails fast instead of retrying).
FAKE_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"}
REAL_ACCOUNT_ENV = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI")


@contextmanager
def running_moto() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def use_fake_aws(monkeypatch: pytest.MonkeyPatch, region: str | None = "us-east-1",
                 **extra: str) -> None:
    """Only fake credentials in the environment (`region` None: no default region)."""
    for name in (*REAL_ACCOUNT_ENV, "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**FAKE_ENV, **extra}.items():
        monkeypatch.setenv(name, value)
    if region is not None:
        monkeypatch.setenv("AWS_DEFAULT_REGION", region)


def reset(url: str) -> None:
    # A reset clears every region a whole-account scan touched: slow on a busy machine.
    requests.post(f"{url}/moto-api/reset", timeout=120).raise_for_status()


def closed_port_url() -> str:
    """An endpoint on 127.0.0.1 where nothing listens (calls fail at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
