//! The `X-Registry-Auth` header for an image operation: the caller's credentials when given,
//! else the ones the docker config holds for the image's registry (as the docker CLI does),
//! else none.

use crate::auth::{AuthConfig, DockerConfig, registry_for_reference};
use crate::error::Result;
use crate::reference::Reference;

/// Credentials for `reference`'s registry, explicit ones first.
pub fn credentials_for(reference: &Reference, explicit: Option<&AuthConfig>) -> Result<Option<AuthConfig>> {
    if let Some(a) = explicit {
        return Ok(Some(a.clone()));
    }
    let config = DockerConfig::load()?;
    config.resolve(&registry_for_reference(reference))
}

/// The header value (base64url JSON) for `reference`, or `None` when there are no credentials.
pub fn header_for(reference: &Reference, explicit: Option<&AuthConfig>) -> Result<Option<String>> {
    Ok(credentials_for(reference, explicit)?.map(|a| a.encode_header()))
}

/// The header value for a registry host (search, login), explicit credentials first.
pub fn header_for_registry(registry: &str, explicit: Option<&AuthConfig>) -> Result<Option<String>> {
    if let Some(a) = explicit {
        return Ok(Some(a.encode_header()));
    }
    Ok(DockerConfig::load()?.resolve(registry)?.map(|a| a.encode_header()))
}
