//! Times as the docker CLI accepts them for `since` and `until`, turned into what the daemon
//! reads (Unix seconds, `"1700000000"` or `"1700000000.000000001"`).
//!
//! The daemon reads only Unix time; the CLI converts everything else before sending
//! (`GetTimestamp`), and so does this module, with the same rules:
//! - a Go duration (`"10m"`, `"1h30m"`, `"1.5h"`): that long before now, in whole seconds;
//! - a Unix time (`"1700000000"`, `"1700000000.5"`): sent as it is;
//! - a date or date-time (`"2024-05-01"`, `"2024-05-01T10"`, `"2024-05-01T10:30"`,
//!   `"2024-05-01T10:30:00"`, with optional fractional seconds): with a zone (`Z`, `+02:00`)
//!   at that zone, without one in the machine's current UTC offset, as the CLI does.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

/// The daemon's form of `value` (see the module documentation); `what` names the option.
pub fn to_daemon(what: &str, value: &str) -> Result<String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    to_daemon_at(what, value, now, local_offset_seconds())
}

/// [`to_daemon`] at a given moment and local UTC offset (tests pin both).
pub fn to_daemon_at(what: &str, value: &str, now: i64, local_offset: i64) -> Result<String> {
    let bad = || {
        Error::invalid(format!(
            "{what}: \"{}\" is not a Unix time, a date (2024-05-01T10:30:00Z) or a duration (10m, 1h30m)",
            crate::options::bounded(value, crate::options::MAX_QUOTED).escape_debug()
        ))
    };
    if value != "0"
        && let Some(nanos) = go_duration_nanos(value)
    {
        // Like Go's `now.Add(-d).Unix()`: the instant, then its whole second (floored).
        let instant = i128::from(now) * 1_000_000_000 - i128::from(nanos);
        return Ok(instant.div_euclid(1_000_000_000).to_string());
    }
    if is_unix_time(value) {
        return Ok(value.to_string());
    }
    let (secs, nanos) = date_time(value, local_offset).ok_or_else(bad)?;
    Ok(format!("{secs}.{nanos:09}"))
}

/// `sec` or `sec.frac`, digits only.
fn is_unix_time(v: &str) -> bool {
    let (int, frac) = v.split_once('.').unwrap_or((v, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac)
}

/// A Go duration (`time.ParseDuration`) in nanoseconds.
fn go_duration_nanos(s: &str) -> Option<i64> {
    let (neg, mut rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += number * unit;
    }
    if !total.is_finite() || total > i64::MAX as f64 {
        return None;
    }
    Some(if neg { -(total as i64) } else { total as i64 })
}

/// `YYYY-MM-DD[THH[:MM[:SS[.frac]]]][Z|±HH:MM]` as Unix seconds and nanoseconds.
fn date_time(v: &str, local_offset: i64) -> Option<(i64, u32)> {
    let (body, offset) = split_zone(v).unwrap_or((v, local_offset));
    let (date, time) = body.split_once('T').unwrap_or((body, ""));
    let d: Vec<&str> = date.split('-').collect();
    let [y, mo, da] = d.as_slice() else { return None };
    let num = |s: &str, len: usize| (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<i64>().ok()).flatten();
    let (y, mo, da) = (num(y, 4)?, num(mo, 2)?, num(da, 2)?);
    if !(1..=12).contains(&mo) || !(1..=days_in_month(y, mo)).contains(&da) {
        return None;
    }
    let (clock, frac) = time.split_once('.').unwrap_or((time, ""));
    let parts: Vec<&str> = if clock.is_empty() { Vec::new() } else { clock.split(':').collect() };
    if parts.len() > 3 || (!time.is_empty() && parts.is_empty()) || (!frac.is_empty() && parts.len() != 3) {
        return None;
    }
    let field = |i: usize, max: i64| parts.get(i).map_or(Some(0), |p| num(p, 2).filter(|n| *n <= max));
    let (h, mi, s) = (field(0, 23)?, field(1, 59)?, field(2, 59)?);
    if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
        return None;
    }
    let nanos = if frac.is_empty() { 0 } else { format!("{frac:0<9}").parse::<u32>().ok()? };
    let secs = days_from_civil(y, mo, da) * 86_400 + h * 3600 + mi * 60 + s - offset;
    Some((secs, nanos))
}

/// Splits a trailing `Z` or `±HH:MM` off; the offset in seconds east of UTC.
fn split_zone(v: &str) -> Option<(&str, i64)> {
    if let Some(body) = v.strip_suffix(['Z', 'z']) {
        return Some((body, 0));
    }
    // A zone needs a time before it: "2024-05-01" ends in "-01", which is no zone.
    let t = v.find('T')?;
    let at = v[t..].rfind(['+', '-'])? + t;
    let zone = &v[at + 1..];
    let (hh, mm) = zone.split_once(':')?;
    let ok = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !ok(hh) || !ok(mm) {
        return None;
    }
    let secs = hh.parse::<i64>().ok()? * 3600 + mm.parse::<i64>().ok()? * 60;
    Some((&v[..at], if v.as_bytes()[at] == b'-' { -secs } else { secs }))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The machine's UTC offset now, in seconds east (the CLI reads dates without a zone in it).
fn local_offset_seconds() -> i64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as libc::time_t).unwrap_or(0);
    // SAFETY: localtime_r writes into the tm we own; a zeroed tm is a valid starting value.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&now, &mut tm).is_null() {
            return 0;
        }
        tm.tm_gmtoff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn at(v: &str) -> Result<String> {
        to_daemon_at("since", v, NOW, 7200)
    }

    #[test]
    fn durations_are_that_long_before_now() {
        assert_eq!(at("10m").unwrap(), (NOW - 600).to_string());
        assert_eq!(at("1h30m").unwrap(), (NOW - 5400).to_string());
        assert_eq!(at("1.5h").unwrap(), (NOW - 5400).to_string());
        assert_eq!(at("-1h").unwrap(), (NOW + 3600).to_string());
        assert_eq!(at("500ms").unwrap(), (NOW - 1).to_string());
    }

    #[test]
    fn unix_times_pass_through() {
        assert_eq!(at("0").unwrap(), "0");
        assert_eq!(at("1700000000").unwrap(), "1700000000");
        assert_eq!(at("1700000000.000000001").unwrap(), "1700000000.000000001");
    }

    #[test]
    fn dates_with_and_without_zones() {
        assert_eq!(at("1970-01-01T00:00:00Z").unwrap(), "0.000000000");
        assert_eq!(at("2023-11-14T22:13:20Z").unwrap(), "1700000000.000000000");
        assert_eq!(at("2023-11-14T22:13:20.5Z").unwrap(), "1700000000.500000000");
        assert_eq!(at("2023-11-15T00:13:20+02:00").unwrap(), "1700000000.000000000");
        assert_eq!(at("2023-11-14T17:13:20-05:00").unwrap(), "1700000000.000000000");
        // No zone: the local offset (here +02:00).
        assert_eq!(at("2023-11-15T00:13:20").unwrap(), "1700000000.000000000");
        assert_eq!(at("2023-11-15T00:13").unwrap(), "1699999980.000000000");
        assert_eq!(at("2023-11-15T00").unwrap(), "1699999200.000000000");
        assert_eq!(at("2023-11-15").unwrap(), "1699999200.000000000");
        assert_eq!(at("2024-02-29T00:00:00Z").unwrap(), "1709164800.000000000");
    }

    #[test]
    fn anything_else_is_refused_naming_the_option() {
        for bad in ["", "yesterday", "10x", "2023-13-01", "2023-02-30", "2023-11-14T25:00", "1.2.3", "h", "12:00"] {
            let e = at(bad).unwrap_err();
            assert!(e.message.starts_with("since:"), "{bad}: {}", e.message);
        }
    }
}
