"""get_image through a reader: the archive goes from the socket into the bytes objects the
iteration yields, in one copy.

The library's save reader (dc_image_save_open, dc_reader_read) fills a buffer the caller owns,
as fread() does; over a Unix socket or plain TCP it reads the socket straight into it. Here
that buffer is the bytes object the iterator is about to yield (CPython: a fresh, still
unshared bytes object filled in place, as C extensions fill theirs; elsewhere a bytearray
copied once). That is docker-py's one copy, without its HTTP parsing in Python. (Through a
write callback each chunk would be copied by the library, copied again into a bytes object,
and handed between threads; through a pipe the kernel copies it and the reader again.)

Opening the save waits until the daemon's first byte, which for a large image takes a while
(the daemon copies the image first). That wait runs on a worker thread, as every long call
does (see _stream.py): Ctrl-C while the iterator waits for it triggers the call's cancel token
and the client goes on. The reads run on the consumer's thread: Ctrl-C during one takes effect
once it returns, which while the archive flows is at once (a daemon that goes silent in the
middle of an archive is stopped by the client's inactivity limit, or by closing the client).
"""

from __future__ import annotations

import ctypes
import sys
import threading
from typing import Any, Callable, Iterator, Optional, Type

from . import _lib
from ._cancel import CancelToken
from ._errors_c import raise_for_status
from .errors import APIError, ClientClosed

#: The open's C call: given the cancel token's id and where the reader goes, returns the
#: status and leaves the error in the second pointer (raise_for_status reads it).
Opener = Callable[[int, ctypes.c_void_p, ctypes.c_void_p], int]

# Reads of at most 256 KiB: measured on a 512 MiB save, 64 KiB reads cost 10-20 % more CPU
# (four times the calls), and larger ones save nothing more.
_MAX_READ = 256 << 10

if sys.implementation.name == "cpython":
    _new_bytes = ctypes.pythonapi.PyBytes_FromStringAndSize
    _new_bytes.restype = ctypes.py_object
    _new_bytes.argtypes = [ctypes.c_void_p, ctypes.c_ssize_t]
    # Where a bytes object's characters start: its fixed part, less the trailing NUL.
    _BYTES_DATA = bytes.__basicsize__ - 1
else:  # pragma: no cover - PyPy and others copy from a bytearray
    _new_bytes = None


class ReaderSave(Iterator[bytes]):
    """An iterator over a save's archive, read by the library into each chunk it yields."""

    def __init__(self, open_save: Opener, chunk_size: Optional[int], not_found: Type[APIError]) -> None:
        self._lib = _lib.load()
        self._size = min(chunk_size or _MAX_READ, _MAX_READ)
        self._not_found = not_found
        self._token = CancelToken()
        self._reader = ctypes.c_void_p()
        # Held by a read and by freeing the reader: close() from another thread waits for a
        # read in progress (which its cancel ends at once) instead of freeing under it.
        self._lock = threading.Lock()
        self._open_error: Optional[BaseException] = None
        self._finished = False
        self._abandoned = False
        self._spare: Optional[bytearray] = None if _new_bytes is not None else bytearray(self._size)

        def work() -> None:
            err = ctypes.c_void_p()
            try:
                status = open_save(self._token.id, ctypes.byref(self._reader), ctypes.byref(err))
                raise_for_status(self._lib, status, err, not_found)
            except BaseException as e:
                self._open_error = e

        self._opening = threading.Thread(target=work, name="dockerclient-save", daemon=True)
        self._opening.start()

    def __iter__(self) -> "ReaderSave":
        return self

    def __next__(self) -> bytes:
        if self._finished:
            raise StopIteration
        try:
            self._opening.join()  # interruptible: Ctrl-C here cancels the open
            if self._open_error is not None:
                error, self._open_error = self._open_error, None
                self._end()
                if self._abandoned:
                    raise ClientClosed("the client was closed while this save ran")
                raise error
            chunk = self._read()
        except (StopIteration, APIError, ClientClosed):
            raise
        except BaseException:
            self.close()  # KeyboardInterrupt and the like: stop the save
            raise
        return chunk

    def _read(self) -> bytes:
        n = ctypes.c_size_t()
        err = ctypes.c_void_p()
        with self._lock:
            # abandon() frees the reader under this lock: none left means the client closed.
            closed = self._abandoned or not self._reader.value
            if not closed:
                if _new_bytes is not None:
                    chunk = _new_bytes(None, self._size)
                    address = id(chunk) + _BYTES_DATA
                    status = self._lib.dc_reader_read(self._reader, address, self._size, ctypes.byref(n), ctypes.byref(err))
                else:  # pragma: no cover
                    spare = self._spare
                    assert spare is not None
                    buf = (ctypes.c_char * self._size).from_buffer(spare)
                    status = self._lib.dc_reader_read(self._reader, buf, self._size, ctypes.byref(n), ctypes.byref(err))
                    chunk = bytes(memoryview(spare)[: n.value])
        if closed or (status != 0 and self._abandoned):
            if not closed:
                self._lib.dc_error_free(err)
            self._end()
            raise ClientClosed("the client was closed while this save ran")
        if status != 0:
            self._end()
            raise_for_status(self._lib, status, err, self._not_found)
        got = n.value
        if got == 0:
            self._end()
            raise StopIteration
        return chunk if len(chunk) == got else chunk[:got]

    def _free_reader(self) -> None:
        """Frees the reader, once; waits for a read in progress."""
        with self._lock:
            if self._reader.value:
                self._lib.dc_reader_free(self._reader)
                self._reader = ctypes.c_void_p()

    def _end(self) -> None:
        """Frees the reader and the token (the open has returned)."""
        self._finished = True
        self._free_reader()
        self._token.free()

    def close(self) -> None:
        """Stops the save if it is still running and waits for it to end. Safe to repeat."""
        if self._finished:
            return
        self._finished = True
        self._token.trigger()
        self._opening.join()
        self._end()

    def abandon(self) -> None:
        """Cancels the save for its client's close() and waits for it to end. A consumer still
        reading gets ClientClosed. Safe from any thread."""
        if self._finished:
            return
        self._abandoned = True
        self._token.trigger()
        self._opening.join()
        self._free_reader()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> "ReaderSave":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
