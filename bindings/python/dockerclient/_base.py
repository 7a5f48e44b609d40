"""The client handle and the two shapes of call: one JSON answer (made on the calling
thread), and a stream (made on a worker thread, see _stream.py)."""

from __future__ import annotations

import ctypes
import json
import threading
import weakref
from typing import Any, Dict, List, Optional, Type

from . import _lib
from ._errors_c import raise_for_status
from ._source import Source
from ._stream import CallStream
from .errors import APIError, ClientClosed, NotFound, StreamError


def encode_options(options: Optional[Dict[str, Any]]) -> Optional[bytes]:
    """The options object as the library takes it; keys whose value is None are left out (the
    library's defaults apply). None for no options at all."""
    if not options:
        return None
    kept = {k: v for k, v in options.items() if v is not None}
    return json.dumps(kept).encode() if kept else None


class ClientBase:
    """A dc_client handle, shared by every thread that uses the client."""

    def __init__(self, client_options: Optional[Dict[str, Any]]) -> None:
        self._lib = _lib.load()
        self._ptr = ctypes.c_void_p()
        self._cond = threading.Condition()
        self._active = 0
        self._closed = False
        # The streams started on this client and not yet collected: close() cancels those still
        # running, whose consumer may be gone (kept alive by a traceback, say) and would
        # otherwise hold the close forever.
        self._streams: "weakref.WeakSet[Any]" = weakref.WeakSet()
        err = ctypes.c_void_p()
        status = self._lib.dc_client_new(encode_options(client_options), ctypes.byref(self._ptr), ctypes.byref(err))
        raise_for_status(self._lib, status, err)

    # ---- lifetime -----------------------------------------------------------------------------

    def _acquire(self) -> ctypes.c_void_p:
        with self._cond:
            if self._closed:
                raise ClientClosed("the client is closed")
            self._active += 1
            return self._ptr

    def _release(self) -> None:
        with self._cond:
            self._active -= 1
            if self._active == 0:
                self._cond.notify_all()

    def close(self) -> None:
        """Cancels the streams still open on the client (reading on raises ClientClosed),
        waits for the calls running on it to end, then frees the client. Safe to repeat."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            streams = list(self._streams)
        for stream in streams:
            stream.abandon()
        with self._cond:
            while self._active:
                self._cond.wait()
            self._lib.dc_client_free(self._ptr)
            self._ptr = ctypes.c_void_p()

    def __enter__(self) -> "ClientBase":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # A safety net only: close() is the way. A stream holds the client, so this never
        # runs while one of its calls is in progress.
        try:
            if not self._closed and self._ptr.value:
                self._closed = True
                self._lib.dc_client_free(self._ptr)
        except Exception:
            pass

    # ---- calls --------------------------------------------------------------------------------

    def _invoke(self, function: str, *args: Any, has_out: bool = True, not_found: Type[APIError] = NotFound) -> bytes:
        """Calls function(client, *args, [&out,] &err) on this thread; returns the result."""
        out = ctypes.c_void_p()
        err = ctypes.c_void_p()
        ptr = self._acquire()
        try:
            tail = (ctypes.byref(out), ctypes.byref(err)) if has_out else (ctypes.byref(err),)
            status = getattr(self._lib, function)(ptr, *args, *tail)
        finally:
            self._release()
        raise_for_status(self._lib, status, err, not_found)
        return _lib.take_string(self._lib, out) if has_out else b""

    def _json(self, function: str, *args: Any, not_found: Type[APIError] = NotFound) -> Any:
        return json.loads(self._invoke(function, *args, not_found=not_found))

    def _stream(
        self,
        function: str,
        options: Dict[str, Any],
        *,
        name: Optional[bytes] = None,
        upload: Any = None,
        decode: bool = False,
        has_out: bool = True,
        not_found: Type[APIError] = NotFound,
        stream_error: Type[APIError] = StreamError,
    ) -> CallStream:
        """Starts a streaming call on a worker thread. The C function's arguments are: the
        client, [name,] options, [read_cb, read_userdata,] write_cb, write_userdata, [&out,]
        &err, as dockerclient.h declares each."""
        lib = self._lib
        source = Source(upload) if upload is not None else None
        uploads = function in ("dc_image_load", "dc_image_import", "dc_image_build")

        def run(cancel_id: int, write_cb: Any, read_cb: Any) -> bytes:
            opts = encode_options(dict(options, cancel=cancel_id))
            out = ctypes.c_void_p()
            err = ctypes.c_void_p()
            args: List[Any] = [] if name is None else [name]
            args.append(opts)
            if uploads:
                # No upload: a NULL callback (the input is a path, a URL or a directory).
                args += [read_cb if read_cb is not None else _lib.READ_CB(), None]
            args += [write_cb, None]
            args += [ctypes.byref(out), ctypes.byref(err)] if has_out else [ctypes.byref(err)]
            ptr = self._acquire()
            try:
                status = getattr(lib, function)(ptr, *args)
            finally:
                self._release()
            raise_for_status(lib, status, err, not_found, stream_error)
            return _lib.take_string(lib, out) if has_out else b""

        return self._track(CallStream(run, upload=source, decode=decode))

    def _track(self, stream: Any) -> Any:
        """Registers a stream for close() to cancel; returns it."""
        with self._cond:
            if self._closed:
                stream.close()
                raise ClientClosed("the client is closed")
            self._streams.add(stream)
        return stream
