//! Image archives: `dc_image_save`, `dc_image_load`, `dc_image_import`. Bytes flow through the
//! caller's callbacks (or a file) in bounded memory, whatever the archive's size.

use std::ffi::{c_char, c_void};

use super::callbacks::{dc_read_cb, dc_write_cb, with_io, Callbacks};
use super::client::{client_ref, dc_client};
use super::error_object::dc_error;
use super::guard::{guard, guard_value};
use super::status::dc_status;
use super::cancel::bound;
use super::strings::{clear_out, options_with_cancel, set_out};
use crate::images::import::{self, ImportOptions};
use crate::images::load::{self, LoadOptions};
use crate::images::save::{self, SaveOptions};
use crate::images::save_reader::SaveReader;
use crate::error::Error;
use std::sync::Mutex;

/// Saves one or more images as one tar archive (`docker save`), streamed from the daemon to
/// `write_cb` or to a file.
///
/// options_json (JSON object; NULL or "" is not enough, "names" is required):
/// - "names": an image name, tag or ID, or an array of them (at least one); several are saved
///   into one archive (sent as repeated `names=` parameters).
/// - "platform": "os/arch[/variant]" or an array of them: save only these platforms of a
///   multi-platform image (API 1.48+; several need API 1.52+).
/// - "output_path": write the archive to this file instead of `write_cb`. The file is created
///   with mode 0644 (less the umask); the archive is written to a hidden temporary file in the
///   same directory and renamed into place only once it is complete and synced, so a failed
///   save never leaves a partial file there (an existing file is replaced only on success; a
///   symbolic link is followed and kept). A character device or FIFO ("/dev/null", a named
///   pipe) is written in place instead: it is never replaced, and receives whatever arrived
///   before a failure.
/// - "timeout_ms", "inactivity_timeout_ms": override the client's limits for this call
///   (0 = none).
///
/// Exactly one of `write_cb` and "output_path" must be given. `write_cb` receives the archive
/// in chunks of up to 256 KiB, in order, on the calling thread; it returns 0 to go on or
/// non-zero to stop (the save then returns DC_CANCELLED and the connection is closed; the client
/// stays usable). The archive is checked as it passes: it must end with tar's end-of-archive
/// marker. If the daemon fails mid-archive, the bytes already delivered are not a whole archive
/// and the call fails with the daemon's message.
///
/// Statuses: DC_INVALID_ARGUMENT (NULL client, bad JSON, unknown key, "names" missing, empty or
/// not strings, both or neither of `write_cb` and "output_path", "output_path" a directory or not
/// creatable), DC_NOT_FOUND (an image does not exist; the directory of "output_path" does not
/// exist), DC_UNSUPPORTED ("platform" on an older daemon), DC_CANCELLED, DC_SERVER_ERROR (the
/// daemon failed before sending, or the archive broke off with plain text or nothing after it),
/// DC_STREAM_ERROR (the daemon appended a JSON error to a half-sent archive; DC_NOT_FOUND or
/// DC_UNAUTHORIZED when that error says so), DC_TRANSPORT (also: writing "output_path" failed),
/// DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_save(
    client: *const dc_client,
    options_json: *const c_char,
    write_cb: dc_write_cb,
    write_userdata: *mut c_void,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        let c = client_ref(client)?;
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let (opts, cancel): (SaveOptions, _) = unsafe { options_with_cancel(options_json, "save options") }?;
        let c = &bound(c, cancel);
        let write = Callbacks { write: write_cb, write_userdata, ..Callbacks::default() };
        with_io(write, |io| save::save(c, &opts, io))
    })
}

/// An image archive being read by its caller: made by dc_image_save_open(), read with
/// dc_reader_read(), freed with dc_reader_free().
#[allow(non_camel_case_types)]
pub struct dc_reader {
    // A mutex so that two threads reading one handle by mistake wait for each other instead
    // of racing (uncontended, it costs nothing next to a read).
    inner: Mutex<SaveReader>,
}

/// Opens a save (`docker save`) for the caller to read, as from a file: dc_reader_read() then
/// fills the caller's buffer with the archive's next bytes. Over a Unix socket or plain TCP the
/// bytes go from the socket straight into that buffer (one copy): the cheapest way to get an
/// archive into memory the program owns (a write callback costs a second copy). Returns once
/// the daemon has answered, which for a large image can take a while (the daemon copies the
/// image before its first byte); a "cancel" token stops that wait as it stops any call.
///
/// ```c
/// dc_reader *r;
/// if (dc_image_save_open(client, "{\"names\": \"busybox:latest\"}", &r, &err) != DC_OK) { ... }
/// uint8_t buf[65536];
/// size_t n;
/// while ((st = dc_reader_read(r, buf, sizeof buf, &n, &err)) == DC_OK && n > 0)
///     fwrite(buf, 1, n, out);
/// dc_reader_free(r);   // st == DC_OK: the archive was whole
/// ```
///
/// options_json: as for dc_image_save() ("names", "platform", "timeout_ms",
/// "inactivity_timeout_ms", "cancel"), without "output_path". The limits and the token apply to
/// every read of the archive as well. The reader keeps what it needs of the client: the client
/// may be freed before the reader.
///
/// @param client the client
/// @param options_json the options (JSON object; "names" is required)
/// @param out_reader receives the reader; free it with dc_reader_free()
/// @param err NULL, or where an error goes
/// @return DC_OK; DC_INVALID_ARGUMENT (NULL client or out_reader, bad JSON, unknown key, "names"
///   missing or empty, "output_path" given), DC_NOT_FOUND (an image does not exist),
///   DC_UNSUPPORTED ("platform" on an older daemon), DC_SERVER_ERROR, DC_TRANSPORT, DC_TIMEOUT,
///   DC_CANCELLED. *out_reader is NULL on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_save_open(
    client: *const dc_client,
    options_json: *const c_char,
    out_reader: *mut *mut dc_reader,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_reader, "out_reader")?;
        let c = client_ref(client)?;
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let (opts, cancel): (SaveOptions, _) = unsafe { options_with_cancel(options_json, "save options") }?;
        let reader = SaveReader::open(&bound(c, cancel), &opts)?;
        // SAFETY: checked by clear_out.
        unsafe { *out_reader = Box::into_raw(Box::new(dc_reader { inner: Mutex::new(reader) })) };
        Ok(())
    })
}

/// Reads the archive's next bytes into buf: fills it unless the archive ends first, as
/// fread() does. *out_n receives how many; 0 (with DC_OK) only once the whole archive has been
/// read and found complete (tar's end-of-archive marker reached). The archive is checked as it
/// passes: if the daemon fails mid-archive, the bytes that arrived first are returned with
/// DC_OK, and the next call returns the failure (and so does every call after it). Blocks
/// while the daemon is silent, within the save's limits; a "cancel" token given to
/// dc_image_save_open() stops a read from another thread (DC_CANCELLED). One thread at a time
/// should read a reader (two that do anyway wait for each other).
///
/// @param reader the reader (dc_image_save_open())
/// @param buf where the bytes go
/// @param len its size (at least 1)
/// @param out_n receives how many bytes were written to buf (0 on failure)
/// @param err NULL, or where an error goes
/// @return DC_OK; DC_INVALID_ARGUMENT (NULL reader, buf or out_n, len 0), DC_SERVER_ERROR or
///   DC_STREAM_ERROR (the daemon failed mid-archive, or the archive broke off), DC_TRANSPORT,
///   DC_TIMEOUT, DC_CANCELLED.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_reader_read(
    reader: *mut dc_reader,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        if out_n.is_null() {
            return Err(Error::invalid("out_n is NULL"));
        }
        // SAFETY: checked non-NULL.
        unsafe { *out_n = 0 };
        // SAFETY: NULL or a reader from dc_image_save_open not yet freed.
        let reader = unsafe { reader.as_ref() }.ok_or_else(|| Error::invalid("reader is NULL"))?;
        if buf.is_null() {
            return Err(Error::invalid("buf is NULL"));
        }
        // SAFETY: the caller's writable buffer of `len` bytes (checked non-NULL).
        let bytes = unsafe { std::slice::from_raw_parts_mut(buf, len) };
        let n = reader.inner.lock().unwrap_or_else(|p| p.into_inner()).read(bytes)?;
        // SAFETY: checked non-NULL.
        unsafe { *out_n = n };
        Ok(())
    })
}

/// Frees a reader. Before the archive's end this stops the save: its connection is closed (the
/// client stays usable). NULL is allowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_reader_free(reader: *mut dc_reader) {
    guard_value((), || {
        if !reader.is_null() {
            // SAFETY: a reader from dc_image_save_open, freed once.
            drop(unsafe { Box::from_raw(reader) });
        }
    })
}

/// Loads images from a tar archive (`docker load`), streamed to the daemon from `read_cb` or
/// a file.
///
/// options_json (JSON object; NULL or "" for defaults):
/// - "input_path": read the archive from this file instead of `read_cb`.
/// - "quiet": true asks the daemon for no progress messages. Default: false when `progress_cb`
///   is given, true otherwise. Always sent to the daemon (which takes an absent value as true).
/// - "platform": "os/arch[/variant]" or an array of them: load only these platforms of a
///   multi-platform archive (API 1.48+; several need API 1.52+).
/// - "progress": "json" (default: each daemon message as received, plus "\n") or "text" (the
///   lines `docker load` prints when not on a terminal).
/// - "aggregate": true adds overall-progress messages in JSON mode.
/// - "timeout_ms", "inactivity_timeout_ms": override the client's limits for this call.
///
/// Exactly one of `read_cb` and "input_path" must be given. `read_cb` fills at most `cap` bytes
/// and returns how many, 0 at the end, or < 0 on error (the load then returns DC_CANCELLED and
/// the connection is closed; returning more than `cap` is DC_INVALID_ARGUMENT). `progress_cb`
/// (may be NULL) receives one message per call and returns non-zero to stop (DC_CANCELLED).
/// Callbacks run on the calling thread.
///
/// On success *out_json receives {"images": [{"name": "app:1", "id": "sha256:…"}, …]}: one entry
/// per image the daemon reported as loaded; "name" is null for an image loaded by ID only, and
/// "id" of a named image is looked up right after the load. Free it with dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT (NULL client or out_json, bad JSON, unknown key, both or neither
/// input, "input_path" a directory), DC_NOT_FOUND ("input_path" does not exist), DC_UNSUPPORTED,
/// DC_STREAM_ERROR (the daemon refused the archive, e.g. truncated or corrupt: the error carries
/// its message; nothing is loaded), DC_SERVER_ERROR (the daemon answered HTTP 5xx before
/// streaming), DC_CANCELLED, DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_load(
    client: *const dc_client,
    options_json: *const c_char,
    read_cb: dc_read_cb,
    read_userdata: *mut c_void,
    progress_cb: dc_write_cb,
    progress_userdata: *mut c_void,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_json, "out_json")?;
        let c = client_ref(client)?;
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let (opts, cancel): (LoadOptions, _) = unsafe { options_with_cancel(options_json, "load options") }?;
        let c = &bound(c, cancel);
        let callbacks = Callbacks { read: read_cb, read_userdata, progress: progress_cb, progress_userdata, ..Callbacks::default() };
        let result = with_io(callbacks, |io| load::load(c, &opts, io))?;
        set_out(out_json, result.to_json())
    })
}

/// Creates an image from a filesystem tarball (`docker import`): streamed to the daemon from
/// `read_cb` or a file, or fetched by the daemon from a URL. The tarball may be compressed
/// (gzip, bzip2, xz, zstd as the daemon supports).
///
/// options_json (JSON object; NULL or "" for defaults):
/// - "input_path": read the tarball from this file instead of `read_cb`.
/// - "url": an http:// or https:// URL the daemon downloads the tarball from (then `read_cb`
///   must be NULL).
/// - "repository": name for the new image, may include a tag ("app" or "app:1"); without it
///   the image is untagged.
/// - "tag": tag for the new image (needs "repository").
/// - "message": commit message of the image (default `"Imported from <source>"`).
/// - "changes": a Dockerfile instruction or an array of them, applied to the image: CMD,
///   ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR
///   (one instruction per entry, e.g. "ENV DEBUG=1").
/// - "platform": "os[/arch[/variant]]" of the new image (API 1.32+).
/// - "progress", "aggregate": as for dc_image_load.
/// - "timeout_ms", "inactivity_timeout_ms": override the client's limits for this call.
///
/// Exactly one source: `read_cb`, "input_path" or "url". `read_cb` and `progress_cb` behave as
/// for dc_image_load.
///
/// On success *out_json receives {"id": "sha256:…"} (the new image's ID). Free it with
/// dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT (NULL client or out_json, bad JSON, unknown key, no or several
/// sources, a URL that is not http/https, an invalid repository or tag, an unknown instruction
/// in "changes", "input_path" a directory), DC_NOT_FOUND ("input_path" does not exist),
/// DC_UNSUPPORTED, DC_SERVER_ERROR (e.g. the daemon cannot fetch the URL), DC_STREAM_ERROR,
/// DC_CANCELLED, DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_image_import(
    client: *const dc_client,
    options_json: *const c_char,
    read_cb: dc_read_cb,
    read_userdata: *mut c_void,
    progress_cb: dc_write_cb,
    progress_userdata: *mut c_void,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_json, "out_json")?;
        let c = client_ref(client)?;
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let (opts, cancel): (ImportOptions, _) = unsafe { options_with_cancel(options_json, "import options") }?;
        let c = &bound(c, cancel);
        let callbacks = Callbacks { read: read_cb, read_userdata, progress: progress_cb, progress_userdata, ..Callbacks::default() };
        let result = with_io(callbacks, |io| import::import(c, &opts, io))?;
        set_out(out_json, result.to_json())
    })
}
