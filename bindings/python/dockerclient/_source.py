"""What a caller uploads (a load's archive, an import's tarball, a build context), behind the
library's read callback.

Accepted: bytes-like objects, binary file objects (``readinto`` fills the library's buffer
directly, with no copy; else ``read``), and iterables of bytes (a generator, a list of
chunks). An exception raised while reading is kept and raised again by the calling thread
after the library has stopped the call and closed its connection.
"""

from __future__ import annotations

import ctypes
from typing import Any, Iterator, Optional

from . import _lib


class Source:
    """One upload, read by the library through :attr:`callback`."""

    def __init__(self, data: Any) -> None:
        self.error: Optional[BaseException] = None
        self._iter: Optional[Iterator[Any]] = None
        self._file: Any = None
        # A bytes object being handed out, and how far: the library's buffer is filled with
        # memmove from its address (no intermediate copy).
        self._data = b""
        self._pos = 0
        if isinstance(data, (bytes, bytearray, memoryview)):
            self._data = bytes(data)
            self._iter = iter(())
        elif hasattr(data, "readinto") or hasattr(data, "read"):
            self._file = data
        elif hasattr(data, "__iter__") and not isinstance(data, str):
            self._iter = iter(data)
        else:
            raise TypeError(f"cannot upload {type(data).__name__}: give bytes, a binary file or an iterable of bytes")
        # Kept referenced for as long as the call may run.
        self.callback = _lib.READ_CB(self._on_read)

    def _on_read(self, _userdata: Any, buf: int, cap: int) -> int:
        try:
            return self._fill(buf, cap)
        except BaseException as e:  # nothing may unwind through the library
            self.error = e
            return -1

    def _fill(self, buf: int, cap: int) -> int:
        if self._file is not None:
            if hasattr(self._file, "readinto"):
                target = memoryview((ctypes.c_char * cap).from_address(buf)).cast("B")
                n = self._file.readinto(target)
                if n is None:
                    raise BlockingIOError("the upload's file object is non-blocking and has no data")
                return n
            data = _as_bytes(self._file.read(cap))
            if len(data) > cap:
                raise ValueError(f"read({cap}) returned {len(data)} bytes")
            ctypes.memmove(buf, data, len(data))
            return len(data)
        assert self._iter is not None
        while self._pos >= len(self._data):
            chunk = next(self._iter, None)
            if chunk is None:
                return 0
            self._data, self._pos = _as_bytes(chunk), 0
        n = min(cap, len(self._data) - self._pos)
        start = ctypes.cast(ctypes.c_char_p(self._data), ctypes.c_void_p).value or 0
        ctypes.memmove(buf, start + self._pos, n)
        self._pos += n
        return n


def _as_bytes(data: Any) -> bytes:
    if isinstance(data, str):
        raise TypeError("an upload must be bytes, not str (open the file in binary mode)")
    return data if isinstance(data, bytes) else bytes(data)
