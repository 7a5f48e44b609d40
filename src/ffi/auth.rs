//! Registry credentials kept on the machine: `dc_auth_resolve` (which ones the library would
//! use, without the secrets), `dc_auth_login` and `dc_auth_logout` (keep and remove them as
//! `docker login` / `docker logout` do).

use std::ffi::c_char;

use super::client::{client_ref, dc_client};
use super::error_object::dc_error;
use super::guard::guard;
use super::status::dc_status;
use super::cancel::bound;
use super::strings::{clear_out, opt_str, options_arg, options_with_cancel, set_out};
use crate::auth::{redacted_json, AuthConfig};
use crate::client::CredentialSource;
use crate::system::login::{login, logout, LoginOptions};

/// Tells which credentials dc_image_pull and dc_image_push would send to a registry when given
/// no "auth" option, so a setup can be debugged. Nothing secret is returned.
///
/// client_or_null: the client whose credential source is asked (its "docker_config" option),
/// or NULL for the docker config the environment names. No request is sent to the daemon:
/// credentials come from that config exactly as for pulls and pushes (`<dir>/config.json`, the
/// directory being the client's "docker_config", else $DOCKER_CONFIG, else ~/.docker;
/// "credHelpers" for the registry, else "credsStore", else "auths"; helpers
/// `docker-credential-<name>` are run from PATH with the registry on stdin).
///
/// registry: the registry in any common spelling ("127.0.0.1:5000", "http://host:5000/v2/",
/// "docker.io", "https://index.docker.io/v1/"); NULL or "" means Docker Hub.
///
/// On success *out_json receives {"registry": normalized key ("https://index.docker.io/v1/"
/// for Docker Hub, else host[:port]), "found": bool, "source": "auths" | `"credsStore:<name>"` |
/// `"credHelper:<name>"` | null, "username", "email", "serveraddress" (strings or null),
/// "has_password", "has_identitytoken", "has_registrytoken" (bools)}. Free it with
/// dc_string_free(). A missing config file or helper is not an error: "found" is false.
///
/// Statuses: DC_INVALID_ARGUMENT (NULL out_json, a registry that is not UTF-8, a config file
/// that is not valid JSON or a docker config: the message names the file, an invalid helper
/// name), DC_UNAUTHORIZED when a credential helper fails or answers something unreadable (the
/// message names the helper and its exit status, never its output).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_auth_resolve(
    client_or_null: *const dc_client,
    registry: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_json, "out_json")?;
        let source = match client_or_null.is_null() {
            true => CredentialSource::Environment,
            false => client_ref(client_or_null)?.credentials().clone(),
        };
        // SAFETY: NULL or a NUL-terminated string from the caller.
        let registry = unsafe { opt_str(registry, "registry") }?.unwrap_or("");
        let resolved = source.load()?.resolve_with_source(registry)?;
        set_out(out_json, redacted_json(&resolved, registry))
    })
}

/// Logs in to a registry and keeps the credentials, as `docker login` does: the daemon checks
/// them (POST /auth), then they are stored where the docker CLI stores them, so later pulls and
/// pushes (of this library, without an "auth" option, and of the docker CLI) use them.
///
/// credentials_json (required): {"username", "password", "serveraddress", "identitytoken",
/// "email", "registrytoken"} (strings): a user name and password, or an identity token.
/// "serveraddress" names the registry in any spelling ("127.0.0.1:5000",
/// "https://host:5000/v2/"); absent or "" is Docker Hub.
///
/// Where they are kept: the config file of the client's credential source (its
/// "docker_config" directory, else $DOCKER_CONFIG, else ~/.docker: `config.json`). When that
/// file names a credential helper for the registry ("credHelpers", else "credsStore"),
/// `docker-credential-<name> store` receives the secret on stdin and the file only gains an
/// empty "auths" entry for the registry; otherwise "auths" gains {"auth": base64
/// "user:password"}, or {"identitytoken": …} when the registry returned one (then kept instead
/// of the password). The file is replaced atomically, keeps its mode (0600 when new) and every
/// byte of other entries, and a symlink to it is followed. Nothing is written when the
/// credentials are refused.
///
/// options_json: NULL or "", else {"timeout_ms", "inactivity_timeout_ms", "cancel"} for the
/// daemon's check.
///
/// On success *out_json receives {"registry": the config key ("https://index.docker.io/v1/"
/// for Docker Hub, else host[:port]), "stored_in": "auths" | `"credsStore:<name>"` |
/// `"credHelper:<name>"`, "config": the file's path, "status": the daemon's "Status",
/// "identity_token": whether an identity token was kept}. No secret is in it. Free it with
/// dc_string_free().
///
/// Statuses: DC_UNAUTHORIZED (credentials refused; a helper that failed to store),
/// DC_INVALID_ARGUMENT (no user name and password nor identity token; a config file that is
/// not valid JSON; a client whose docker config has no file), DC_SERVER_ERROR (registry
/// unreachable), DC_TRANSPORT, DC_TIMEOUT, DC_CANCELLED. No credential is ever quoted in an
/// error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_auth_login(
    client: *const dc_client,
    credentials_json: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_json, "out_json")?;
        let c = client_ref(client)?;
        // SAFETY: NULL or NUL-terminated strings from the caller.
        let creds: AuthConfig = unsafe { options_arg(credentials_json, "credentials") }?;
        // SAFETY: as above.
        let (opts, cancel): (LoginOptions, _) = unsafe { options_with_cancel(options_json, "login options") }?;
        set_out(out_json, login(&bound(c, cancel), &creds, &opts)?.to_json())
    })
}

/// Removes the kept credentials of a registry, as `docker logout` does: from the credential
/// helper the client's config names for it (`docker-credential-<name> erase`), and its
/// "auths" entry in the config file (other bytes kept, as for dc_auth_login). No request goes
/// to the daemon.
///
/// registry: any spelling, NULL or "" for Docker Hub. options_json: NULL or "" (reserved).
///
/// On success *out_json receives {"registry", "found": bool, "removed_from": ["auths",
/// `"credsStore:<name>"`, …], "config": path}. Nothing kept is not an error ("found" is
/// false). Free it with dc_string_free().
///
/// Statuses: DC_INVALID_ARGUMENT (a config file that is not valid JSON; a client whose docker
/// config has no file; options that are not an empty object), DC_UNAUTHORIZED (the helper
/// failed to erase).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dc_auth_logout(
    client: *const dc_client,
    registry: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    err: *mut *mut dc_error,
) -> dc_status {
    guard(err, || {
        clear_out(out_json, "out_json")?;
        let c = client_ref(client)?;
        // SAFETY: NULL or NUL-terminated strings from the caller.
        let registry = unsafe { opt_str(registry, "registry") }?.unwrap_or("");
        // SAFETY: as above.
        let _: LogoutOptions = unsafe { options_arg(options_json, "logout options") }?;
        set_out(out_json, logout(c, registry)?.to_json())
    })
}

/// `dc_auth_logout` takes no options yet; an empty object is accepted so callers can pass one.
#[derive(Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LogoutOptions {}
