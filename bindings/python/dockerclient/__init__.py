"""dockerclient: libdockerclient (a Docker Engine API client for images) for Python, through
ctypes, with docker-py's low-level ``APIClient`` method names.

    import dockerclient

    with dockerclient.from_env() as client:
        for image in client.images():
            print(image["Id"][:19], image.get("RepoTags"))
        for message in client.pull("127.0.0.1:5000/app", tag="1", stream=True, decode=True):
            print(message.get("status"))

The library is found through ``DOCKERCLIENT_LIBRARY``, next to this package, or on the system
(see ``dockerclient._lib``). Errors are ``dockerclient.errors`` exceptions named like
docker-py's. Long calls (pull, push, build, load, import, save) run on a worker thread, so
Ctrl-C stops them at once and leaves the client usable.
"""

from . import errors
from ._base import ClientClosed
from ._stream import CallStream
from .client import APIClient, TLSConfig, from_env
from .images_archive import DEFAULT_DATA_CHUNK_SIZE
from .progress import Progress, parse_progress

__all__ = [
    "APIClient",
    "CallStream",
    "ClientClosed",
    "DEFAULT_DATA_CHUNK_SIZE",
    "Progress",
    "TLSConfig",
    "errors",
    "from_env",
    "library_version",
    "parse_progress",
]

__version__ = "0.1.0"


def library_version() -> str:
    """The version of the libdockerclient in use, e.g. "0.1.0" (loading it if needed)."""
    from . import _lib

    return _lib.load().dc_version().decode()
