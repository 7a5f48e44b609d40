"""libdockerclient from Python, through the dockerclient package (bindings/python): ping the
daemon, list its images, and show an error's class.

    python3 examples-python/list_images.py [path/to/libdockerclient.so]

The daemon comes from DOCKER_HOST (as the docker CLI reads it). The library comes from the
argument when given (it sets DOCKERCLIENT_LIBRARY), else wherever the package finds it. Run
from a checkout, it uses the package next to it, installed or not (`pip install
./bindings/python` installs it).
"""
import os
import sys
from pathlib import Path

if len(sys.argv) > 1:
    os.environ["DOCKERCLIENT_LIBRARY"] = sys.argv[1]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bindings" / "python"))

import dockerclient  # noqa: E402
from dockerclient import errors  # noqa: E402


def main() -> None:
    with dockerclient.from_env() as client:
        print(f"daemon speaks API {client.api_version} on {client.version()['Os']}")
        for image in client.images(filters={"dangling": False}):
            print(image["Id"][:19], ", ".join(image.get("RepoTags") or ["<none>"]))
        # Errors are exceptions named like docker-py's, carrying the library's status class.
        try:
            client.images(filters={"dangling": "maybe"})
        except errors.InvalidArgument as e:
            print(f"bad option refused: {e}")


if __name__ == "__main__":
    main()
