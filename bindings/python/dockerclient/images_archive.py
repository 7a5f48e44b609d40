"""Archives: get_image (save), load_image, import_image. A save is read by the library into the
chunks it yields (see _reader_save.py), uploads through the library's read callback straight into its buffer:
memory stays bounded whatever the image's size."""

from __future__ import annotations

import os
from typing import Any, Iterator, List, Optional, Sequence, Union
from urllib.parse import urlparse

from . import _lib
from ._base import ClientBase, encode_options
from ._reader_save import ReaderSave
from ._stream import CallStream
from .errors import ImageNotFound

#: docker-py's default chunk size for get_image (2 MB).
DEFAULT_DATA_CHUNK_SIZE = 1024 * 2048

class ArchiveMixin(ClientBase):
    def get_image(self, image: Union[str, Sequence[str]], chunk_size: Optional[int] = DEFAULT_DATA_CHUNK_SIZE) -> Iterator[bytes]:
        """A tar archive of one image, or of several (a list of names), as ``docker save``
        makes it: an iterator of chunks of ``chunk_size`` bytes (at most 256 KiB; the last
        one shorter), yielded while the daemon sends them. The archive is checked as it
        passes: a daemon failure mid-archive raises, never ends the iteration early. Closing
        the iterator before its end cancels the save. The save starts at once (errors such as
        ImageNotFound come with the first chunk)."""
        names = [image] if isinstance(image, str) else list(image)

        def open_save(cancel_id: int, reader: Any, err: Any) -> int:
            options = encode_options({"names": names, "cancel": cancel_id})
            ptr = self._acquire()
            try:
                return int(self._lib.dc_image_save_open(ptr, options, reader, err))
            finally:
                self._release()

        return self._track(ReaderSave(open_save, chunk_size, ImageNotFound))

    def load_image(self, data: Any, quiet: Optional[bool] = None) -> CallStream:
        """Loads images from a tar archive (``docker load``): ``data`` is bytes, a binary file
        object or an iterable of bytes, read as the upload goes. Returns a stream of the
        daemon's progress as dicts; its ``result`` then holds ``{"images": [{"name", "id"}]}``.
        A truncated or corrupt archive raises errors.StreamError."""
        options = {"quiet": quiet}
        return self._stream("dc_image_load", options, upload=data, decode=True)

    def import_image(self, src: Any = None, repository: Optional[str] = None, tag: Optional[str] = None,
                     image: Optional[str] = None, changes: Union[str, List[str], None] = None,
                     stream_src: bool = False) -> str:
        """Creates an image from a filesystem tarball (``docker import``).

        ``src`` is a file path, an http(s) URL the daemon downloads, or data (bytes, a binary
        file object, an iterable of bytes). ``changes`` are Dockerfile instructions applied
        to the image. Returns the daemon's progress as text (its last message names the new
        image's ID). ``image`` (docker-py's import from another image) is not supported:
        pull the image instead.
        """
        if image is not None:
            raise TypeError("import_image(image=...) is not supported: pull the image instead")
        if isinstance(src, (str, os.PathLike)):
            path = os.fspath(src)
            if urlparse(path).scheme in ("http", "https"):
                return self._import(repository, tag, changes, url=path)
            return self._import(repository, tag, changes, input_path=os.path.abspath(path))
        if src is None:
            raise TypeError("import_image needs src: a path, a URL or data")
        return self._import(repository, tag, changes, upload=src)

    def _import(self, repository: Optional[str], tag: Optional[str], changes: Union[str, List[str], None],
                upload: Any = None, **source: str) -> str:
        options = {"repository": repository, "tag": tag, "changes": changes, **source}
        return self._stream("dc_image_import", options, upload=upload).drain_text()

    def import_image_from_data(self, data: Any, repository: Optional[str] = None, tag: Optional[str] = None,
                               changes: Union[str, List[str], None] = None) -> str:
        """import_image from bytes (or a binary file object, or an iterable of bytes)."""
        return self._import(repository, tag, changes, upload=data)

    def import_image_from_file(self, filename: str, repository: Optional[str] = None, tag: Optional[str] = None,
                               changes: Union[str, List[str], None] = None) -> str:
        """import_image from a tarball file (read by the library itself)."""
        return self.import_image(src=os.fspath(filename), repository=repository, tag=tag, changes=changes)

    def import_image_from_stream(self, stream: Any, repository: Optional[str] = None, tag: Optional[str] = None,
                                 changes: Union[str, List[str], None] = None) -> str:
        """import_image from a binary file object or an iterable of bytes."""
        return self._import(repository, tag, changes, upload=stream)

    def import_image_from_url(self, url: str, repository: Optional[str] = None, tag: Optional[str] = None,
                              changes: Union[str, List[str], None] = None) -> str:
        """import_image from an http(s) URL the daemon downloads."""
        return self.import_image(src=url, repository=repository, tag=tag, changes=changes)
