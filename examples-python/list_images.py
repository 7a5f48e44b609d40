"""Calling libdockerclient from Python with ctypes: ping the daemon and list its images.

    python3 examples-python/list_images.py [path/to/libdockerclient.so]

The daemon comes from DOCKER_HOST (as the docker CLI reads it). Every returned string is
freed with dc_string_free and every error with dc_error_free, as the header says.
"""
import ctypes
import json
import sys

lib = ctypes.CDLL(sys.argv[1] if len(sys.argv) > 1 else "libdockerclient.so.0")

c_char_pp = ctypes.POINTER(ctypes.c_char_p)
lib.dc_client_new.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]
lib.dc_client_free.argtypes = [ctypes.c_void_p]
lib.dc_error_message.argtypes = [ctypes.c_void_p]
lib.dc_error_message.restype = ctypes.c_char_p
lib.dc_error_free.argtypes = [ctypes.c_void_p]
lib.dc_status_name.argtypes = [ctypes.c_int32]
lib.dc_status_name.restype = ctypes.c_char_p
lib.dc_string_free.argtypes = [ctypes.c_void_p]
lib.dc_image_list.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]
lib.dc_system_ping.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p)]


class DockerError(Exception):
    pass


def check(status, err):
    """Raises with the library's status name and message; frees the error."""
    if status != 0:
        message = lib.dc_error_message(err).decode()
        lib.dc_error_free(err)
        raise DockerError(f"{lib.dc_status_name(status).decode()}: {message}")


def take_string(ptr):
    """Copies a library-owned string into Python and frees it."""
    text = ctypes.cast(ptr, ctypes.c_char_p).value.decode()
    lib.dc_string_free(ptr)
    return text


def main():
    client, err, out = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    check(lib.dc_client_new(None, ctypes.byref(client), ctypes.byref(err)), err)
    try:
        check(lib.dc_system_ping(client, ctypes.byref(out), ctypes.byref(err)), err)
        ping = json.loads(take_string(out))
        print(f"daemon speaks API {ping['api_version']} on {ping['os_type']}")
        options = json.dumps({"filters": {"dangling": ["false"]}}).encode()
        check(lib.dc_image_list(client, options, ctypes.byref(out), ctypes.byref(err)), err)
        images = json.loads(take_string(out))
        for image in images:
            print(image["Id"][:19], ", ".join(image.get("RepoTags") or ["<none>"]))
        # Errors come back as exceptions carrying the status class.
        try:
            check(lib.dc_image_list(client, b'{"all": "yes"}', ctypes.byref(out), ctypes.byref(err)), err)
        except DockerError as e:
            print(f"bad option refused: {e}")
    finally:
        lib.dc_client_free(client)


if __name__ == "__main__":
    main()
