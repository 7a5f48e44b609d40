//! System calls: ping, version, info, registry login check.

use std::ffi::c_char;

use super::client::{client_ref, dc_client};
use super::error_object::dc_error;
use super::guard::guard;
use super::status::dc_status;
use super::strings::{clear_out, options_arg, set_out};
use crate::auth::AuthConfig;
use crate::error::Result;
use crate::{system, Client};

/// Checks `out_json` and the client, runs `f`, hands its JSON out.
fn json_out(client: *const dc_client, out_json: *mut *mut c_char, f: impl FnOnce(&Client) -> Result<String>) -> Result<()> {
    clear_out(out_json, "out_json")?;
    let c = client_ref(client)?;
    set_out(out_json, f(c)?)
}

/// Pings the daemon (HEAD /_ping, GET if HEAD is refused). *out_json receives
/// {"api_version": "1.41", "os_type": "linux", "experimental": false,
///  "builder_version": "1" or null} (values from the daemon's headers; null when absent).
/// Free it with dc_string_free(). Statuses: DC_TRANSPORT, DC_TIMEOUT, DC_SERVER_ERROR.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_system_ping(
    client: *const dc_client,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || json_out(client, out_json, |c| system::ping(c).map(|p| p.to_json())))
}

/// GET /version: the daemon's answer, verbatim JSON. Free with dc_string_free().
/// Statuses: DC_INVALID_ARGUMENT (NULL client or out_json), DC_TRANSPORT, DC_TIMEOUT,
/// DC_SERVER_ERROR.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_system_version(
    client: *const dc_client,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || json_out(client, out_json, |c| system::version(c).map(|j| j.into_string())))
}

/// GET /info: the daemon's answer, verbatim JSON. Free with dc_string_free().
/// Statuses: DC_INVALID_ARGUMENT (NULL client or out_json), DC_TRANSPORT, DC_TIMEOUT,
/// DC_SERVER_ERROR.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_system_info(
    client: *const dc_client,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || json_out(client, out_json, |c| system::info(c).map(|j| j.into_string())))
}

/// POST /auth: asks the daemon to check registry credentials.
/// credentials_json: {"username", "password", "email", "serveraddress", "identitytoken",
/// "registrytoken"} (all strings, all optional; "serveraddress" names the registry, default
/// Docker Hub). *out_json receives the daemon's answer verbatim, e.g.
/// {"Status": "Login Succeeded", "IdentityToken": ""}. Free with dc_string_free().
/// NULL or "" credentials send an empty object (an anonymous check of Docker Hub).
/// Statuses: DC_UNAUTHORIZED for refused credentials (also when the daemon reports the
/// registry's refusal as HTTP 500), DC_INVALID_ARGUMENT (NULL client or out_json, bad JSON,
/// unknown key; no credential is ever quoted in a message), DC_SERVER_ERROR (the registry
/// cannot be reached), DC_TRANSPORT, DC_TIMEOUT.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_system_auth(
    client: *const dc_client,
    credentials_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        json_out(client, out_json, |c| {
            // SAFETY: NULL or a NUL-terminated string from the caller.
            let creds: AuthConfig = unsafe { options_arg(credentials_json, "credentials") }?;
            system::auth(c, &creds).map(|j| j.into_string())
        })
    })
}
