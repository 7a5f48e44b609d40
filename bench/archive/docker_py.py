"""The docker-py side of the archive benchmark: get_image to a file, load_image from one.

    python3 docker_py.py BASE_URL save NAME PATH
    python3 docker_py.py BASE_URL load PATH
"""
import sys

import docker


def main():
    client = docker.APIClient(base_url=sys.argv[1], version="auto")
    if sys.argv[2] == "save" and len(sys.argv) == 5:
        with open(sys.argv[4], "wb") as out:
            for chunk in client.get_image(sys.argv[3]):
                out.write(chunk)
    elif sys.argv[2] == "load" and len(sys.argv) == 4:
        with open(sys.argv[3], "rb") as archive:
            for message in client.load_image(archive):
                if "error" in message:
                    sys.exit("docker-py: %s" % message["error"])
    else:
        sys.exit("usage: docker_py.py BASE_URL save NAME PATH | load PATH")


if __name__ == "__main__":
    main()
