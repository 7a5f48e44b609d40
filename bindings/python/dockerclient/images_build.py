"""build: from a directory (the library tars it while sending, exactly as the docker CLI
does, .dockerignore included), a tar stream, a Dockerfile alone, or a remote URL."""

from __future__ import annotations

import io
import os
import tarfile
from typing import Any, Dict, List, Mapping, Optional, Union

from ._base import ClientBase
from ._stream import CallStream
from .errors import BuildError

_REMOTE_PREFIXES = ("http://", "https://", "git://", "github.com/", "git@")


class BuildMixin(ClientBase):
    def build(self, path: Optional[str] = None, tag: Optional[str] = None, quiet: bool = False,
              fileobj: Any = None, nocache: bool = False, rm: bool = True, timeout: Optional[float] = None,
              custom_context: bool = False, encoding: Optional[str] = None, pull: bool = False,
              forcerm: bool = False, dockerfile: Optional[str] = None,
              container_limits: Optional[Mapping[str, Any]] = None, decode: bool = False,
              buildargs: Optional[Mapping[str, Optional[str]]] = None, gzip: bool = False,
              shmsize: Optional[int] = None, labels: Optional[Mapping[str, str]] = None,
              cache_from: Optional[List[str]] = None, target: Optional[str] = None,
              network_mode: Optional[str] = None, squash: Optional[bool] = None,
              extra_hosts: Union[Mapping[str, str], List[str], None] = None, platform: Optional[str] = None,
              isolation: Optional[str] = None, use_config_proxy: bool = True, *,
              builder: Optional[str] = None, progress: str = "json") -> CallStream:
        """Builds an image (``docker build``). Returns a :class:`CallStream` of the build's
        output as it arrives (bytes, or dicts with ``decode=True``); its ``result`` then holds
        ``{"id", "tags", "warnings"}``. A failed step raises errors.BuildError (while
        iterating) with the daemon's message; Ctrl-C stops the build, on the daemon too.

        Args:
            path: a directory (sent by the library, ``.dockerignore`` applied), or a URL the
                daemon fetches (git repository, tarball, Dockerfile).
            fileobj: a Dockerfile (a file object), or with ``custom_context=True`` a tar archive
                of the whole context (plain or gzip/bzip2/xz compressed; ``encoding`` is then
                not needed).
            tag: the name to give the image.
            rm: remove intermediate containers. Default True (docker-py's is False; the daemon's
                and the CLI's are True, and BuildKit refuses False).
            timeout: seconds of silence allowed between two messages (None: none).
            container_limits: ``memory``, ``memswap``, ``cpushares``, ``cpusetcpus``.
            builder: ``"1"`` classic builder, ``"2"`` BuildKit, None / ``"auto"`` as the docker
                CLI chooses. This package's addition.
            progress: ``"json"``, ``"text"`` (what the CLI prints) or ``"raw"``. This package's
                addition.

        ``gzip`` and ``use_config_proxy`` are accepted and ignored: the context streams to the
        daemon as the CLI sends it, and no proxy variables are added to the build arguments.
        """
        options: Dict[str, Any] = {}
        upload: Any = None
        if fileobj is not None and custom_context:
            upload = fileobj
        elif fileobj is not None:
            upload = _dockerfile_context(fileobj)
        elif path is None:
            raise TypeError("Either path or fileobj needs to be provided.")
        elif path.startswith(_REMOTE_PREFIXES):
            options["remote"] = path
        elif not os.path.isdir(path):
            raise TypeError("You must specify a directory to build in path")
        else:
            options["context_dir"] = os.path.abspath(path)
        limits = dict(container_limits or {})
        options.update({
            "tags": [tag] if tag else None,
            "quiet": quiet or None,
            "no_cache": nocache or None,
            "rm": rm,
            "force_rm": forcerm or None,
            "pull": pull or None,
            "dockerfile": dockerfile,
            "memory": limits.pop("memory", None),
            "memswap": limits.pop("memswap", None),
            "cpu_shares": limits.pop("cpushares", None),
            "cpuset_cpus": limits.pop("cpusetcpus", None),
            "build_args": dict(buildargs) if buildargs else None,
            "shm_size": shmsize,
            "labels": dict(labels) if labels else None,
            "cache_from": cache_from,
            "target": target,
            "network_mode": network_mode,
            "squash": squash,
            "extra_hosts": _extra_hosts(extra_hosts),
            "platform": platform,
            "isolation": isolation,
            "version": builder,
            "progress": progress,
            "inactivity_timeout_ms": 0 if timeout is None else max(1, int(timeout * 1000)),
        })
        if limits:
            raise TypeError(f"unknown container_limits: {', '.join(sorted(limits))}")
        if rm:
            del options["rm"]  # True is the daemon's default: only False is sent
        return self._stream("dc_image_build", options, upload=upload, decode=decode, stream_error=BuildError)


def _dockerfile_context(fileobj: Any) -> bytes:
    """A context holding only the given Dockerfile, as docker-py's mkbuildcontext makes it."""
    content = fileobj.read()
    if isinstance(content, str):
        content = content.encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


def _extra_hosts(hosts: Union[Mapping[str, str], List[str], None]) -> Optional[List[str]]:
    if not hosts:
        return None
    if isinstance(hosts, Mapping):
        return [f"{host}:{ip}" for host, ip in hosts.items()]
    return list(hosts)
