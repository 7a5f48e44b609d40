//! `dc_client`: creating, freeing and asking a client handle.

use std::ffi::c_char;

use super::error_object::dc_error;
use super::guard::{guard, guard_value};
use super::status::dc_status;
use super::strings::{clear_out, options_arg, set_out};
use crate::client::{Client, ClientOptions};
use crate::error::{Error, Result};

/// A connection to one Docker daemon. Thread-safe: one handle may serve many threads at once.
#[allow(non_camel_case_types)]
pub struct dc_client {
    pub(crate) client: Client,
}

/// The Rust client behind a handle, or invalid argument for NULL.
pub(crate) fn client_ref<'a>(client: *const dc_client) -> Result<&'a Client> {
    // SAFETY: NULL or a handle returned by dc_client_new and not yet freed.
    unsafe { client.as_ref() }
        .map(|c| &c.client)
        .ok_or_else(|| Error::invalid("client is NULL"))
}

/// Creates a client.
///
/// options_json: NULL or "" for everything from the environment as the docker CLI reads it
/// (DOCKER_HOST, DOCKER_CONTEXT and the config's currentContext, DOCKER_TLS_VERIFY,
/// DOCKER_TLS, DOCKER_CERT_PATH, DOCKER_API_VERSION; default unix:///var/run/docker.sock).
/// Otherwise a JSON object; absent keys still come from the environment:
/// - "host": "unix:///path" | "tcp://host:port" | "http://host:port" | "https://host:port"
///   | "ssh://[user@]host[:port]"
/// - "context": a docker context's name, as `docker --context` (not with "host"). The daemon
///   is chosen as the CLI chooses it: "host" or "context", else DOCKER_HOST, else
///   DOCKER_CONTEXT, else "currentContext" in the config file, else the default socket; the
///   context "default" means DOCKER_HOST or the default socket. A stored context is read from
///   `<config dir>/contexts/meta/<sha256 of its name>/meta.json` (its docker endpoint's
///   "Host" and "SkipTLSVerify") with its TLS files from `contexts/tls/<…>/docker/`; the config
///   dir is "docker_config", else DOCKER_CONFIG, else ~/.docker. dc_client_endpoint() tells
///   what was chosen and why.
/// - "proxy": an HTTP proxy URL ("http://[user:password@]host:port", or https:// for TLS to
///   the proxy) for tcp:// and https:// daemons, or "none"; default: HTTP_PROXY (plain
///   daemons) or HTTPS_PROXY (TLS daemons), lower case too, minus NO_PROXY and loopback hosts,
///   as the docker CLI reads them. Unix sockets and ssh never use a proxy. The library
///   tunnels with CONNECT.
/// - "api_version": "1.41" pins the version (no negotiation); default: negotiated on first
///   use with the daemon and clamped to 1.12..1.56.
/// - "tls": {"ca": path, "cert": path, "key": path (PKCS#1 or PKCS#8 PEM), "verify": bool
///   (default true)}; makes tcp:// use TLS.
/// - "timeout_ms": whole-call limit (0 = none, the default).
/// - "inactivity_timeout_ms": longest silence between two reads (0 = none, the default).
/// - "user_agent": User-Agent header.
/// - "docker_config": the docker config directory registry credentials come from (holding
///   config.json, as the CLI's --config); default DOCKER_CONFIG, else ~/.docker.
///
/// No connection is made here. On success *out_client receives a handle to free with
/// dc_client_free(). Returns DC_INVALID_ARGUMENT for bad JSON, unknown keys, wrong types, a
/// bad host, an unreadable TLS file, an unknown context or a broken context file (the
/// message names the context, where its name came from, and the file), or a NULL out.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_client_new(
    options_json: *const c_char,
    out_client: *mut *mut dc_client,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_client, "out_client")?;
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let opts: ClientOptions = unsafe { options_arg(options_json, "client options") }?;
        let client = Client::new(&opts)?;
        // SAFETY: checked by clear_out.
        unsafe { *out_client = Box::into_raw(Box::new(dc_client { client })) };
        Ok(())
    })
}

/// Frees a client and closes its idle connections. NULL is allowed. No call may be running
/// on the handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_client_free(client: *mut dc_client) {
    guard_value((), || {
        if !client.is_null() {
            // SAFETY: a handle from dc_client_new, freed once.
            drop(unsafe { Box::from_raw(client) })
        }
    })
}

/// The API version the client uses, e.g. "1.41": the pinned one, or the one negotiated with
/// the daemon (negotiating now if not done yet, which needs the daemon to answer).
/// *out_version receives a string to free with dc_string_free().
/// Statuses: DC_INVALID_ARGUMENT (NULL client or out_version), and when negotiating:
/// DC_TRANSPORT, DC_TIMEOUT, DC_SERVER_ERROR (an unreadable API-Version header).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_client_api_version(
    client: *const dc_client,
    out_version: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_version, "out_version")?;
        let c = client_ref(client)?;
        set_out(out_version, c.api_version()?.to_string())
    })
}

/// Which daemon the client talks to, and why (for debugging a setup, as dc_auth_resolve is for
/// credentials). No request is sent.
///
/// *out_json receives {"host": the endpoint ("unix:///var/run/docker.sock",
/// "https://host:2376", "ssh://user@host"), "source": "option" | "DOCKER_HOST" |
/// `"context:<name>"` | "default", "context": the context's name or null, "tls": null (plain)
/// or {"ca", "cert", "key": paths or null, "verify": bool}, "proxy": null or {"url": the
/// proxy with its password hidden, "source": "option" | "HTTP_PROXY" | "https_proxy" | …}}.
/// Free it with dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT (NULL client or out_json).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_client_endpoint(
    client: *const dc_client,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_json, "out_json")?;
        let c = client_ref(client)?;
        set_out(out_json, c.endpoint_json())
    })
}
