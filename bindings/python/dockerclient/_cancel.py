"""dc_cancel tokens: triggered from any thread, they stop the library calls made with them
(which return CANCELLED within moments, even while the daemon is silent)."""

from __future__ import annotations

import ctypes
import threading

from . import _lib
from ._errors_c import raise_for_status


class CancelToken:
    """One dc_cancel. Name it in a call's options as ``"cancel": token.id``."""

    def __init__(self) -> None:
        self._lib = _lib.load()
        self._ptr = ctypes.c_void_p()
        self._lock = threading.Lock()
        err = ctypes.c_void_p()
        raise_for_status(self._lib, self._lib.dc_cancel_new(ctypes.byref(self._ptr), ctypes.byref(err)), err)

    @property
    def id(self) -> int:
        """The number for the ``"cancel"`` option."""
        return int(self._lib.dc_cancel_id(self._ptr))

    def trigger(self) -> None:
        """Stops every call made with the token; safe from any thread, any number of times."""
        with self._lock:
            if self._ptr.value:
                self._lib.dc_cancel_trigger(self._ptr)

    @property
    def triggered(self) -> bool:
        with self._lock:
            return bool(self._ptr.value) and self._lib.dc_cancel_triggered(self._ptr) != 0

    def free(self) -> None:
        """Frees the token (once the calls made with it have returned)."""
        with self._lock:
            if self._ptr.value:
                self._lib.dc_cancel_free(self._ptr)
                self._ptr = ctypes.c_void_p()

    def __del__(self) -> None:
        try:
            self.free()
        except Exception:
            pass
