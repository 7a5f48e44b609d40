"""pull and push against the private registries: streamed progress, results, credentials."""

from __future__ import annotations

import pytest

import dockerclient
from dockerclient import errors

from conftest import AUTH_REGISTRY, BASE_IMAGE, REGISTRY, REGISTRY_PASSWORD, REGISTRY_USER, RUN, import_image, pushed_image, unique


def test_push_then_pull_streaming_decoded_messages(client, cleanup):
    name = cleanup(f"{REGISTRY}/{unique('push')}:1")
    import_image(client, cleanup, name, f"pushed {RUN}")
    pushing = client.push(name.rsplit(":", 1)[0], tag="1", stream=True, decode=True)
    messages = list(pushing)
    assert all(isinstance(m, dict) for m in messages)
    assert pushing.result["tag"] == "1" and pushing.result["digest"].startswith("sha256:")
    client.remove_image(name)

    pulling = client.pull(name, stream=True)
    raw = list(pulling)
    assert all(isinstance(m, bytes) and m.endswith(b"\n") for m in raw), "one JSON message per item"
    assert any(b"Pull complete" in m for m in raw)
    assert pulling.result["reference"] == name and pulling.result["new"] is True
    assert client.inspect_image(name)["Id"] == pulling.result["id"]


def test_pull_without_stream_returns_the_output_text(client, cleanup):
    name = pushed_image(client, cleanup, "text")
    text = client.pull(name, progress="text")
    assert isinstance(text, str) and f"Status: Downloaded newer image for {name}" in text
    again = client.pull(name)
    assert '"Status: Image is up to date for' in again


def test_aggregate_progress_reads_as_figures(client, cleanup):
    name = pushed_image(client, cleanup, "aggregate")
    last = None
    for message in client.pull(name, stream=True, aggregate=True):
        p = dockerclient.parse_progress(message)
        if p.kind == dockerclient.progress.AGGREGATE:
            assert last is None or p.aggregate_current >= last.aggregate_current
            last = p
    assert last is not None and last.total_final and last.aggregate_current == last.aggregate_total > 0


def test_inspect_distribution_asks_the_registry(client, cleanup):
    name = pushed_image(client, cleanup, "distribution")
    found = client.inspect_distribution(name)
    assert found["Descriptor"]["digest"].startswith("sha256:") and found["Platforms"]
    with pytest.raises(errors.ImageNotFound):
        client.inspect_distribution(f"{REGISTRY}/{unique('never-pushed')}:1")


def test_pull_without_a_tag_pulls_latest_only(client, cleanup):
    repo = f"{REGISTRY}/{unique('latest')}"
    for tag in ("latest", "other"):
        client.tag(BASE_IMAGE, repo, cleanup(f"{repo}:{tag}").rsplit(":", 1)[1])
        client.push(repo, tag=tag)
        client.remove_image(f"{repo}:{tag}")
    stream = client.pull(repo, stream=True)
    for _ in stream:
        pass
    assert stream.result["reference"] == f"{repo}:latest"
    with pytest.raises(errors.ImageNotFound):
        client.inspect_image(f"{repo}:other")


def test_credentials_refused_and_accepted(client, cleanup):
    name = f"{AUTH_REGISTRY}/{unique('auth')}:1"
    client.tag(BASE_IMAGE, cleanup(name))
    good = {"username": REGISTRY_USER, "password": REGISTRY_PASSWORD, "serveraddress": AUTH_REGISTRY}
    wrong = dict(good, password="wrong-" + REGISTRY_PASSWORD)
    with pytest.raises(errors.Unauthorized) as e:
        client.push(name, auth_config=wrong)
    assert REGISTRY_PASSWORD not in str(e.value)
    client.push(name, auth_config=good)
    client.remove_image(name)
    with pytest.raises(errors.Unauthorized):
        client.pull(name, auth_config=wrong)
    assert "Downloaded newer image" in client.pull(name, auth_config=good)


def test_pull_of_a_missing_repository(client):
    stream = client.pull(f"{REGISTRY}/{unique('never-pushed')}", tag="1", stream=True)
    with pytest.raises(errors.ImageNotFound) as e:
        list(stream)
    assert e.value.status == "NOT_FOUND" and e.value.message
