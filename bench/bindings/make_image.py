"""Creates the benchmark's big image: a rootfs of one file of MIB MiB of random bytes,
imported through the dockerclient package from a tar generated while it is uploaded (never
held whole).

    python3 make_image.py ENDPOINT NAME MIB
"""
import os
import sys
import tarfile

import dockerclient

CHUNK = 1 << 20


def rootfs_tar(mib):
    """Yields a tar archive holding big.bin (mib MiB of random bytes), piece by piece."""
    info = tarfile.TarInfo("big.bin")
    info.size = mib * CHUNK
    info.mode = 0o644
    yield info.tobuf(format=tarfile.GNU_FORMAT)
    for _ in range(mib):
        yield os.urandom(CHUNK)
    yield b"\0" * (2 * tarfile.BLOCKSIZE)  # the size is a multiple of 512: no padding, then the end


def main():
    endpoint, name, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with dockerclient.APIClient(endpoint) as client:
        client.import_image_from_stream(rootfs_tar(mib), repository=name)
        print(client.inspect_image(name)["Id"])


if __name__ == "__main__":
    main()
