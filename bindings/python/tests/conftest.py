"""What the tests share: the private test engine (scripts/test-engine.sh env), names unique to
this run, small archives made here, and cleanup of every image a test makes."""

from __future__ import annotations

import io
import os
import socket
import tarfile
import threading
from typing import Callable, Iterator, List

import pytest

import dockerclient

RUN = f"dcpy-{os.getpid()}"


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run `source <(bash scripts/test-engine.sh env)` first", returncode=2)
    return value


ENGINE = _env("DC_TEST_UNIX")
BASE_IMAGE = _env("DC_TEST_BASE_IMAGE")
REGISTRY = _env("DC_TEST_REGISTRY")
AUTH_REGISTRY = _env("DC_TEST_AUTH_REGISTRY")
REGISTRY_USER = _env("DC_TEST_REGISTRY_USER")
REGISTRY_PASSWORD = _env("DC_TEST_REGISTRY_PASSWORD")


@pytest.fixture
def client() -> Iterator[dockerclient.APIClient]:
    with dockerclient.APIClient(ENGINE) as c:
        yield c


@pytest.fixture
def cleanup(client: dockerclient.APIClient) -> Iterator[Callable[[str], str]]:
    """cleanup(name) removes that image (or tag) when the test ends; returns name."""
    names: List[str] = []
    yield lambda name: names.append(name) or name
    for name in names:
        try:
            client.remove_image(name, force=True)
        except dockerclient.errors.NotFound:
            pass


def unique(what: str) -> str:
    """A repository name unique to this run and this use."""
    return f"{RUN}-{what}"


def tar_of(**files: str) -> bytes:
    """A tar archive of the given files (name=content)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, content in files.items():
            data = content.encode()
            info = tarfile.TarInfo(name.replace("__", "."))
            info.size = len(data)
            info.mtime = 1700000000
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def import_image(client: dockerclient.APIClient, cleanup: Callable[[str], str], name: str, content: str) -> str:
    """Imports a one-file rootfs as name (removed at the end); returns its ID."""
    client.import_image_from_data(tar_of(**{"file.txt": content}), repository=cleanup(name))
    return client.inspect_image(name)["Id"]


def pushed_image(client: dockerclient.APIClient, cleanup: Callable[[str], str], what: str) -> str:
    """An image with a layer of its own pushed to the open registry, its local copy removed, so
    that a pull downloads it. Returns its name."""
    name = cleanup(f"{REGISTRY}/{unique(what)}:1")
    import_image(client, cleanup, name, f"{what} {RUN}\n" * 10000)
    client.push(name)
    client.remove_image(name)
    return name


def tar_names(archive: bytes) -> List[str]:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return tar.getnames()


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def silent_daemon() -> Iterator[str]:
    """A tcp:// endpoint that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: List[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for conn in held:
        conn.close()
