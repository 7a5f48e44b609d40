//! Random identifiers (a generated Dockerfile's name, a build ID, a session ID): not secrets,
//! only names that must not collide.

use std::fs::File;
use std::io::Read;
use std::time::{SystemTime, UNIX_EPOCH};

/// `bytes` random bytes as lower-case hex (from `/dev/urandom`; where that cannot be read, from
/// std's randomly keyed hasher over the time, the process and a counter).
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    let from_urandom = File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut buf)).is_ok();
    if !from_urandom {
        use std::hash::{BuildHasher, Hasher};
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
        h.write_u32(std::process::id());
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        for chunk in buf.chunks_mut(8) {
            let v = h.finish().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
            h.write_u64(u64::from_le_bytes(v));
        }
    }
    super::hex(&buf)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_of_the_asked_length_and_different_each_time() {
        let a = super::random_hex(10);
        assert_eq!(a.len(), 20);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, super::random_hex(10));
    }
}
