"""get_image, load_image and import_image: streamed archives, uploads from every kind of
source, and an exception in the caller's own reading code."""

from __future__ import annotations

import http.server
import io
import tarfile
import threading

import pytest

from dockerclient import errors

from conftest import BASE_IMAGE, RUN, import_image, open_fds, tar_names, tar_of, unique


def test_get_image_streams_chunks_then_load_image_loads_them(client, cleanup):
    name = f"{unique('archive')}:1"
    image_id = import_image(client, cleanup, name, f"saved {RUN}")
    chunks = list(client.get_image(name, chunk_size=4096))
    # Bytes objects (filled in place by the library), all full but the last.
    assert chunks and all(type(c) is bytes for c in chunks)
    assert all(len(c) == 4096 for c in chunks[:-1]) and 0 < len(chunks[-1]) <= 4096
    archive = b"".join(chunks)
    assert b"".join(client.get_image(name, chunk_size=None)) == archive  # 256 KiB reads
    assert b"".join(client.get_image(name, chunk_size=1)) == archive  # a byte at a time
    assert "manifest.json" in tar_names(archive)

    client.remove_image(name)
    loading = client.load_image(io.BytesIO(archive))
    progress = list(loading)
    assert all(isinstance(p, dict) for p in progress)
    assert any("progressDetail" in p for p in progress), progress  # "Loading layer" bars
    assert loading.result["images"] == [{"name": name, "id": image_id}]

    # Bytes, and an iterable of chunks, upload the same way; quiet asks for no bars.
    client.remove_image(name)
    assert [p for p in client.load_image(archive, quiet=True) if "progressDetail" in p] == []
    client.remove_image(name)
    loading = client.load_image(iter(chunks))
    list(loading)
    assert loading.result["images"][0]["id"] == image_id


def test_get_image_of_several_images(client, cleanup):
    a = f"{unique('multi')}:a"
    b = f"{unique('multi')}:b"
    import_image(client, cleanup, a, "a")
    import_image(client, cleanup, b, "b")
    archive = b"".join(client.get_image([a, b], chunk_size=None))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        manifest = tar.extractfile("manifest.json").read().decode()
    assert a in manifest and b in manifest


def test_truncated_archive_and_missing_image_are_errors(client, cleanup):
    archive = b"".join(client.get_image(BASE_IMAGE))
    with pytest.raises(errors.StreamError):
        list(client.load_image(archive[: len(archive) // 2]))
    with pytest.raises(errors.ImageNotFound):
        list(client.get_image(unique("absent") + ":1"))


def test_import_image_from_path_bytes_and_file(client, cleanup, tmp_path):
    repo = unique("import")
    rootfs = tmp_path / "rootfs.tar"
    rootfs.write_bytes(tar_of(**{"a.txt": f"path {RUN}"}))
    out = client.import_image(str(rootfs), repository=cleanup(f"{repo}:path"))
    assert "sha256:" in out
    client.import_image_from_data(tar_of(**{"a.txt": f"data {RUN}"}), repository=repo, tag=cleanup(f"{repo}:data").split(":")[1])
    with open(rootfs, "rb") as f:
        client.import_image(f, repository=cleanup(f"{repo}:file"), changes=["ENV FROM_FILE=1"])
    assert "FROM_FILE=1" in client.inspect_image(f"{repo}:file")["Config"]["Env"]
    assert client.inspect_image(f"{repo}:path")["Id"] != client.inspect_image(f"{repo}:data")["Id"]
    client.import_image_from_file(str(rootfs), repository=repo, tag=cleanup(f"{repo}:from-file").split(":")[1])
    with open(rootfs, "rb") as f:
        client.import_image_from_stream(f, repository=repo, tag=cleanup(f"{repo}:from-stream").split(":")[1])
    layers = [client.inspect_image(f"{repo}:{t}")["RootFS"]["Layers"] for t in ("path", "from-file", "from-stream")]
    assert layers[0] == layers[1] == layers[2], "the same rootfs, whichever way it was sent"
    with pytest.raises(errors.NotFound):
        client.import_image(str(tmp_path / "absent.tar"), repository=repo)
    with pytest.raises(TypeError):
        client.import_image(image="busybox")


class Broken(Exception):
    pass


def test_an_exception_in_the_callers_reader_stops_the_call_and_is_raised(client, cleanup):
    archive = b"".join(client.get_image(BASE_IMAGE))

    def chunks():
        yield archive[:1000]
        raise Broken("the source failed")

    class Failing(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, b):
            raise Broken("readinto failed")

    before = None
    for round_ in range(20):
        with pytest.raises(Broken, match="the source failed"):
            list(client.load_image(chunks()))
        with pytest.raises(Broken, match="readinto failed"):
            client.import_image(Failing(), repository=unique("never"))
        if round_ == 0:
            before = open_fds()  # after the first round: the client's pool exists
    print(f"open descriptors: {before} after the first round, {open_fds()} after 20")
    assert open_fds() <= before
    assert client.inspect_image(BASE_IMAGE)


def test_closing_get_image_early_cancels_the_save(client):
    saved = client.get_image(BASE_IMAGE, chunk_size=1024)
    assert len(next(saved)) == 1024  # reads are filled: chunk_size bytes but for the last
    saved.close()
    assert b"".join(client.get_image(BASE_IMAGE))  # the client goes on


def test_import_image_from_a_url_the_daemon_downloads(client, cleanup):
    rootfs = tar_of(**{"a.txt": f"url {RUN}"})

    class Serve(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(rootfs)))
            self.end_headers()
            self.wfile.write(rootfs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Serve)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        name = cleanup(f"{unique('import-url')}:1")
        out = client.import_image_from_url(f"http://127.0.0.1:{server.server_port}/rootfs.tar", repository=name)
        assert "sha256:" in out
        assert client.inspect_image(name)["RootFS"]["Layers"]
    finally:
        server.shutdown()
