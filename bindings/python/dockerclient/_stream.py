"""Long calls (pull, push, build, load, import, save) run on a worker thread.

Why a thread: a ctypes call cannot be interrupted, and Python runs signal handlers only
between bytecodes of the main thread; a pull blocked in C on a silent daemon would ignore
Ctrl-C. So the C call runs on a worker, and the calling thread waits on a bounded queue, where
KeyboardInterrupt does arrive. Then the call's dc_cancel token is triggered (the library
returns CANCELLED within moments, its connection closed), the worker is joined, and the
KeyboardInterrupt goes on: the client stays usable.

What the library delivers (progress messages) goes through the queue as it arrives: a
consumer that stops reading stops the worker (the queue is bounded, so memory is too), and one
that closes the stream, or drops it, cancels the call. (A save is read by the library into the
chunks it yields instead: see _reader_save.py.)
"""

from __future__ import annotations

import ctypes
import json
import queue
import threading
from typing import Any, Callable, Dict, Iterator, Optional

from . import _lib
from ._cancel import CancelToken
from ._source import Source
from .errors import ClientClosed

#: The C call of a stream: given the cancel token's id, the write callback and the read
#: callback (None when the call uploads nothing), it returns the library's result JSON (b""
#: for none) or raises the call's APIError.
Runner = Callable[[int, Any, Any], bytes]

_END = object()


class CallStream(Iterator[Any]):
    """An iterator over what one call delivers, in order: bytes (one progress message each),
    or dicts with ``decode=True``. Once exhausted, :attr:`result` holds
    the library's result (e.g. a pull's ``{"reference", "digest", "id", "new"}``).

    Errors of the call are raised by the iteration that reaches them. Closing the stream
    before its end (``close()``, ``break`` out of a ``for`` loop and dropping it, an exception
    in the loop) cancels the call.
    """

    def __init__(self, run: Runner, *, upload: Optional[Source] = None, decode: bool = False, maxsize: int = 256) -> None:
        self.result: Optional[Dict[str, Any]] = None
        self._run = run
        self._upload = upload
        self._decode = decode
        self._queue: "queue.Queue[Any]" = queue.Queue(maxsize=maxsize)
        self._stopped = threading.Event()
        self._finished = False
        self._abandoned = False
        self._raw_result = b""
        self._error: Optional[BaseException] = None
        self._callback_error: Optional[BaseException] = None
        self._token = CancelToken()
        # Kept referenced for as long as the call may run.
        self._write_cb = _lib.WRITE_CB(self._on_write)
        self._thread = threading.Thread(target=self._work, name="dockerclient-call", daemon=True)
        self._thread.start()

    # ---- the worker thread ------------------------------------------------------------------

    def _work(self) -> None:
        try:
            read_cb = self._upload.callback if self._upload is not None else None
            self._raw_result = self._run(self._token.id, self._write_cb, read_cb)
        except BaseException as e:
            self._error = e
        finally:
            self._offer(_END)

    def _on_write(self, _userdata: Any, buf: int, length: int) -> int:
        try:
            return 0 if self._offer(ctypes.string_at(buf, length)) else 1
        except BaseException as e:  # nothing may unwind through the library
            self._callback_error = e
            return 1

    def _offer(self, item: Any) -> bool:
        """Queues item, waiting while the consumer is behind; False once the stream was closed."""
        while not self._stopped.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    # ---- the consumer -----------------------------------------------------------------------

    def __iter__(self) -> "CallStream":
        return self

    def __next__(self) -> Any:
        if self._finished:
            raise StopIteration
        try:
            item = self._queue.get()
        except BaseException:
            # KeyboardInterrupt (or any exception delivered while waiting): stop the call.
            self.close()
            raise
        if item is _END:
            self._finish()
            raise StopIteration
        return json.loads(item) if self._decode else item

    def _finish(self) -> None:
        self._finished = True
        self._thread.join()
        self._token.free()
        if self._abandoned:
            raise ClientClosed("the client was closed while this stream ran")
        # The caller's own exception first: the call failed because of it.
        for error in (self._upload.error if self._upload else None, self._callback_error, self._error):
            if error is not None:
                raise error
        if self._raw_result:
            self.result = json.loads(self._raw_result)

    def close(self) -> None:
        """Stops the call if it is still running and waits for it to end. Safe to repeat."""
        if self._finished:
            return
        self._finished = True
        self._stopped.set()
        self._token.trigger()
        while self._thread.is_alive():
            self._drain()
            self._thread.join(timeout=0.05)
        self._drain()
        self._token.free()

    def abandon(self) -> None:
        """Cancels the call for its client's close() and waits for it to end. A consumer still
        reading gets what was queued, then ClientClosed. Safe from any thread."""
        if self._finished:
            return
        self._abandoned = True
        self._stopped.set()  # the write callback stops waiting for room in the queue
        self._token.trigger()
        self._thread.join()
        # The worker could not queue its end marker (stopped): a consumer blocked in get()
        # needs one, and after the drain there is room for it.
        self._drain()
        self._queue.put_nowait(_END)

    def _drain(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass

    def __enter__(self) -> "CallStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def drain_text(self) -> str:
        """Consumes the whole stream and returns what it delivered, concatenated as text."""
        return "".join(item.decode("utf-8", "replace") if isinstance(item, bytes) else json.dumps(item) for item in self)


def run_to_end(stream: CallStream) -> Any:
    """Consumes a stream for its result alone (progress dropped)."""
    for _ in stream:
        pass
    return stream.result
