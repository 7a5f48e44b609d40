"""Turning a failed call's dc_error into the exception errors.py names."""

from __future__ import annotations

import ctypes
from typing import Type

from .errors import APIError, NotFound, StreamError, from_error_json


def raise_for_status(
    lib: ctypes.CDLL,
    status: int,
    err: ctypes.c_void_p,
    not_found: Type[APIError] = NotFound,
    stream_error: Type[APIError] = StreamError,
) -> None:
    """Returns for status 0; otherwise raises the error's exception (and frees the error)."""
    if status == 0:
        return
    try:
        doc = lib.dc_error_json(err)
        text = doc.decode("utf-8", "replace") if doc else "{}"
    finally:
        lib.dc_error_free(err)
    if text == "{}":
        name = lib.dc_status_name(status).decode()
        text = '{"status": "%s", "code": %d, "message": "the library returned no error details"}' % (name, status)
    raise from_error_json(text, not_found, stream_error)
