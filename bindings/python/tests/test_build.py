"""build from a directory, a Dockerfile object, a tar stream, with both builders; failures."""

from __future__ import annotations

import io

import pytest

from dockerclient import errors

from conftest import BASE_IMAGE, RUN, tar_of, unique


def test_build_from_a_directory_with_decoded_output(client, cleanup, tmp_path):
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE_IMAGE}\nARG GREETING\nCOPY hello.txt /\nRUN cat /hello.txt && echo $GREETING\n")
    (tmp_path / "hello.txt").write_text("hello from the context")
    (tmp_path / ".dockerignore").write_text("ignored.txt\n")
    (tmp_path / "ignored.txt").write_text("never sent")
    name = cleanup(f"{unique('build-dir')}:1")
    stream = client.build(path=str(tmp_path), tag=name, decode=True, network_mode="none", builder="1",
                          buildargs={"GREETING": f"hi {RUN}"}, labels={"dc.py": "yes"})
    output = "".join(m.get("stream", "") for m in stream)
    assert "hello from the context" in output and f"hi {RUN}" in output and f"Successfully tagged {name}" in output
    image = client.inspect_image(name)
    assert image["Id"] == stream.result["id"] and image["Config"]["Labels"]["dc.py"] == "yes"
    assert name in stream.result["tags"]


def test_build_from_a_dockerfile_object_and_a_tar_with_buildkit(client, cleanup):
    name = cleanup(f"{unique('build-fileobj')}:1")
    stream = client.build(fileobj=io.BytesIO(f"FROM {BASE_IMAGE}\nLABEL run={RUN}\n".encode()), tag=name, builder="1")
    assert any(b"Successfully built" in m for m in stream)
    assert client.inspect_image(name)["Config"]["Labels"]["run"] == RUN

    name = cleanup(f"{unique('build-tar')}:1")
    context = tar_of(Dockerfile=f"FROM {BASE_IMAGE}\nCOPY --chmod=600 data.txt /\nRUN test $(stat -c %a /data.txt) = 600 && echo {RUN}\n",
                     **{"data.txt": "BuildKit only: COPY --chmod"})
    stream = client.build(fileobj=io.BytesIO(context), custom_context=True, tag=name, builder="2",
                          network_mode="none", nocache=True, progress="text")
    text = b"".join(stream).decode()
    assert "DONE" in text and stream.result["id"] == client.inspect_image(name)["Id"]


def test_build_failures(client, tmp_path):
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE_IMAGE}\nRUN echo failing-{RUN} && false\n")
    seen = []
    with pytest.raises(errors.BuildError) as e:
        for message in client.build(path=str(tmp_path), network_mode="none", builder="1", nocache=True, decode=True):
            seen.append(message)
    assert "non-zero code: 1" in str(e.value) and isinstance(e.value, errors.StreamError)
    assert any(f"failing-{RUN}" in m.get("stream", "") for m in seen), "output arrives before the error"
    with pytest.raises(TypeError):
        client.build()
    with pytest.raises(TypeError):
        client.build(path=str(tmp_path / "absent"))
    with pytest.raises(errors.InvalidVersion):
        list(client.build(path=str(tmp_path), builder="2", container_limits={"memory": 64 << 20}))
