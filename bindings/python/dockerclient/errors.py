"""Exceptions, named like docker-py's (``docker.errors``) where docker-py has a name.

Every failure of a call is an :class:`APIError` (so ``except errors.APIError`` catches them
all), of the subclass its status names, and carries what the library's ``dc_error`` tells:

- ``status``: the status name (``"NOT_FOUND"``, ``"TIMEOUT"``, …), ``code`` its number;
- ``status_code``: the HTTP status of the daemon's answer, ``None`` when it did not answer
  (an option refused before sending, a connection failure, a stopped call);
- ``explanation``: the daemon's own message when it sent one, else the library's;
- ``message`` (also ``str(e)`` after the status name), ``daemon_message``, ``api_version``.

No credential ever appears in any of them.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Type


class DockerException(Exception):
    """Base of every exception this package raises."""


class LibraryNotFound(DockerException):
    """libdockerclient could not be loaded (the message says what was tried)."""


class ClientClosed(DockerException):
    """A call was made on a client after close(), or a stream still open when its client was
    closed was read on (close() cancels such streams)."""


class APIError(DockerException):
    """A call failed. Subclasses name the class of failure."""

    def __init__(
        self,
        message: str,
        status: str = "UNKNOWN",
        code: int = -1,
        status_code: Optional[int] = None,
        daemon_message: Optional[str] = None,
        api_version: Optional[str] = None,
    ) -> None:
        super().__init__(f"{status}: {message}")
        self.message = message
        self.status = status
        self.code = code
        self.status_code = status_code
        self.daemon_message = daemon_message
        self.api_version = api_version
        #: docker-py keeps the requests Response here; this package has none.
        self.response = None

    @property
    def explanation(self) -> str:
        """The daemon's message when it sent one, else the library's."""
        return self.daemon_message or self.message

    def is_error(self) -> bool:
        return True

    def is_client_error(self) -> bool:
        """True for an HTTP 4xx answer."""
        return self.status_code is not None and 400 <= self.status_code < 500

    def is_server_error(self) -> bool:
        """True for an HTTP 5xx answer."""
        return self.status_code is not None and 500 <= self.status_code < 600


class InvalidArgument(APIError):
    """Bad option, name or endpoint, refused before anything was sent (docker-py's name)."""


class NotFound(APIError):
    """No such image, repository, tag, manifest or file."""


class ImageNotFound(NotFound):
    """No such image (or repository, tag or manifest, for a pull)."""


class Conflict(APIError):
    """The daemon refused because of a conflict (e.g. removing an image a container uses)."""


class Unauthorized(APIError):
    """Registry credentials missing or refused."""


class Forbidden(APIError):
    """The daemon refused for lack of permission (HTTP 403)."""


class ServerError(APIError):
    """The daemon failed (HTTP 5xx) or answered something unreadable."""


class TransportError(APIError):
    """Connecting, TLS, sending or receiving failed; a stream cut short."""


class Timeout(APIError):
    """The client's whole-call or inactivity timeout expired."""


class Cancelled(APIError):
    """The call was stopped (its stream was closed, or it was cancelled)."""


class InvalidVersion(APIError):
    """The daemon's API version lacks a requested option (docker-py's name; the message names
    the option and the version it needs)."""


#: The library's name for InvalidVersion.
Unsupported = InvalidVersion


class StreamError(APIError):
    """An error reported inside a progress stream (pull, push, load, import, build)."""


class BuildError(StreamError):
    """A build failed (a step returned non-zero, an unknown instruction, …)."""


class InternalError(APIError):
    """A bug in libdockerclient."""


_BY_STATUS: Dict[str, Type[APIError]] = {
    "INVALID_ARGUMENT": InvalidArgument,
    "NOT_FOUND": NotFound,
    "CONFLICT": Conflict,
    "UNAUTHORIZED": Unauthorized,
    "FORBIDDEN": Forbidden,
    "SERVER_ERROR": ServerError,
    "TRANSPORT": TransportError,
    "TIMEOUT": Timeout,
    "CANCELLED": Cancelled,
    "UNSUPPORTED": InvalidVersion,
    "STREAM_ERROR": StreamError,
    "INTERNAL": InternalError,
}


def from_error_json(
    doc: str,
    not_found: Type[APIError] = NotFound,
    stream_error: Type[APIError] = StreamError,
) -> APIError:
    """The exception for dc_error_json's document. ``not_found`` and ``stream_error`` are the
    classes the calling method raises for those statuses (ImageNotFound, BuildError)."""
    try:
        fields: Dict[str, Any] = json.loads(doc)
    except ValueError:
        fields = {"message": doc}
    status = str(fields.get("status", "UNKNOWN"))
    cls = _BY_STATUS.get(status, APIError)
    if cls is NotFound:
        cls = not_found
    elif cls is StreamError:
        cls = stream_error
    return cls(
        str(fields.get("message", "")),
        status=status,
        code=int(fields.get("code", -1)),
        status_code=fields.get("http_status") or None,
        daemon_message=fields.get("daemon_message"),
        api_version=fields.get("api_version"),
    )
