//! Cancelling a call from any thread: `dc_cancel` tokens.
//!
//! The choice, and why: a token is a handle of its own (`dc_cancel_new`), triggered from any
//! thread (`dc_cancel_trigger`), and named in a call's options by its number (`"cancel": 17`,
//! from `dc_cancel_id`), or bound to a client handle for calls that take no options
//! (`dc_client_with_cancel`). Every existing signature stays as it is, nothing depends on the
//! calling thread (Go moves goroutines between threads; a thread-local "current token" would
//! break there), and a number fits in the JSON options that every language binding already
//! writes. A triggered token stops the calls made with it within moments, even while the
//! daemon is silent: their connections are shut down, which wakes the blocked read or write.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use super::client::{client_ref, dc_client};
use super::error_object::dc_error;
use super::guard::{guard, guard_value};
use super::status::dc_status;
use super::strings::clear_out;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::transport::CancelToken;

/// A cancel token: triggered from any thread, it stops the calls made with it (they return
/// DC_CANCELLED). Free it with dc_cancel_free().
#[allow(non_camel_case_types)]
pub struct dc_cancel {
    token: CancelToken,
    id: u64,
}

/// The live tokens by number, for `"cancel"` options.
fn registry() -> &'static Mutex<HashMap<u64, CancelToken>> {
    static REGISTRY: OnceLock<Mutex<HashMap<u64, CancelToken>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The token an options object names (`"cancel": <number>`), taken out of the object so the
/// operation's own options parse without it. An unknown number (never made, or freed) is an
/// error naming it.
pub(super) fn take_cancel(options: &mut Value) -> Result<Option<CancelToken>> {
    let Some(v) = options.as_object_mut().and_then(|o| o.remove("cancel")) else {
        return Ok(None);
    };
    let id = match &v {
        Value::Null => return Ok(None),
        Value::Number(n) => n.as_u64().filter(|&n| n > 0),
        _ => None,
    }
    .ok_or_else(|| Error::invalid(format!("option \"cancel\" must be the number dc_cancel_id() gave, not {}", crate::options::kind_of(&v))))?;
    let tokens = registry().lock().unwrap_or_else(|p| p.into_inner());
    tokens
        .get(&id)
        .cloned()
        .map(Some)
        .ok_or_else(|| Error::invalid(format!("option \"cancel\": no cancel token {id} (never made, or already freed)")))
}

/// The client to run a call on: `c` itself, or a copy obeying `cancel`.
pub(super) fn bound(c: &Client, cancel: Option<CancelToken>) -> Client {
    match cancel {
        Some(t) => c.with_cancel(t),
        None => c.clone(),
    }
}

/// Creates a cancel token. *out_cancel receives it; free it with dc_cancel_free().
///
/// Name it in a call's options as "cancel": dc_cancel_id(token) (every function that takes
/// options_json accepts the key), or bind it to a client with dc_client_with_cancel(). One token
/// may serve several calls, on several threads; once triggered it stays triggered (make a new
/// one for the next calls).
///
/// Why a token named in options: every existing signature stays as it is, one token can stop
/// several calls at once (a GUI's Cancel, a Go `context.Context`, Python's Ctrl-C), and the
/// caller keeps no per-thread state: the call carries its token, so the thread that triggers
/// needs nothing but the handle.
///
/// @param out_cancel receives the token
/// @param err NULL, or where an error goes
/// @return DC_OK; DC_INVALID_ARGUMENT when out_cancel is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_cancel_new(out_cancel: *mut *mut dc_cancel, err: *mut *mut dc_error) -> dc_status {
    guard(err, || {
        clear_out(out_cancel, "out_cancel")?;
        let token = CancelToken::new();
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        registry().lock().unwrap_or_else(|p| p.into_inner()).insert(id, token.clone());
        // SAFETY: checked by clear_out.
        unsafe { *out_cancel = Box::into_raw(Box::new(dc_cancel { token, id })) };
        Ok(())
    })
}

/// The token's number, for the "cancel" option (never 0; 0 for a NULL token).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_cancel_id(cancel: *const dc_cancel) -> u64 {
    // SAFETY: NULL or a token from dc_cancel_new not yet freed.
    guard_value(0, || unsafe { cancel.as_ref() }.map_or(0, |c| c.id))
}

/// Triggers the token: every call made with it returns DC_CANCELLED as soon as it can (a call
/// blocked on a silent daemon within moments: its connection is shut down), and calls started
/// with it later fail at once. Other calls on the same client go on. What a cancelled call had
/// open is closed: its connection, a BuildKit build on the daemon, a half-written file of
/// "output_path". Thread-safe: call it from any thread, any number of times (it is not
/// async-signal-safe: from a signal handler, set a flag and trigger from a thread). NULL is
/// allowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_cancel_trigger(cancel: *const dc_cancel) {
    // SAFETY: NULL or a token from dc_cancel_new not yet freed.
    guard_value((), || {
        if let Some(c) = unsafe { cancel.as_ref() } {
            c.token.trigger();
        }
    })
}

/// 1 when the token was triggered, 0 otherwise (and for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_cancel_triggered(cancel: *const dc_cancel) -> i32 {
    // SAFETY: NULL or a token from dc_cancel_new not yet freed.
    guard_value(0, || unsafe { cancel.as_ref() }.is_some_and(|c| c.token.is_triggered()) as i32)
}

/// Frees a token. Calls still running with it keep it alive until they end (triggering it
/// needs the handle: trigger before freeing); its number stops being valid for "cancel".
/// NULL is allowed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_cancel_free(cancel: *mut dc_cancel) {
    guard_value((), || {
        if !cancel.is_null() {
            // SAFETY: a token from dc_cancel_new, freed once.
            let c = unsafe { Box::from_raw(cancel) };
            registry().lock().unwrap_or_else(|p| p.into_inner()).remove(&c.id);
        }
    })
}

/// A client handle sharing `client`'s connections whose every call obeys `cancel` (also the
/// calls that take no options, such as dc_system_info). Free it with dc_client_free(); freeing
/// it leaves `client` open.
///
/// @param client the client to share
/// @param cancel the token every call of the new handle obeys
/// @param out_client receives the new handle
/// @param err NULL, or where an error goes
/// @return DC_OK; DC_INVALID_ARGUMENT for a NULL pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_client_with_cancel(
    client: *const dc_client,
    cancel: *const dc_cancel,
    out_client: *mut *mut dc_client,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_client, "out_client")?;
        let c = client_ref(client)?;
        // SAFETY: NULL or a token from dc_cancel_new not yet freed.
        let token = unsafe { cancel.as_ref() }.ok_or_else(|| Error::invalid("cancel is NULL"))?.token.clone();
        // SAFETY: checked by clear_out.
        unsafe { *out_client = Box::into_raw(Box::new(dc_client { client: c.with_cancel(token) })) };
        Ok(())
    })
}
