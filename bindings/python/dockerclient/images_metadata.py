"""Image calls answered with one JSON document: images, inspect_image, history, tag,
remove_image, prune_images, search, inspect_distribution. They run on the calling thread."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Union

from ._base import ClientBase, encode_options
from .errors import ImageNotFound

Filters = Mapping[str, Union[str, bool, int, List[str]]]


def convert_filters(filters: Optional[Filters]) -> Optional[Dict[str, List[str]]]:
    """docker-py's filter shapes (a value, a bool, a list) as the lists of strings the API
    takes."""
    if not filters:
        return None
    out: Dict[str, List[str]] = {}
    for key, value in filters.items():
        values = value if isinstance(value, list) else [value]
        out[key] = ["true" if v is True else "false" if v is False else str(v) for v in values]
    return out


def _name(image: Any) -> bytes:
    """An image argument: a name or ID, or docker-py's dict with an "Id"."""
    if isinstance(image, dict):
        image = image.get("Id") or image.get("ID")
    if not isinstance(image, str) or not image:
        raise TypeError("an image name or ID is required")
    return image.encode()


class MetadataMixin(ClientBase):
    def images(self, name: Optional[str] = None, quiet: bool = False, all: bool = False,
               filters: Optional[Filters] = None) -> Union[List[Dict[str, Any]], List[str]]:
        """Lists local images (``docker images``).

        Args:
            name: only images of this repository (a reference pattern, ``name[:tag]``).
            quiet: return the IDs only.
            all: include intermediate images.
            filters: ``dangling`` (bool), ``label`` (``key`` or ``key=value``, or a list),
                ``reference``, ``before``, ``since``, ``until``.
        """
        f = convert_filters(filters) or {}
        if name:
            f["reference"] = [name]
        listed = self._json("dc_image_list", encode_options({"all": all or None, "filters": f or None}))
        return [image["Id"] for image in listed] if quiet else listed

    def inspect_image(self, image: Any) -> Dict[str, Any]:
        """The daemon's description of an image (``docker image inspect``); raises
        errors.ImageNotFound for a missing one."""
        return self._json("dc_image_inspect", _name(image), None, not_found=ImageNotFound)

    def history(self, image: Any) -> List[Dict[str, Any]]:
        """The layers an image was built from, newest first."""
        return self._json("dc_image_history", _name(image), None, not_found=ImageNotFound)

    def tag(self, image: Any, repository: str, tag: Optional[str] = None, force: bool = False) -> bool:
        """Gives an image another name; returns True. A digest as target is refused before
        anything is sent. ``force`` is accepted and ignored (daemons since API 1.25 do)."""
        options = encode_options({"repo": repository, "tag": tag})
        self._invoke("dc_image_tag", _name(image), options, has_out=False, not_found=ImageNotFound)
        return True

    def remove_image(self, image: Any, force: bool = False, noprune: bool = False) -> List[Dict[str, str]]:
        """Removes an image or one of its tags (``docker rmi``); returns the daemon's
        ``[{"Untagged": …}, {"Deleted": …}]``."""
        options = encode_options({"force": force or None, "noprune": noprune or None})
        return self._json("dc_image_remove", _name(image), options, not_found=ImageNotFound)

    def prune_images(self, filters: Optional[Filters] = None) -> Dict[str, Any]:
        """Removes unused images (by default the dangling ones); returns
        ``{"ImagesDeleted": […], "SpaceReclaimed": bytes}``."""
        return self._json("dc_image_prune", encode_options({"filters": convert_filters(filters)}))

    def search(self, term: str, limit: Optional[int] = None, auth_config: Optional[Dict[str, str]] = None) -> List[Dict[str, Any]]:
        """Searches a registry's index through the daemon. A term whose first component is a
        host searches that registry, anything else Docker Hub."""
        return self._json("dc_image_search", encode_options({"term": term, "limit": limit, "auth": auth_config}))

    def inspect_distribution(self, image: str, auth_config: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
        """Asks the image's registry, through the daemon, for its manifest descriptor and
        platforms."""
        return self._json("dc_image_distribution", _name(image), encode_options({"auth": auth_config}),
                          not_found=ImageNotFound)
