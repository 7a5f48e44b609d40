"""pull and push: progress as it arrives, from a worker thread (see _stream.py)."""

from __future__ import annotations

from typing import Any, Dict, Optional, Union

from ._base import ClientBase
from ._stream import CallStream
from .errors import ImageNotFound


class TransferMixin(ClientBase):
    def pull(self, repository: str, tag: Optional[str] = None, stream: bool = False,
             auth_config: Optional[Dict[str, str]] = None, decode: bool = False,
             platform: Optional[str] = None, all_tags: bool = False, *,
             progress: str = "json", aggregate: bool = False) -> Union[str, CallStream]:
        """Pulls an image (``docker pull``).

        Args:
            repository: ``name``, ``name:tag`` or ``name@sha256:…``, with or without a registry
                host.
            tag: a tag or digest for a repository given without one. None means ``latest``,
                never every tag (``all_tags=True`` asks for every tag).
            stream: return a :class:`CallStream` yielding each progress message as it arrives
                (bytes, or dicts with ``decode=True``); its ``result`` then holds
                ``{"reference", "digest", "id", "new"}``. Without it, the whole progress is
                returned as text once the pull is done.
            auth_config: ``{"username", "password", …}`` for the registry; None: those of the
                docker config, as the docker CLI finds them.
            platform: ``os[/arch[/variant]]``.
            progress: ``"json"`` (the daemon's messages) or ``"text"`` (what ``docker pull``
                prints into a pipe). This package's addition.
            aggregate: add overall-progress messages (``{"aggregate": {…}}``, which
                :func:`dockerclient.parse_progress` reads). This package's addition.

        Raises:
            errors.ImageNotFound, errors.Unauthorized, errors.APIError… while iterating, or
            here without ``stream``. Ctrl-C stops the pull at once (the client stays usable).
        """
        options = {
            "image": repository,
            "tag": None if all_tags else tag,
            "all_tags": all_tags or None,
            "platform": platform,
            "auth": auth_config,
            "progress": progress,
            "aggregate": aggregate or None,
            "inactivity_timeout_ms": 0,  # as docker-py, a pull waits as long as it needs
        }
        s = self._stream("dc_image_pull", options, decode=decode, not_found=ImageNotFound)
        return s if stream else s.drain_text()

    def push(self, repository: str, tag: Optional[str] = None, stream: bool = False,
             auth_config: Optional[Dict[str, str]] = None, decode: bool = False, *,
             progress: str = "json", aggregate: bool = False) -> Union[str, CallStream]:
        """Pushes a local image to its registry (``docker push``): ``repository`` with its
        registry host, ``tag`` for one given without (default ``latest``; never every tag).
        Streams and returns as :meth:`pull` does; ``result`` then holds
        ``{"tag", "digest", "size", "pushed"}``."""
        options = {
            "tag": tag,
            "auth": auth_config,
            "progress": progress,
            "aggregate": aggregate or None,
            "inactivity_timeout_ms": 0,
        }
        s = self._stream("dc_image_push", options, name=repository.encode(), decode=decode, not_found=ImageNotFound)
        return s if stream else s.drain_text()
