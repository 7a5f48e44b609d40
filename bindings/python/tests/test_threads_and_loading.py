"""One client shared by 16 threads, and how the library is found."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import dockerclient

from conftest import BASE_IMAGE, unique

PACKAGE = Path(dockerclient.__file__).resolve().parent


def test_sixteen_threads_share_one_client(client):
    base = client.inspect_image(BASE_IMAGE)["Id"]
    size = len(b"".join(client.get_image(BASE_IMAGE)))
    failures = []

    def work(t: int) -> None:
        try:
            for r in range(4):
                assert client.inspect_image(BASE_IMAGE)["Id"] == base
                assert client.images(name=BASE_IMAGE, quiet=True) == [base]
                assert client.history(BASE_IMAGE)
                assert sum(len(c) for c in client.get_image(BASE_IMAGE)) == size
                name = f"{unique(f'thread-{t}')}:{r}"
                client.tag(BASE_IMAGE, name)
                client.remove_image(name)
        except BaseException as e:
            failures.append(f"thread {t}: {e!r}")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def _load_in_subprocess(env: dict, sys_path: str) -> subprocess.CompletedProcess:
    code = "import dockerclient, dockerclient._lib as l; print(dockerclient.library_version()); print(l.load()._name)"
    return subprocess.run([sys.executable, "-c", code], env=dict(env, PYTHONPATH=sys_path),
                          capture_output=True, text=True, timeout=60)


def _library_path() -> str:
    from dockerclient import _lib

    return _lib.load()._name


def test_library_lookup_order(tmp_path):
    library = os.path.realpath(_library_path())
    base_env = {k: v for k, v in os.environ.items() if k not in ("DOCKERCLIENT_LIBRARY", "LD_LIBRARY_PATH")}

    # 1. DOCKERCLIENT_LIBRARY, and only it when set: a wrong path is a clear error.
    r = _load_in_subprocess(dict(base_env, DOCKERCLIENT_LIBRARY=str(tmp_path / "absent.so")), str(PACKAGE.parent))
    assert r.returncode != 0 and "LibraryNotFound" in r.stderr and "absent.so" in r.stderr and "DOCKERCLIENT_LIBRARY" in r.stderr

    # 2. Next to the package (as a wheel would bundle it).
    bundled = tmp_path / "bundled"
    shutil.copytree(PACKAGE, bundled / "dockerclient")
    shutil.copy(library, bundled / "dockerclient" / "libdockerclient.so.0")
    r = _load_in_subprocess(base_env, str(bundled))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[1] == str(bundled / "dockerclient" / "libdockerclient.so.0")

    # 3. The system: the dynamic loader's search (LD_LIBRARY_PATH here).
    libdir = tmp_path / "lib"
    libdir.mkdir()
    shutil.copy(library, libdir / "libdockerclient.so.0")
    r = _load_in_subprocess(dict(base_env, LD_LIBRARY_PATH=str(libdir)), str(PACKAGE.parent))
    assert r.returncode == 0 and r.stdout.startswith("0."), r.stderr
