"""images, inspect_image, history, tag, remove_image, prune_images, search and the system calls
on the real engine."""

from __future__ import annotations

import io
import json
import socket
import threading
from typing import List
from urllib.parse import parse_qs, urlparse

import pytest

import dockerclient
from dockerclient import errors

from conftest import AUTH_REGISTRY, BASE_IMAGE, ENGINE, REGISTRY_PASSWORD, REGISTRY_USER, RUN, import_image, unique


def test_system_calls(client):
    assert client.ping() is True
    version = client.version()
    assert version["ApiVersion"] == client.api_version and version["Os"] == "linux"
    assert client.info()["ID"]
    assert dockerclient.library_version().startswith("0.")


def test_images_by_name_quiet_all_and_filters(client, cleanup):
    repo = unique("list")
    image_id = import_image(client, cleanup, f"{repo}:1", f"list {RUN}")
    listed = client.images(name=f"{repo}:1")
    assert [i["Id"] for i in listed] == [image_id] and f"{repo}:1" in listed[0]["RepoTags"]
    assert client.images(name=repo, quiet=True) == [image_id]
    assert client.images(filters={"reference": f"{repo}:*", "dangling": False}, quiet=True) == [image_id]
    assert len(client.images(all=True)) >= len(client.images()) > 0


def test_inspect_image_and_history(client):
    image = client.inspect_image(BASE_IMAGE)
    assert image["Id"].startswith("sha256:") and BASE_IMAGE in image["RepoTags"] and image["Os"] == "linux"
    assert client.inspect_image({"Id": image["Id"]})["Id"] == image["Id"]  # docker-py's dict form
    history = client.history(BASE_IMAGE)
    assert history and history[0]["Id"] == image["Id"]


def test_tag_then_remove_image(client, cleanup):
    base = client.inspect_image(BASE_IMAGE)["Id"]
    repo = unique("tag")
    assert client.tag(BASE_IMAGE, cleanup(f"{repo}:a")) is True
    assert client.tag(BASE_IMAGE, repo, cleanup(f"{repo}:b").split(":")[1], force=True) is True
    assert client.inspect_image(f"{repo}:a")["Id"] == client.inspect_image(f"{repo}:b")["Id"] == base
    assert client.remove_image(f"{repo}:a") == [{"Untagged": f"{repo}:a"}]
    with pytest.raises(errors.ImageNotFound) as e:
        client.inspect_image(f"{repo}:a")
    assert e.value.status_code == 404 and e.value.status == "NOT_FOUND" and f"{repo}:a" in e.value.explanation
    client.remove_image(f"{repo}:b", noprune=True)
    assert client.inspect_image(BASE_IMAGE)["Id"] == base


def test_remove_conflict_then_force(client, cleanup):
    repo = unique("conflict")
    image_id = import_image(client, cleanup, f"{repo}:1", f"conflict {RUN}")
    client.tag(image_id, repo, cleanup(f"{repo}:2").split(":")[1])
    with pytest.raises(errors.Conflict) as e:
        client.remove_image(image_id)
    assert e.value.status_code == 409 and e.value.is_client_error() and e.value.daemon_message
    deleted = client.remove_image(image_id, force=True)
    assert {"Deleted": image_id} in deleted
    with pytest.raises(errors.NotFound):
        client.inspect_image(image_id)


def test_tag_refuses_a_digest_before_sending(client):
    with pytest.raises(errors.InvalidArgument) as e:
        client.tag(BASE_IMAGE, unique("digest") + "@sha256:" + "a" * 64)
    assert e.value.status_code is None and isinstance(e.value, errors.APIError)


def test_prune_images_removes_only_labelled_dangling_images(client, cleanup):
    repo = cleanup(unique("prune") + ":1")

    def build(n: int) -> str:
        dockerfile = f"FROM {BASE_IMAGE}\nLABEL dc.py.prune={RUN} n={n}\n".encode()
        stream = client.build(fileobj=io.BytesIO(dockerfile), tag=repo, builder="1")
        for _ in stream:
            pass
        return stream.result["id"]

    first, second = build(1), build(2)  # the second takes the tag: the first is dangling
    assert first != second
    pruned = client.prune_images(filters={"label": f"dc.py.prune={RUN}"})
    deleted = [d.get("Deleted") for d in pruned["ImagesDeleted"] or []]
    assert first in deleted and second not in deleted
    assert client.inspect_image(repo)["Id"] == second


def test_errors_before_sending_and_without_a_daemon(client, tmp_path):
    old = dockerclient.APIClient(ENGINE, version="1.24")
    with pytest.raises(errors.InvalidVersion) as e:
        old.pull("busybox", tag="1", platform="linux/amd64")
    assert "1.32" in str(e.value) and e.value.status == "UNSUPPORTED" and e.value.status_code is None
    old.close()
    with pytest.raises(errors.InvalidArgument):
        dockerclient.APIClient("ftp://nowhere")
    gone = dockerclient.APIClient(f"unix://{tmp_path}/absent.sock")
    with pytest.raises(errors.TransportError):
        gone.ping()
    gone.close()
    with pytest.raises(dockerclient.ClientClosed):
        gone.images()


def test_login_checks_credentials_without_leaking_them(client):
    answer = client.login(REGISTRY_USER, REGISTRY_PASSWORD, registry=AUTH_REGISTRY)
    assert "Login Succeeded" in answer["Status"]
    with pytest.raises(errors.Unauthorized) as e:
        client.login(REGISTRY_USER, "wrong-" + REGISTRY_PASSWORD, registry=AUTH_REGISTRY)
    assert REGISTRY_PASSWORD not in str(e.value)


def test_from_env(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", ENGINE)
    with dockerclient.from_env(version="1.40") as c:
        assert c.api_version == "1.40" and c.inspect_image(BASE_IMAGE)
    with dockerclient.APIClient.from_env(environment={"DOCKER_HOST": ENGINE}) as c:
        assert c.ping()


# ---- search, through the daemon, against a v1 index served here (the engine treats
# 127.0.0.0/8 registries as insecure and asks http://127.0.0.1:PORT/v1/search) -------------------

RESULTS = 6


@pytest.fixture
def index():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    queries: List[dict] = []

    def serve(conn: socket.socket) -> None:
        with conn:
            first = conn.recv(1, socket.MSG_PEEK)
            if not first or first == b"\x16":  # a TLS handshake: close, the daemon falls back to HTTP
                return
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            target = urlparse(request.split(b" ")[1].decode())
            body = b"{}"
            if target.path == "/v1/search":
                q = parse_qs(target.query)
                queries.append(q)
                results = [{"name": f"dcpy/r{i}", "description": f"result {i}", "star_count": i,
                            "is_official": i % 2 == 0, "is_automated": False} for i in range(RESULTS)]
                n = int(q.get("n", ["25"])[0])
                body = json.dumps({"num_results": RESULTS, "query": q["q"][0], "results": results[:n]}).encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                         b"Connection: close\r\n\r\n%s" % (len(body), body))

    def accept() -> None:
        while True:
            try:
                conn = server.accept()[0]
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield f"127.0.0.1:{server.getsockname()[1]}", queries
    server.close()


def test_search_through_the_daemon(client, index):
    host, queries = index
    results = client.search(f"{host}/dcpy")
    assert [r["name"] for r in results] == [f"dcpy/r{i}" for i in range(RESULTS)]
    assert results[1]["description"] == "result 1" and results[0]["is_official"] is True
    assert [r["name"] for r in client.search(f"{host}/dcpy", limit=2)] == ["dcpy/r0", "dcpy/r1"]
    assert [q["q"][0] for q in queries] == ["dcpy", "dcpy"] and queries[1]["n"] == ["2"]
