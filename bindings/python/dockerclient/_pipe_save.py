"""get_image through a pipe: the fewest copies and the least CPU for a save.

The library saves to an "output_path" that is a FIFO in place, and over a Unix socket or plain
TCP it moves the archive from the socket into it with splice(2): the layers never enter the
process on the library's side. Here the FIFO is a named pipe in a private temporary directory,
and the iterator reads its other end: each chunk is one read(2) into a new bytes object, the
one copy a caller that wants bytes needs. (Through a write callback each chunk would be copied
by the library, copied again into a bytes object, and handed between threads.)

(An anonymous pipe named /dev/fd/N would spare the directory, but the library resolves that
symbolic link to "pipe:[N]" and tries to create a file next to it.)

The save runs on a worker thread, as every long call does (see _stream.py): Ctrl-C while the
iterator waits in read(2) triggers the call's cancel token, and the client goes on. The pipe
bounds memory (1 MiB). Closing the iterator early triggers the token and drops what the pipe
still receives until the save has returned.
"""

from __future__ import annotations

import os
import select
import shutil
import sys
import tempfile
import threading
from typing import Any, Callable, Iterator, Optional

from ._cancel import CancelToken
from .errors import ClientClosed

#: The save's C call: given the cancel token's id and the output path, it returns when the
#: archive has been written, or raises the call's APIError.
Saver = Callable[[int, str], None]

_PIPE_BYTES = 1 << 20
# Reads of at most 64 KiB. A bytes object above malloc's mmap threshold (128 KiB) is fresh
# memory every time, to map and fault in: reading 256 MiB 256 KiB at a time costs four times
# the CPU of reading it 64 KiB at a time (measured: 0.14 s against 0.035 s).
_READ_BYTES = 64 << 10
_F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ (Linux), named in fcntl only from Python 3.10


class PipeSave(Iterator[bytes]):
    """An iterator over a save's archive, read from a pipe the library writes."""

    def __init__(self, save: Saver, chunk_size: Optional[int]) -> None:
        self._read_size = min(chunk_size or _READ_BYTES, _READ_BYTES)
        self._error: Optional[BaseException] = None
        self._finished = False
        self._abandoned = False
        self._token = CancelToken()
        self._dir = tempfile.mkdtemp(prefix="dockerclient-save-")  # mode 0700: ours alone
        self._fifo = os.path.join(self._dir, "archive")
        os.mkfifo(self._fifo, 0o600)
        # The read end first (non-blocking, so the open does not wait for a writer), then a
        # write end of our own: it holds the pipe open until the save returns, so that a read
        # before the library opened its end waits instead of seeing EOF.
        self._r = os.open(self._fifo, os.O_RDONLY | os.O_NONBLOCK)
        w = os.open(self._fifo, os.O_WRONLY)
        os.set_blocking(self._r, True)
        if sys.platform.startswith("linux"):
            try:
                import fcntl

                fcntl.fcntl(w, _F_SETPIPE_SZ, _PIPE_BYTES)
            except OSError:
                pass  # the default size works, with more reads

        def work() -> None:
            try:
                save(self._token.id, self._fifo)
            except BaseException as e:
                self._error = e
            finally:
                os.close(w)  # with the library's own descriptor closed too, the reader sees EOF

        self._thread = threading.Thread(target=work, name="dockerclient-save", daemon=True)
        self._thread.start()

    def __iter__(self) -> "PipeSave":
        return self

    def __next__(self) -> bytes:
        if self._finished:
            raise StopIteration
        try:
            data = os.read(self._r, self._read_size)
        except BaseException:
            self.close()  # KeyboardInterrupt while waiting for the daemon: stop the save
            raise
        if data:
            return data
        # EOF: the save returned. A failure mid-archive is raised, never a short archive.
        self._finished = True
        self._thread.join()
        self._release()
        if self._abandoned:
            raise ClientClosed("the client was closed while this save ran")
        if self._error is not None:
            raise self._error
        raise StopIteration

    def close(self) -> None:
        """Stops the save if it is still running and waits for it to end. Safe to repeat."""
        if self._finished:
            return
        self._finished = True
        self._token.trigger()
        # Keep reading (and dropping) until the save has returned: a library blocked writing
        # into a full pipe, or not yet past opening it, then goes on to see the cancellation.
        os.set_blocking(self._r, False)
        while self._thread.is_alive():
            select.select([self._r], [], [], 0.05)
            try:
                while os.read(self._r, _READ_BYTES):
                    pass
            except BlockingIOError:
                pass
        self._thread.join()
        self._release()

    def abandon(self) -> None:
        """Cancels the save for its client's close() and waits for it to end. A consumer still
        reading gets the rest of what the pipe holds, then ClientClosed. Safe from any thread."""
        if self._finished:
            return
        self._abandoned = True
        self._token.trigger()
        # Drained through a descriptor of our own: the consumer may be reading (or closing)
        # self._r on another thread. A library blocked on the full pipe then sees the cancel.
        try:
            fd = os.open(self._fifo, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            fd = -1  # the directory is gone: the consumer reached the end
        try:
            while self._thread.is_alive():
                if fd < 0:
                    self._thread.join(timeout=0.05)
                    continue
                select.select([fd], [], [], 0.05)
                try:
                    while os.read(fd, _READ_BYTES):
                        pass
                except BlockingIOError:
                    pass
        finally:
            if fd >= 0:
                os.close(fd)
        self._thread.join()

    def _release(self) -> None:
        if self._r >= 0:
            os.close(self._r)
            self._r = -1
        self._token.free()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> "PipeSave":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
