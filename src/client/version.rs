//! Engine API versions: parsing, ordering, and the range this library speaks.

use std::fmt;

use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    pub major: u16,
    pub minor: u16,
}

impl ApiVersion {
    pub const fn new(major: u16, minor: u16) -> ApiVersion {
        ApiVersion { major, minor }
    }

    /// Oldest version the library speaks.
    pub const MIN: ApiVersion = ApiVersion::new(1, 12);
    /// Newest version the library speaks.
    pub const MAX: ApiVersion = ApiVersion::new(1, 56);
    /// What a daemon that sends no `API-Version` header is assumed to speak (as the CLI does).
    pub const NO_HEADER_FALLBACK: ApiVersion = ApiVersion::new(1, 24);

    /// Parses `"1.41"` (a leading `v` is allowed).
    pub fn parse(s: &str) -> Result<ApiVersion> {
        let t = s.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        let bad = || Error::invalid(format!("invalid API version \"{s}\": expected MAJOR.MINOR like \"1.41\""));
        let (a, b) = t.split_once('.').ok_or_else(bad)?;
        let digits = |x: &str| !x.is_empty() && x.len() <= 4 && x.bytes().all(|c| c.is_ascii_digit());
        if !digits(a) || !digits(b) {
            return Err(bad());
        }
        Ok(ApiVersion::new(a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?))
    }

    /// Clamps a daemon's version into the supported range.
    pub fn clamp_supported(self) -> ApiVersion {
        self.clamp(ApiVersion::MIN, ApiVersion::MAX)
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        assert_eq!(ApiVersion::parse("1.41").unwrap(), ApiVersion::new(1, 41));
        assert_eq!(ApiVersion::parse("v1.9").unwrap(), ApiVersion::new(1, 9));
        assert!(ApiVersion::parse("1.9").unwrap() < ApiVersion::parse("1.12").unwrap());
        for bad in ["", "1", "1.", ".1", "a.b", "1.41.2", "1.-1", "99999.1"] {
            assert!(ApiVersion::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn clamps_into_range() {
        assert_eq!(ApiVersion::new(1, 60).clamp_supported(), ApiVersion::MAX);
        assert_eq!(ApiVersion::new(1, 5).clamp_supported(), ApiVersion::MIN);
        assert_eq!(ApiVersion::new(1, 41).clamp_supported(), ApiVersion::new(1, 41));
    }
}
