"""Ctrl-C, closed streams and exceptions in the caller's loop stop calls at once and leave the
client usable. Timings are printed, not asserted (the machine is shared)."""

from __future__ import annotations

import io
import os
import signal
import threading
import time

import pytest

import dockerclient
from dockerclient import errors

from conftest import BASE_IMAGE, RUN, pushed_image


def interrupt_after(seconds: float) -> threading.Timer:
    """SIGINT to this process after a while, as Ctrl-C would send it."""
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


@pytest.mark.parametrize("builder", ["1", "2"])
def test_ctrl_c_during_a_silent_build_step(client, tmp_path, builder):
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE_IMAGE}\nRUN sleep 30 # {RUN} builder {builder}\n")
    seen = []
    start = time.monotonic()
    timer = interrupt_after(1.0)
    try:
        with pytest.raises(KeyboardInterrupt):
            for message in client.build(path=str(tmp_path), nocache=True, network_mode="none", builder=builder):
                seen.append(message)
    finally:
        timer.cancel()
    print(f"builder {builder}: KeyboardInterrupt surfaced {time.monotonic() - start - 1.0:.3f} s after the signal")
    assert seen, "the build had started"
    assert client.inspect_image(BASE_IMAGE)["Id"]  # the client goes on


def test_ctrl_c_during_a_pull_on_a_silent_daemon(silent_daemon):
    with dockerclient.APIClient(silent_daemon) as c:
        start = time.monotonic()
        timer = interrupt_after(0.5)
        try:
            with pytest.raises(KeyboardInterrupt):
                c.pull("busybox", tag="1")  # stream=False: waits on the worker, interruptibly
        finally:
            timer.cancel()
        print(f"pull on a silent daemon: interrupted {time.monotonic() - start - 0.5:.3f} s after the signal")


def test_ctrl_c_while_a_save_waits_for_the_daemon(silent_daemon):
    # The open of a save waits for the daemon's first byte (for a large image the daemon copies
    # it first): that wait is interruptible, and the client goes on.
    with dockerclient.APIClient(silent_daemon) as c:
        saved = c.get_image("busybox:1")
        timer = interrupt_after(0.5)
        try:
            with pytest.raises(KeyboardInterrupt):
                next(saved)
        finally:
            timer.cancel()
        with pytest.raises(StopIteration):
            next(saved)  # the interrupted save is over
    with pytest.raises(dockerclient.ClientClosed):
        c.images()


def test_closing_a_pull_stream_cancels_it(client, cleanup):
    name = pushed_image(client, cleanup, "cancel")
    stream = client.pull(name, stream=True)
    first = next(stream)
    assert first.startswith(b"{")
    stream.close()
    assert list(stream) == []
    # The next pull gets the image whole.
    again = client.pull(name, stream=True)
    for _ in again:
        pass
    assert again.result["id"] == client.inspect_image(name)["Id"]


class Stop(Exception):
    pass


def test_an_exception_in_the_loop_body_stops_the_pull(client, cleanup):
    name = pushed_image(client, cleanup, "loop")
    with pytest.raises(Stop):
        for _message in client.pull(name, stream=True):
            raise Stop()
    # Dropped by the loop, the stream was closed: the pull was cancelled, the client goes on.
    assert client.pull(name)


def test_client_timeout_is_an_error(silent_daemon):
    with dockerclient.APIClient(silent_daemon, total_timeout=0.3) as c:
        with pytest.raises(errors.Timeout):
            c.images()


def test_closing_the_client_cancels_the_streams_left_open(silent_daemon):
    # A save nobody reads (its connection stays open, the daemon blocked writing into it)
    # and a build whose progress nobody reads: without the cancel, close() would wait forever.
    c = dockerclient.APIClient(os.environ["DC_TEST_UNIX"])
    saved = c.get_image(BASE_IMAGE, chunk_size=1024)
    assert next(saved)
    building = c.build(fileobj=io.BytesIO(f"FROM {BASE_IMAGE}\nRUN sleep 30 # {RUN} close\n".encode()),
                       nocache=True, network_mode="none")
    assert next(building)
    # And a pull waiting on a daemon that never answers.
    silent = dockerclient.APIClient(silent_daemon)
    pulling = silent.pull("busybox", tag="1", stream=True)
    start = time.monotonic()
    c.close()
    silent.close()
    print(f"two clients closed with three streams open in {time.monotonic() - start:.3f} s")
    for stream in (saved, building, pulling):
        with pytest.raises(dockerclient.ClientClosed, match="closed while this"):
            for _ in stream:
                pass
    with pytest.raises(dockerclient.ClientClosed):
        c.inspect_image(BASE_IMAGE)
