//! Progress without a JSON parser: `dc_progress_parse` reads one delivery of a progress
//! callback into a struct of figures.
//!
//! The choice, and why: a parse function over the deliveries the callbacks already get, rather
//! than a second, typed callback. The callback signature stays one for every operation and
//! every language; a C program that wants figures calls one function on the buffer it was
//! handed (as libgit2 hands a struct, but without a second callback to register); a program
//! that wants the daemon's JSON keeps getting it unchanged. The struct owns its strings (fixed
//! arrays, cut at a character boundary and NUL-terminated), so nothing is allocated or freed.

use std::ffi::c_char;

use super::error_object::dc_error;
use super::guard::guard;
use super::status::dc_status;
use crate::error::Error;
use crate::stream::progress_view::{view, Kind};

/// Nothing a progress display needs.
pub const DC_PROGRESS_OTHER: i32 = 0;
/// A layer's progress: id = layer, text = its status, current/total = its bytes.
pub const DC_PROGRESS_LAYER: i32 = 1;
/// The overall figures of "aggregate": true (the aggregate_* fields, layers, total_final,
/// extract_*).
pub const DC_PROGRESS_AGGREGATE: i32 = 2;
/// A line about the image as a whole ("Pulling from …", "Digest: …", "Status: …").
pub const DC_PROGRESS_STATUS: i32 = 3;
/// Build output (text).
pub const DC_PROGRESS_OUTPUT: i32 = 4;
/// The error that ends the operation (text = its message).
pub const DC_PROGRESS_ERROR: i32 = 5;
/// A BuildKit step started or ended: id = digest, text = name, number, state (DC_VERTEX_*).
pub const DC_PROGRESS_VERTEX: i32 = 6;
/// A BuildKit counter inside a step: id, current/total, state 1 once complete.
pub const DC_PROGRESS_COUNTER: i32 = 7;
/// A BuildKit step's output chunk (text), number = the step.
pub const DC_PROGRESS_LOG: i32 = 8;
/// A BuildKit warning (text = its short description).
pub const DC_PROGRESS_WARNING: i32 = 9;
/// The image a BuildKit build produced (id).
pub const DC_PROGRESS_IMAGE: i32 = 10;
/// A text-mode delivery, whole, in text.
pub const DC_PROGRESS_TEXT: i32 = 11;

/// A BuildKit step started.
pub const DC_VERTEX_STARTED: i32 = 1;
/// A BuildKit step finished.
pub const DC_VERTEX_DONE: i32 = 2;
/// A BuildKit step was taken from the cache.
pub const DC_VERTEX_CACHED: i32 = 3;
/// A BuildKit step failed.
pub const DC_VERTEX_ERROR: i32 = 4;
/// A BuildKit step was cancelled.
pub const DC_VERTEX_CANCELED: i32 = 5;

/// One progress delivery as figures (see dc_progress_parse). Strings are NUL-terminated and
/// cut (at a character boundary) when longer than their array; text_truncated says so.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct dc_progress {
    /// DC_PROGRESS_*.
    pub kind: i32,
    /// DC_VERTEX_* for DC_PROGRESS_VERTEX; 1 for a completed DC_PROGRESS_COUNTER; else 0.
    pub state: i32,
    /// A layer ID, BuildKit digest or counter ID, image ID; "" when none.
    pub id: [c_char; 128],
    /// A status, step name, output, warning or error message; "" when none.
    pub text: [c_char; 1024],
    /// 1 when text was longer than its array and was cut.
    pub text_truncated: i32,
    /// Bytes (or units) done and in all of this layer or counter; total 0 = unknown.
    pub current: i64,
    pub total: i64,
    /// A BuildKit step's number (1, 2, …); 0 when none.
    pub number: i64,
    /// DC_PROGRESS_AGGREGATE: bytes over all layers, and their total so far.
    pub aggregate_current: i64,
    pub aggregate_total: i64,
    /// DC_PROGRESS_AGGREGATE: layers seen and those transferred.
    pub layers: i64,
    pub layers_done: i64,
    /// DC_PROGRESS_AGGREGATE: 1 when aggregate_total will not grow any more (the transfer has
    /// started and every layer's size is known; for a load or an import, at the end): a
    /// percentage is honest from then on. Once 1, it stays 1.
    pub total_final: i32,
    /// DC_PROGRESS_AGGREGATE: a pull's unpacking phase, bytes done and in all (0 when none).
    pub extract_current: i64,
    pub extract_total: i64,
}

/// Copies `s` into `dst` NUL-terminated, cut at a character boundary; true when cut.
fn put(dst: &mut [c_char], s: &str) -> bool {
    let mut end = s.len().min(dst.len() - 1);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    for (d, b) in dst.iter_mut().zip(s.as_bytes()[..end].iter()) {
        *d = *b as c_char;
    }
    dst[end] = 0;
    end < s.len()
}

/// Reads one progress delivery (the `buf`/`len` a progress callback was given) into *out, so
/// that a program shows progress without parsing JSON: which kind of message it is, the layer
/// or step it is about, its bytes, the overall figures of "aggregate": true (with total_final
/// telling when a percentage is honest), a BuildKit step's number and state. Works on every
/// progress mode: a text-mode delivery is DC_PROGRESS_TEXT with the text. Call it from the
/// callback (or later, on a copy of the bytes); the struct holds everything, nothing is to be
/// freed.
///
/// A percentage bar for a pull (with "aggregate": true):
///
/// ```c
/// dc_progress p;
/// if (dc_progress_parse(buf, len, &p, NULL) == DC_OK && p.kind == DC_PROGRESS_AGGREGATE && p.total_final)
///     printf("\r%3d%%", (int)(100 * p.aggregate_current / (p.aggregate_total ? p.aggregate_total : 1)));
/// ```
///
/// @param buf the bytes a progress callback was handed (NULL allowed when len is 0)
/// @param len their length
/// @param out the struct to fill (every field is written)
/// @param err NULL, or where an error goes
/// @return DC_OK; DC_INVALID_ARGUMENT for buf NULL with len > 0 or out NULL. Anything else is
///   read as well as it can be (unknown messages are DC_PROGRESS_OTHER), never an error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_progress_parse(
    buf: *const u8,
    len: usize,
    out: *mut dc_progress,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        if out.is_null() {
            return Err(Error::invalid("out is NULL"));
        }
        if buf.is_null() && len > 0 {
            return Err(Error::invalid("buf is NULL"));
        }
        let bytes: &[u8] = if len == 0 { &[] } else {
            // SAFETY: the caller's buffer of `len` bytes (checked non-NULL).
            unsafe { std::slice::from_raw_parts(buf, len) }
        };
        let v = view(bytes);
        // SAFETY: checked non-NULL; a caller-owned struct, written whole.
        let o = unsafe { &mut *out };
        o.kind = v.kind as i32;
        o.state = v.state;
        put(&mut o.id, &v.id);
        o.text_truncated = i32::from(put(&mut o.text, &v.text));
        o.current = v.current;
        o.total = v.total;
        o.number = v.number;
        o.aggregate_current = v.aggregate_current;
        o.aggregate_total = v.aggregate_total;
        o.layers = v.layers;
        o.layers_done = v.layers_done;
        o.total_final = i32::from(v.total_final);
        o.extract_current = v.extract_current;
        o.extract_total = v.extract_total;
        debug_assert_eq!(Kind::Text as i32, DC_PROGRESS_TEXT);
        Ok(())
    })
}

/// The C constants are the Rust kinds (a mismatch does not compile).
const _: () = {
    assert!(Kind::Other as i32 == DC_PROGRESS_OTHER && Kind::Layer as i32 == DC_PROGRESS_LAYER);
    assert!(Kind::Aggregate as i32 == DC_PROGRESS_AGGREGATE && Kind::Status as i32 == DC_PROGRESS_STATUS);
    assert!(Kind::Output as i32 == DC_PROGRESS_OUTPUT && Kind::Error as i32 == DC_PROGRESS_ERROR);
    assert!(Kind::Vertex as i32 == DC_PROGRESS_VERTEX && Kind::Counter as i32 == DC_PROGRESS_COUNTER);
    assert!(Kind::Log as i32 == DC_PROGRESS_LOG && Kind::Warning as i32 == DC_PROGRESS_WARNING);
    assert!(Kind::Image as i32 == DC_PROGRESS_IMAGE && Kind::Text as i32 == DC_PROGRESS_TEXT);
    use crate::stream::progress_view::vertex_state as s;
    assert!(s::STARTED == DC_VERTEX_STARTED && s::DONE == DC_VERTEX_DONE && s::CACHED == DC_VERTEX_CACHED);
    assert!(s::ERROR == DC_VERTEX_ERROR && s::CANCELED == DC_VERTEX_CANCELED);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_cut_at_a_character_boundary() {
        let mut a = [1 as c_char; 5];
        assert!(put(&mut a, "abcdéf"));
        assert_eq!(a[..5].iter().map(|&c| c as u8).collect::<Vec<_>>(), [b'a', b'b', b'c', b'd', 0]);
        let mut b = [1 as c_char; 8];
        assert!(!put(&mut b, "hé"));
        assert_eq!(b[3], 0);
    }
}
