"""Progress messages as figures (dc_progress_parse): what a progress bar needs, without
decoding JSON."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Union

from . import _lib

OTHER, LAYER, AGGREGATE, STATUS, OUTPUT, ERROR, VERTEX, COUNTER, LOG, WARNING, IMAGE, TEXT = range(12)
"""The kinds of progress messages (DC_PROGRESS_* in dockerclient.h)."""


@dataclass(frozen=True)
class Progress:
    """One progress message. ``kind`` is one of the constants above; the aggregate figures
    (``aggregate_current``/``aggregate_total``, ``layers``, ``total_final``) come with
    ``aggregate=True`` pulls and pushes; ``total_final`` tells when a percentage is honest
    (it never goes back from then on)."""

    kind: int
    state: int
    id: str
    text: str
    text_truncated: bool
    current: int
    total: int
    number: int
    aggregate_current: int
    aggregate_total: int
    layers: int
    layers_done: int
    total_final: bool
    extract_current: int
    extract_total: int


def parse_progress(message: Union[bytes, str]) -> Progress:
    """Reads one progress message: a bytes item of a pull, push, load, import or build stream
    (any progress mode). Unknown messages are of kind OTHER."""
    lib = _lib.load()
    data = message.encode() if isinstance(message, str) else bytes(message)
    p = _lib.Progress()
    lib.dc_progress_parse(data, len(data), ctypes.byref(p), None)
    return Progress(
        kind=p.kind, state=p.state, id=p.id.decode("utf-8", "replace"), text=p.text.decode("utf-8", "replace"),
        text_truncated=bool(p.text_truncated), current=p.current, total=p.total, number=p.number,
        aggregate_current=p.aggregate_current, aggregate_total=p.aggregate_total, layers=p.layers,
        layers_done=p.layers_done, total_final=bool(p.total_final), extract_current=p.extract_current,
        extract_total=p.extract_total,
    )
