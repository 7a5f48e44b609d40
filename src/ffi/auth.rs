//! `dc_auth_resolve`: which registry credentials the library would use, without the secrets.

use std::ffi::c_char;

use super::client::{client_ref, dc_client};
use super::error_object::dc_error;
use super::guard::guard;
use super::status::dc_status;
use super::strings::{clear_out, opt_str, set_out};
use crate::auth::redacted_json;
use crate::client::CredentialSource;

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
