//! Tar headers written the way Go's `archive/tar` writes them for the docker CLI.
//!
//! Docker asks for `FormatPAX`, which Go's writer treats as "USTAR when it fits, PAX when it
//! must": a header stays plain USTAR unless a name is non-ASCII or too long even for the USTAR
//! prefix field, a link target is non-ASCII or longer than 100 bytes, the size or mtime does
//! not fit the octal fields, or there are PAX records (Docker adds one for the
//! `security.capability` xattr). Field layout and formatting follow Go's writer byte for byte
//! so the stream the daemon gets is the one the CLI would send.

use std::io::{self, Write};

/// What an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryKind {
    Regular,
    Dir,
    Symlink,
    HardLink,
}

impl EntryKind {
    fn flag(self) -> u8 {
        match self {
            EntryKind::Regular => b'0',
            EntryKind::HardLink => b'1',
            EntryKind::Symlink => b'2',
            EntryKind::Dir => b'5',
        }
    }
}

/// One header's content. uid/gid are always 0 and user/group names empty, as the CLI sends.
pub(crate) struct Entry<'a> {
    /// Full name inside the archive; directories end with `/`.
    pub name: &'a [u8],
    pub kind: EntryKind,
    /// Target of a symlink or hard link, empty otherwise.
    pub link: &'a [u8],
    /// Content length (0 for anything but a regular file).
    pub size: u64,
    /// Permission bits plus setuid/setgid/sticky (07777).
    pub mode: u32,
    /// Seconds since the epoch (Docker truncates to whole seconds).
    pub mtime: i64,
    /// Extra PAX records (`SCHILY.xattr.*`).
    pub records: &'a [(String, Vec<u8>)],
}

use super::BLOCK;
const NAME: (usize, usize) = (0, 100);
const MODE: (usize, usize) = (100, 8);
const UID: (usize, usize) = (108, 8);
const GID: (usize, usize) = (116, 8);
const SIZE: (usize, usize) = (124, 12);
const MTIME: (usize, usize) = (136, 12);
const CHKSUM: (usize, usize) = (148, 8);
const TYPEFLAG: usize = 156;
const LINKNAME: (usize, usize) = (157, 100);
const MAGIC: (usize, usize) = (257, 8);
const DEVMAJOR: (usize, usize) = (329, 8);
const DEVMINOR: (usize, usize) = (337, 8);
const PREFIX: (usize, usize) = (345, 155);

/// Writes the header (preceded by a PAX extended header when one is needed). The caller then
/// writes exactly `entry.size` bytes and [`write_padding`].
pub(crate) fn write_header<W: Write>(out: &mut W, e: &Entry) -> io::Result<()> {
    let mut pax: Vec<(String, Vec<u8>)> = e.records.to_vec();
    let mut ustar_ok = e.records.is_empty();
    let split = split_ustar_path(e.name);
    if !is_ascii(e.name) || e.name.len() > NAME.1 {
        pax.push(("path".into(), e.name.to_vec()));
        ustar_ok &= split.is_some();
    }
    if !is_ascii(e.link) || e.link.len() > LINKNAME.1 {
        pax.push(("linkpath".into(), e.link.to_vec()));
        ustar_ok = false;
    }
    if !fits_octal(SIZE.1, e.size as i64) || e.size > i64::MAX as u64 {
        pax.push(("size".into(), e.size.to_string().into_bytes()));
        ustar_ok = false;
    }
    if !fits_octal(MTIME.1, e.mtime) {
        pax.push(("mtime".into(), e.mtime.to_string().into_bytes()));
        ustar_ok = false;
    }

    let mut b = [0u8; BLOCK];
    b[TYPEFLAG] = e.kind.flag();
    put_octal(&mut b, MODE, e.mode as i64);
    put_octal(&mut b, UID, 0);
    put_octal(&mut b, GID, 0);
    put_octal(&mut b, SIZE, e.size.min(i64::MAX as u64) as i64);
    put_octal(&mut b, MTIME, e.mtime);
    put_octal(&mut b, DEVMAJOR, 0);
    put_octal(&mut b, DEVMINOR, 0);
    b[MAGIC.0..MAGIC.0 + MAGIC.1].copy_from_slice(b"ustar\x0000");
    if ustar_ok {
        match split {
            Some((prefix, suffix)) if e.name.len() > NAME.1 => {
                put_str(&mut b, PREFIX, prefix);
                put_str(&mut b, NAME, suffix);
            }
            _ => put_str(&mut b, NAME, e.name),
        }
        put_str(&mut b, LINKNAME, e.link);
    } else {
        // Best effort in the main header; the PAX records carry the real values.
        put_str(&mut b, NAME, &to_ascii(e.name));
        put_str(&mut b, LINKNAME, &to_ascii(e.link));
        write_pax(out, e.name, &mut pax)?;
    }
    set_checksum(&mut b);
    out.write_all(&b)
}

/// Zeros up to the next 512-byte boundary after `size` bytes of content.
pub(crate) fn write_padding<W: Write>(out: &mut W, size: u64) -> io::Result<()> {
    let rem = (size % BLOCK as u64) as usize;
    if rem != 0 {
        out.write_all(&[0u8; BLOCK][..BLOCK - rem])?;
    }
    Ok(())
}

/// The end-of-archive marker: two zero blocks (Go's `Writer.Close`).
pub(crate) fn write_trailer<W: Write>(out: &mut W) -> io::Result<()> {
    out.write_all(&[0u8; 2 * BLOCK])
}

/// The PAX extended header entry ('x') for `name`, records sorted by key as Go does.
fn write_pax<W: Write>(out: &mut W, name: &[u8], records: &mut [(String, Vec<u8>)]) -> io::Result<()> {
    records.sort_by(|a, b| a.0.cmp(&b.0));
    let mut data = Vec::new();
    for (key, value) in records.iter() {
        data.extend_from_slice(&pax_record(key, value));
    }
    let mut b = [0u8; BLOCK];
    let mut pax_name = to_ascii(&pax_header_name(name));
    pax_name.truncate(NAME.1);
    while pax_name.last() == Some(&b'/') {
        pax_name.pop();
    }
    put_str(&mut b, NAME, &pax_name);
    put_octal(&mut b, MODE, 0);
    put_octal(&mut b, UID, 0);
    put_octal(&mut b, GID, 0);
    put_octal(&mut b, SIZE, data.len() as i64);
    put_octal(&mut b, MTIME, 0);
    // Go's writeRawFile leaves the device fields empty here, unlike in a file's header.
    b[TYPEFLAG] = b'x';
    b[MAGIC.0..MAGIC.0 + MAGIC.1].copy_from_slice(b"ustar\x0000");
    set_checksum(&mut b);
    out.write_all(&b)?;
    out.write_all(&data)?;
    write_padding(out, data.len() as u64)
}

/// `"%d key=value\n"` where the number is the record's own total length.
fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let base = key.len() + value.len() + 3; // space, '=', newline
    let mut len = base + base.to_string().len();
    if len.to_string().len() + base != len {
        len = base + len.to_string().len();
    }
    let mut rec = format!("{len} {key}=").into_bytes();
    rec.extend_from_slice(value);
    rec.push(b'\n');
    rec
}

/// Go's `path.Join(dir, "PaxHeaders.0", file)` for `dir, file := path.Split(name)`.
fn pax_header_name(name: &[u8]) -> Vec<u8> {
    let cut = name.iter().rposition(|&c| c == b'/').map_or(0, |i| i + 1);
    let (dir, file) = name.split_at(cut);
    let mut out = dir.strip_suffix(b"/").unwrap_or(dir).to_vec();
    if !out.is_empty() {
        out.push(b'/');
    }
    out.extend_from_slice(b"PaxHeaders.0");
    if !file.is_empty() {
        out.push(b'/');
        out.extend_from_slice(file);
    }
    out
}

/// Go's `splitUSTARPath`: a long ASCII name split at a `/` into prefix (≤155) and name (≤100).
fn split_ustar_path(name: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut length = name.len();
    if length <= NAME.1 || !is_ascii(name) {
        return None;
    } else if length > PREFIX.1 + 1 {
        length = PREFIX.1 + 1;
    } else if name[length - 1] == b'/' {
        length -= 1;
    }
    let i = name[..length].iter().rposition(|&c| c == b'/')?;
    let nlen = name.len() - i - 1;
    if i == 0 || nlen > NAME.1 || nlen == 0 || i > PREFIX.1 {
        return None;
    }
    Some((&name[..i], &name[i + 1..]))
}

/// Go's `isASCII`: no byte ≥ 0x80 and no NUL.
fn is_ascii(s: &[u8]) -> bool {
    s.iter().all(|&c| c != 0 && c < 0x80)
}

/// Go's `toASCII`: drops every non-ASCII character (and NULs).
fn to_ascii(s: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(s).chars().filter(|&c| c != '\0' && c.is_ascii()).map(|c| c as u8).collect()
}

fn fits_octal(width: usize, x: i64) -> bool {
    let bits = (width as u32 - 1) * 3;
    x >= 0 && (width >= 22 || x < 1i64 << bits)
}

/// Go's `formatString`: copy, NUL-terminate when shorter, and when truncating avoid leaving a
/// trailing `/` that old readers would take for a directory.
fn put_str(b: &mut [u8; BLOCK], (off, len): (usize, usize), s: &[u8]) {
    let field = &mut b[off..off + len];
    let n = s.len().min(len);
    field[..n].copy_from_slice(&s[..n]);
    if s.len() < len {
        field[s.len()] = 0;
    }
    if s.len() > len && field[len - 1] == b'/' {
        let keep = field.iter().rposition(|&c| c != b'/').map_or(0, |i| i + 1);
        field[keep] = 0;
    }
}

/// Go's `formatOctal`: zero-padded octal with a final NUL; 0 when the value does not fit.
fn put_octal(b: &mut [u8; BLOCK], (off, len): (usize, usize), x: i64) {
    let x = if fits_octal(len, x) { x } else { 0 };
    let s = format!("{:0width$o}", x, width = len - 1);
    put_str(b, (off, len), s.as_bytes());
}

/// Unsigned sum of the block with the checksum field read as spaces, written as Go does:
/// six octal digits, NUL, space.
fn set_checksum(b: &mut [u8; BLOCK]) {
    b[CHKSUM.0..CHKSUM.0 + CHKSUM.1].fill(b' ');
    let sum: u32 = b.iter().map(|&c| c as u32).sum();
    let s = format!("{sum:06o}\0 ");
    b[CHKSUM.0..CHKSUM.0 + CHKSUM.1].copy_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(name: &'a [u8], kind: EntryKind, link: &'a [u8]) -> Entry<'a> {
        Entry { name, kind, link, size: 0, mode: 0o644, mtime: 1_600_000_000, records: &[] }
    }

    fn read_back(bytes: &[u8]) -> Vec<(String, String)> {
        let mut ar = tar::Archive::new(bytes);
        ar.entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let link = e.link_name().unwrap().map(|l| l.to_string_lossy().into_owned()).unwrap_or_default();
                (e.path().unwrap().to_string_lossy().into_owned(), link)
            })
            .collect()
    }

    #[test]
    fn pax_record_length_counts_itself() {
        assert_eq!(pax_record("path", b"a"), b"9 path=a\n".to_vec());
        // 9 bytes without the length field: adding "10" makes 11, which needs two digits too.
        assert_eq!(pax_record("path", b"ab"), b"11 path=ab\n".to_vec());
        let r = pax_record("path", &[b'x'; 95]);
        assert_eq!(r.len().to_string(), String::from_utf8_lossy(&r[..3]));
    }

    #[test]
    fn checksum_and_fields_follow_go() {
        let mut out = Vec::new();
        write_header(&mut out, &entry(b"a.txt", EntryKind::Regular, b"")).unwrap();
        assert_eq!(out.len(), 512);
        assert_eq!(&out[100..108], b"0000644\0");
        assert_eq!(&out[155..156], b" ");
        assert_eq!(out[154], 0);
        let h = tar::Header::from_byte_slice(&out);
        assert_eq!(h.cksum().unwrap(), h.as_bytes().iter().enumerate().map(|(i, &c)| if (148..156).contains(&i) { 32 } else { c as u32 }).sum::<u32>());
    }

    #[test]
    fn long_names_use_ustar_prefix_or_pax() {
        let mid = format!("{}/{}", "d".repeat(120), "f".repeat(50));
        let long = format!("{}/{}", "d".repeat(200), "f".repeat(50));
        let uni = "dïr/fïle".to_string();
        let target = "t".repeat(150);
        let mut out = Vec::new();
        for n in [&mid, &long, &uni] {
            write_header(&mut out, &entry(n.as_bytes(), EntryKind::Regular, b"")).unwrap();
        }
        write_header(&mut out, &entry(b"l", EntryKind::Symlink, target.as_bytes())).unwrap();
        write_trailer(&mut out).unwrap();
        // The middle-length name fits the USTAR prefix: no PAX header, so 1 block.
        let got = read_back(&out);
        assert_eq!(got.iter().map(|g| g.0.as_str()).collect::<Vec<_>>(), vec![&mid, &long, &uni, "l"]);
        assert_eq!(got[3].1, target);
        assert_eq!(out.len(), 512 * (1 + 3 + 3 + 3 + 2));
    }

    #[test]
    fn pax_header_names_follow_go() {
        assert_eq!(pax_header_name(b"a/b/c"), b"a/b/PaxHeaders.0/c".to_vec());
        assert_eq!(pax_header_name(b"c"), b"PaxHeaders.0/c".to_vec());
        assert_eq!(pax_header_name(b"a/b/"), b"a/b/PaxHeaders.0".to_vec());
    }
}
