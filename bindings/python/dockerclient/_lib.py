"""Finding libdockerclient and declaring its C functions for ctypes.

The library is looked up, on first use, in this order:

1. ``DOCKERCLIENT_LIBRARY``: a path to the shared library (when set, nothing else is tried);
2. next to this package (a wheel may bundle ``libdockerclient.so.0``);
3. the system: ``ctypes.util.find_library("dockerclient")``, then the dynamic loader's own
   search for ``libdockerclient.so.0`` (``LD_LIBRARY_PATH``, the ldconfig cache).

Every function is called through ``ctypes.CDLL``, which releases the GIL for the duration of
the call: other Python threads run while a call waits for the daemon.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from .errors import LibraryNotFound

c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
c_int32 = ctypes.c_int32
c_size_t = ctypes.c_size_t
c_ssize_t = ctypes.c_ssize_t  # ptrdiff_t on every platform the library supports
POINTER = ctypes.POINTER
VOID_PP = POINTER(c_void_p)

#: dc_write_cb: int32_t (*)(void *userdata, const uint8_t *buf, size_t len)
WRITE_CB = ctypes.CFUNCTYPE(c_int32, c_void_p, c_void_p, c_size_t)
#: dc_read_cb: ptrdiff_t (*)(void *userdata, uint8_t *buf, size_t cap)
READ_CB = ctypes.CFUNCTYPE(c_ssize_t, c_void_p, c_void_p, c_size_t)


class Progress(ctypes.Structure):
    """dc_progress, as dockerclient.h lays it out."""

    _fields_ = [
        ("kind", c_int32),
        ("state", c_int32),
        ("id", ctypes.c_char * 128),
        ("text", ctypes.c_char * 1024),
        ("text_truncated", c_int32),
        ("current", ctypes.c_int64),
        ("total", ctypes.c_int64),
        ("number", ctypes.c_int64),
        ("aggregate_current", ctypes.c_int64),
        ("aggregate_total", ctypes.c_int64),
        ("layers", ctypes.c_int64),
        ("layers_done", ctypes.c_int64),
        ("total_final", c_int32),
        ("extract_current", ctypes.c_int64),
        ("extract_total", ctypes.c_int64),
    ]


# name: (restype, argtypes). Pointers the library hands out are c_void_p (plain ints in
# Python), so that they can be freed exactly once by the code that took them.
_PROTOTYPES = {
    "dc_version": (c_char_p, []),
    "dc_status_name": (c_char_p, [c_int32]),
    "dc_string_free": (None, [c_void_p]),
    "dc_client_new": (c_int32, [c_char_p, VOID_PP, VOID_PP]),
    "dc_client_free": (None, [c_void_p]),
    "dc_client_api_version": (c_int32, [c_void_p, VOID_PP, VOID_PP]),
    "dc_error_status": (c_int32, [c_void_p]),
    "dc_error_message": (c_char_p, [c_void_p]),
    "dc_error_http_status": (c_int32, [c_void_p]),
    "dc_error_json": (c_char_p, [c_void_p]),
    "dc_error_free": (None, [c_void_p]),
    "dc_cancel_new": (c_int32, [VOID_PP, VOID_PP]),
    "dc_cancel_id": (ctypes.c_uint64, [c_void_p]),
    "dc_cancel_trigger": (None, [c_void_p]),
    "dc_cancel_triggered": (c_int32, [c_void_p]),
    "dc_cancel_free": (None, [c_void_p]),
    "dc_client_with_cancel": (c_int32, [c_void_p, c_void_p, VOID_PP, VOID_PP]),
    "dc_progress_parse": (c_int32, [c_void_p, c_size_t, POINTER(Progress), VOID_PP]),
    "dc_system_ping": (c_int32, [c_void_p, VOID_PP, VOID_PP]),
    "dc_system_version": (c_int32, [c_void_p, VOID_PP, VOID_PP]),
    "dc_system_info": (c_int32, [c_void_p, VOID_PP, VOID_PP]),
    "dc_system_auth": (c_int32, [c_void_p, c_char_p, VOID_PP, VOID_PP]),
    "dc_image_list": (c_int32, [c_void_p, c_char_p, VOID_PP, VOID_PP]),
    "dc_image_inspect": (c_int32, [c_void_p, c_char_p, c_char_p, VOID_PP, VOID_PP]),
    "dc_image_history": (c_int32, [c_void_p, c_char_p, c_char_p, VOID_PP, VOID_PP]),
    "dc_image_tag": (c_int32, [c_void_p, c_char_p, c_char_p, VOID_PP]),
    "dc_image_remove": (c_int32, [c_void_p, c_char_p, c_char_p, VOID_PP, VOID_PP]),
    "dc_image_prune": (c_int32, [c_void_p, c_char_p, VOID_PP, VOID_PP]),
    "dc_image_search": (c_int32, [c_void_p, c_char_p, VOID_PP, VOID_PP]),
    "dc_image_distribution": (c_int32, [c_void_p, c_char_p, c_char_p, VOID_PP, VOID_PP]),
    "dc_image_pull": (c_int32, [c_void_p, c_char_p, WRITE_CB, c_void_p, VOID_PP, VOID_PP]),
    "dc_image_push": (c_int32, [c_void_p, c_char_p, c_char_p, WRITE_CB, c_void_p, VOID_PP, VOID_PP]),
    "dc_image_save": (c_int32, [c_void_p, c_char_p, WRITE_CB, c_void_p, VOID_PP]),
    "dc_image_save_open": (c_int32, [c_void_p, c_char_p, VOID_PP, VOID_PP]),
    "dc_reader_read": (c_int32, [c_void_p, c_void_p, c_size_t, POINTER(c_size_t), VOID_PP]),
    "dc_reader_free": (None, [c_void_p]),
    "dc_image_load": (c_int32, [c_void_p, c_char_p, READ_CB, c_void_p, WRITE_CB, c_void_p, VOID_PP, VOID_PP]),
    "dc_image_import": (c_int32, [c_void_p, c_char_p, READ_CB, c_void_p, WRITE_CB, c_void_p, VOID_PP, VOID_PP]),
    "dc_image_build": (c_int32, [c_void_p, c_char_p, READ_CB, c_void_p, WRITE_CB, c_void_p, VOID_PP, VOID_PP]),
}

_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None


def _bundled_names() -> List[str]:
    if sys.platform == "darwin":
        return ["libdockerclient.0.dylib", "libdockerclient.dylib"]
    return ["libdockerclient.so.0", "libdockerclient.so"]


def _candidates() -> Iterator[Tuple[str, str]]:
    """(where it came from, what to load), in lookup order."""
    here = Path(__file__).resolve().parent
    for name in _bundled_names():
        if (here / name).exists():
            yield "next to the package", str(here / name)
    found = ctypes.util.find_library("dockerclient")
    if found:
        yield "ctypes.util.find_library", found
    yield "the dynamic loader", _bundled_names()[0]


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)  # AttributeError: a library too old for this package
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


def load(path: Optional[str] = None) -> ctypes.CDLL:
    """Loads (once) and returns the library; raises LibraryNotFound saying what was tried."""
    global _lib
    with _lock:
        if _lib is not None:
            return _lib
        env = path or os.environ.get("DOCKERCLIENT_LIBRARY")
        candidates = [("DOCKERCLIENT_LIBRARY", env)] if env else list(_candidates())
        tried = []
        for origin, name in candidates:
            try:
                _lib = _declare(ctypes.CDLL(name))
                return _lib
            except (OSError, AttributeError) as e:
                tried.append(f"{name} ({origin}): {e}")
        raise LibraryNotFound(
            "libdockerclient could not be loaded. Tried:\n  " + "\n  ".join(tried) + "\n"
            "Install it (`make install` in the dockerclient repository, then `ldconfig`), or set "
            "DOCKERCLIENT_LIBRARY to the path of libdockerclient.so."
        )


def take_string(lib: ctypes.CDLL, ptr: c_void_p) -> bytes:
    """Copies a string the library returned and frees it."""
    if not ptr.value:
        return b""
    try:
        return ctypes.string_at(ptr.value)
    finally:
        lib.dc_string_free(ptr)
