"""APIClient: a connection to one Docker daemon, with docker-py's low-level method names."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from ._base import ClientBase
from .images_archive import ArchiveMixin
from .images_build import BuildMixin
from .images_metadata import MetadataMixin
from .images_transfer import TransferMixin


class TLSConfig:
    """TLS material for a ``tcp://`` or ``https://`` daemon, as docker-py's ``TLSConfig``
    takes it: ``client_cert=(cert_path, key_path)``, ``ca_cert=path``, ``verify`` (True, False,
    or a CA path). Keys may be PKCS#1 or PKCS#8 PEM."""

    def __init__(
        self,
        client_cert: Optional[Tuple[str, str]] = None,
        ca_cert: Optional[str] = None,
        verify: Union[bool, str, None] = None,
    ) -> None:
        self.cert: Optional[str] = client_cert[0] if client_cert else None
        self.key: Optional[str] = client_cert[1] if client_cert else None
        self.ca_cert = verify if isinstance(verify, str) else ca_cert
        self.verify = verify is not False

    def options(self) -> Dict[str, Any]:
        """The library's "tls" object."""
        tls: Dict[str, Any] = {"verify": self.verify}
        for key, value in (("cert", self.cert), ("key", self.key), ("ca", self.ca_cert)):
            if value:
                tls[key] = str(value)
        return tls


class APIClient(MetadataMixin, TransferMixin, ArchiveMixin, BuildMixin, ClientBase):
    """A client of one Docker daemon; safe to share between threads.

    Args:
        base_url: ``unix:///var/run/docker.sock``, ``tcp://host:2375``, ``http://…``,
            ``https://…``. None: ``DOCKER_HOST``, as the docker CLI reads it (docker-py's
            APIClient defaults to the local socket instead; from_env() is the same in both).
        version: an API version to speak (``"1.41"``), or None / ``"auto"`` to negotiate it
            with the daemon on first use.
        timeout: seconds of silence allowed while reading an answer (the library's inactivity
            timeout; None: no limit). Pulls, pushes and builds wait as long as they need unless
            given their own.
        tls: a :class:`TLSConfig`, or True for TLS with default verification.
        user_agent: the User-Agent header.
        docker_config: the docker config directory registry credentials come from
            (default ``DOCKER_CONFIG``, else ``~/.docker``).
        total_timeout: a limit in seconds for each whole call (None: none).

    Close it when done (or use it as a context manager).
    """

    def __init__(
        self,
        base_url: Optional[str] = None,
        version: Optional[str] = None,
        timeout: Optional[float] = None,
        tls: Union[bool, TLSConfig, None] = None,
        user_agent: Optional[str] = None,
        *,
        docker_config: Optional[str] = None,
        total_timeout: Optional[float] = None,
    ) -> None:
        options: Dict[str, Any] = {
            "host": base_url,
            "api_version": None if version in (None, "auto") else version,
            "user_agent": user_agent,
            "docker_config": docker_config,
            "inactivity_timeout_ms": _millis(timeout),
            "timeout_ms": _millis(total_timeout),
        }
        if isinstance(tls, TLSConfig):
            options["tls"] = tls.options()
        elif tls:
            options["tls"] = {}
        self.base_url = base_url or os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        self.timeout = timeout
        super().__init__(options)

    @classmethod
    def from_env(cls, version: Optional[str] = None, timeout: Optional[float] = None,
                 environment: Optional[Mapping[str, str]] = None, **kwargs: Any) -> "APIClient":
        """A client configured as the docker CLI configures itself: ``DOCKER_HOST``,
        ``DOCKER_TLS_VERIFY``, ``DOCKER_CERT_PATH``, ``DOCKER_API_VERSION`` and
        ``DOCKER_CONFIG`` (from ``environment`` when given, else the process's)."""
        if environment is None:
            return cls(version=version, timeout=timeout, **kwargs)
        env = dict(environment)
        base_url = env.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        tls: Optional[TLSConfig] = None
        if env.get("DOCKER_TLS_VERIFY") or env.get("DOCKER_TLS"):
            certs = env.get("DOCKER_CERT_PATH") or os.path.join(os.path.expanduser("~"), ".docker")
            tls = TLSConfig(client_cert=(os.path.join(certs, "cert.pem"), os.path.join(certs, "key.pem")),
                            ca_cert=os.path.join(certs, "ca.pem"), verify=bool(env.get("DOCKER_TLS_VERIFY")))
        kwargs.setdefault("docker_config", env.get("DOCKER_CONFIG"))
        return cls(base_url=base_url, version=version or env.get("DOCKER_API_VERSION"), timeout=timeout, tls=tls, **kwargs)

    # ---- system -------------------------------------------------------------------------------

    @property
    def api_version(self) -> str:
        """The API version the client speaks: the pinned one, or the one negotiated with the
        daemon (negotiating now if that was not done yet)."""
        return self._invoke("dc_client_api_version").decode()

    def ping(self) -> bool:
        """True when the daemon answers; raises otherwise."""
        self._invoke("dc_system_ping")
        return True

    def version(self) -> Dict[str, Any]:
        """The daemon's GET /version answer."""
        return self._json("dc_system_version")

    def info(self) -> Dict[str, Any]:
        """The daemon's GET /info answer."""
        return self._json("dc_system_info")

    def login(self, username: str, password: Optional[str] = None, email: Optional[str] = None,
              registry: Optional[str] = None, **_ignored: Any) -> Dict[str, Any]:
        """Asks the daemon to check registry credentials (POST /auth) and returns its answer;
        refused credentials raise errors.Unauthorized. Unlike docker-py's, nothing is kept:
        pulls and pushes take their credentials from ``auth_config`` or the docker config."""
        creds = {"username": username, "password": password, "email": email, "serveraddress": registry}
        body = json.dumps({k: v for k, v in creds.items() if v is not None}).encode()
        return self._json("dc_system_auth", body)


def from_env(**kwargs: Any) -> APIClient:
    """An :class:`APIClient` configured from the environment (see APIClient.from_env)."""
    return APIClient.from_env(**kwargs)


def _millis(seconds: Optional[float]) -> Optional[int]:
    return None if seconds is None else max(1, int(seconds * 1000))
