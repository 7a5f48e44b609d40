//! The build context served on demand (`FileSync/DiffCopy`), the library being fsutil's
//! sender: it lists the directory the daemon names (`dir-name` = `context` or `dockerfile`)
//! as `STAT` packets in walk order, filtered by the patterns the daemon sends (it reads
//! `.dockerignore` itself), and sends a file's bytes only when the daemon asks (`REQ`): the
//! daemon compares the listing with its copy from the last build of the same directory, so a
//! rebuild after touching one file transfers that file.
//!
//! Packets (`fsutil.types.Packet`): `STAT` with a `Stat` per entry and an empty one at the end
//! of the listing; the daemon's `REQ{ID}` (IDs count every `STAT` sent, from 0); `DATA{ID,
//! bytes}` in pieces and an empty `DATA{ID}` ending the file; the daemon's `FIN`, answered with
//! `FIN`. Entries are sent depth first, each directory's names in byte order (the order the
//! daemon checks), uid and gid 0 (as the CLI sends a context), modes as Go's `FileMode`.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use h2::server::SendResponse;
use h2::{RecvStream, SendStream};
use prost::Message;

use super::grpc::{self, Code, Status};
use crate::build_context::IgnoreRules;

/// Largest piece of a file in one `DATA` packet (as fsutil sends).
const PIECE: usize = 32 * 1024;
/// Packets are gathered up to this size before they go out.
const BATCH: usize = 64 * 1024;

const STAT: i32 = 0;
const REQ: i32 = 1;
const DATA: i32 = 2;
const FIN: i32 = 3;
const ERR: i32 = 4;

/// `fsutil.types.Packet`.
#[derive(Clone, PartialEq, Message)]
struct Packet {
    #[prost(int32, tag = "1")]
    kind: i32,
    #[prost(message, optional, tag = "2")]
    stat: Option<Stat>,
    #[prost(uint32, tag = "3")]
    id: u32,
    #[prost(bytes = "vec", tag = "4")]
    data: Vec<u8>,
}

/// `fsutil.types.Stat`.
#[derive(Clone, PartialEq, Message)]
struct Stat {
    #[prost(string, tag = "1")]
    path: String,
    #[prost(uint32, tag = "2")]
    mode: u32,
    #[prost(uint32, tag = "3")]
    uid: u32,
    #[prost(uint32, tag = "4")]
    gid: u32,
    #[prost(int64, tag = "5")]
    size: i64,
    #[prost(int64, tag = "6")]
    mod_time: i64,
    #[prost(string, tag = "7")]
    linkname: String,
    /// A device's numbers (the daemon makes the node with them).
    #[prost(int64, tag = "8")]
    devmajor: i64,
    #[prost(int64, tag = "9")]
    devminor: i64,
    /// Extended attributes, which BuildKit keeps through `COPY`.
    #[prost(btree_map = "string, bytes", tag = "10")]
    xattrs: std::collections::BTreeMap<String, Vec<u8>>,
}

// Go's os.FileMode bits.
const MODE_DIR: u32 = 1 << 31;
const MODE_SYMLINK: u32 = 1 << 27;
const MODE_DEVICE: u32 = 1 << 26;
const MODE_NAMED_PIPE: u32 = 1 << 25;
const MODE_SETUID: u32 = 1 << 23;
const MODE_SETGID: u32 = 1 << 22;
const MODE_CHAR_DEVICE: u32 = 1 << 21;
const MODE_STICKY: u32 = 1 << 20;

// Unix's set-id and sticky bits (libc's mode_t is u32 on Linux, u16 on some other systems).
#[allow(clippy::unnecessary_cast)]
const UNIX_S_ISUID: u32 = libc::S_ISUID as u32;
#[allow(clippy::unnecessary_cast)]
const UNIX_S_ISGID: u32 = libc::S_ISGID as u32;
#[allow(clippy::unnecessary_cast)]
const UNIX_S_ISVTX: u32 = libc::S_ISVTX as u32;

/// What the daemon asked for in the call's metadata.
pub struct Request {
    pub dir_name: String,
    pub excludes: Vec<String>,
    pub includes: Vec<String>,
}

impl Request {
    pub fn from_headers(headers: &http::HeaderMap) -> Request {
        // Engine 20.10 sends the values as raw UTF-8; newer daemons percent-encode them and
        // say so in `<name>-encoded`.
        let all = |name: &str| -> Vec<String> {
            let encoded = headers.get(format!("{name}-encoded")).is_some();
            headers
                .get_all(name)
                .iter()
                .map(|v| {
                    let raw = String::from_utf8_lossy(v.as_bytes()).into_owned();
                    if encoded { percent_decode(&raw) } else { raw }
                })
                .collect()
        };
        let mut includes = all("include-patterns");
        includes.extend(all("followpaths"));
        Request {
            dir_name: all("dir-name").into_iter().next().unwrap_or_default(),
            excludes: all("exclude-patterns"),
            includes,
        }
    }
}

/// `%XX` sequences decoded (Go's `url.QueryUnescape`, `+` as a space).
fn percent_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(hi << 4 | lo);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One listed entry.
struct Entry {
    stat: Stat,
    /// Set for regular files: where their bytes are read from.
    file: Option<PathBuf>,
}

/// Serves one `DiffCopy` call for the directory `root`, adding the bytes sent to `sent`: every
/// packet's encoded size (the listing, the files' `DATA`, `FIN`), which is what BuildKit's
/// "transferring context" counter adds up on its side.
pub async fn serve(mut body: RecvStream, respond: SendResponse<Bytes>, root: PathBuf, req: Request, sent: Arc<AtomicU64>) {
    let entries = match list(&root, &req) {
        Ok(e) => e,
        Err(status) => return grpc::reply_status(respond, status),
    };
    let mut respond = respond;
    let Ok(mut out) = respond.send_response(grpc::response_head(), false) else { return };
    // The daemon's REQs arrive while the listing goes out: read them on their own task.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Packet>();
    let reader = tokio::spawn(async move {
        let mut pending = Vec::new();
        while let Ok(Some(message)) = grpc::next_message(&mut body, &mut pending).await {
            let Ok(p) = Packet::decode(message.as_slice()) else { break };
            if tx.send(p).is_err() {
                break;
            }
        }
    });
    let result = async {
        let mut batch = Vec::new();
        let mut files: HashMap<u32, PathBuf> = HashMap::new();
        for (id, entry) in entries.into_iter().enumerate() {
            if let Some(path) = entry.file {
                files.insert(id as u32, path);
            }
            sent.fetch_add(push(&mut batch, &Packet { kind: STAT, stat: Some(entry.stat), ..Default::default() }), Ordering::Relaxed);
            if batch.len() >= BATCH {
                send(&mut out, &mut batch).await?;
            }
        }
        // The end of the listing: a STAT without a Stat.
        sent.fetch_add(push(&mut batch, &Packet::default()), Ordering::Relaxed);
        send(&mut out, &mut batch).await?;
        while let Some(p) = rx.recv().await {
            match p.kind {
                REQ => {
                    let path = files.remove(&p.id).ok_or_else(|| Status::new(Code::InvalidArgument, format!("invalid file id {}", p.id)))?;
                    let n = send_file(&mut out, p.id, &path).await?;
                    sent.fetch_add(n, Ordering::Relaxed);
                }
                FIN => {
                    sent.fetch_add(push(&mut batch, &Packet { kind: FIN, ..Default::default() }), Ordering::Relaxed);
                    return send(&mut out, &mut batch).await;
                }
                ERR => {
                    return Err(Status::new(Code::Internal, format!("error from the daemon: {}", String::from_utf8_lossy(&p.data))));
                }
                _ => {}
            }
        }
        Err(Status::new(Code::Internal, "the daemon ended the transfer before its FIN"))
    }
    .await;
    reader.abort();
    match result {
        Ok(()) => {
            let _ = out.send_trailers(grpc::ok_trailers());
        }
        Err(status) => {
            let mut trailers = grpc::ok_trailers();
            grpc::set_status(&mut trailers, &status);
            let _ = out.send_trailers(trailers);
        }
    }
}

/// Adds one packet to `batch`; its encoded size (the gRPC frame's five bytes not counted, as
/// fsutil counts packets).
fn push(batch: &mut Vec<u8>, p: &Packet) -> u64 {
    let encoded = p.encode_to_vec();
    batch.extend_from_slice(&grpc::frame(&encoded));
    encoded.len() as u64
}

/// Sends what is gathered, within the stream's flow-control window (never more buffered than
/// the daemon accepts, whatever the context's size).
async fn send(out: &mut SendStream<Bytes>, batch: &mut Vec<u8>) -> Result<(), Status> {
    let mut data = Bytes::from(std::mem::take(batch));
    while !data.is_empty() {
        out.reserve_capacity(data.len());
        let granted = match std::future::poll_fn(|cx| out.poll_capacity(cx)).await {
            Some(Ok(n)) => n,
            Some(Err(e)) => return Err(Status::new(Code::Internal, format!("sending: {e}"))),
            None => return Err(Status::new(Code::Internal, "the daemon closed the transfer")),
        };
        let piece = data.split_to(granted.min(data.len()));
        out.send_data(piece, false).map_err(|e| Status::new(Code::Internal, format!("sending: {e}")))?;
    }
    Ok(())
}

/// A file's bytes in `DATA` pieces, then the empty `DATA` that ends it; the packets' encoded
/// size. A file that cannot be read fails the transfer naming it.
async fn send_file(out: &mut SendStream<Bytes>, id: u32, path: &Path) -> Result<u64, Status> {
    let fail = |e: std::io::Error| Status::new(Code::Internal, format!("reading {}: {e}", path.display()));
    let mut file = fs::File::open(path).map_err(fail)?;
    let mut batch = Vec::new();
    let mut buf = vec![0u8; PIECE];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(fail)?;
        if n == 0 {
            break;
        }
        total += push(&mut batch, &Packet { kind: DATA, id, data: buf[..n].to_vec(), ..Default::default() });
        if batch.len() >= BATCH {
            send(out, &mut batch).await?;
        }
    }
    total += push(&mut batch, &Packet { kind: DATA, id, ..Default::default() });
    send(out, &mut batch).await?;
    Ok(total)
}

/// The listing of `root` the daemon asked for, in walk order.
fn list(root: &Path, req: &Request) -> Result<Vec<Entry>, Status> {
    let rules = IgnoreRules::from_patterns(&req.excludes)
        .map_err(|e| Status::new(Code::InvalidArgument, format!("exclude patterns: {}", e.message)))?;
    let includes: Vec<String> = req.includes.iter().map(|p| clean(p)).collect();
    let includes = if includes.iter().any(|p| p == ".") { Vec::new() } else { includes };
    let mut out = Vec::new();
    let mut included_dir: Option<String> = None;
    walk(root, "", &rules, &includes, &mut included_dir, &mut out)
        .map_err(|e| Status::new(Code::Internal, format!("listing {}: {e}", root.display())))?;
    Ok(out)
}

fn walk(
    dir: &Path,
    rel_dir: &str,
    rules: &IgnoreRules,
    includes: &[String],
    included_dir: &mut Option<String>,
    out: &mut Vec<Entry>,
) -> std::io::Result<()> {
    let mut names: Vec<std::ffi::OsString> = fs::read_dir(dir)?.map(|e| e.map(|e| e.file_name())).collect::<Result<_, _>>()?;
    names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    for name in names {
        let Some(name_str) = name.to_str() else { continue };
        let rel = if rel_dir.is_empty() { name_str.to_string() } else { format!("{rel_dir}/{name_str}") };
        let path = dir.join(&name);
        let md = fs::symlink_metadata(&path)?;
        let is_dir = md.is_dir();
        if !includes.is_empty() {
            let inside = included_dir.as_ref().is_some_and(|d| rel.starts_with(&format!("{d}/")));
            if !inside {
                let mut hit = false;
                let mut whole = false;
                for p in includes {
                    let (pattern, partial) = truncate(p, &rel);
                    if glob(&pattern, &rel) {
                        hit = true;
                        whole |= !partial;
                    }
                }
                if !hit {
                    continue;
                }
                if whole && is_dir {
                    *included_dir = Some(rel.clone());
                }
            }
        }
        // An excluded directory is still walked when a `!` pattern may bring something back.
        if rules.is_excluded(&rel) && (!is_dir || !rules.may_reinclude_under(&rel)) {
            continue;
        }
        let ft = md.file_type();
        if ft.is_socket() {
            continue;
        }
        let mut mode = md.mode() & 0o777;
        let raw = md.mode();
        if raw & UNIX_S_ISUID != 0 {
            mode |= MODE_SETUID;
        }
        if raw & UNIX_S_ISGID != 0 {
            mode |= MODE_SETGID;
        }
        if raw & UNIX_S_ISVTX != 0 {
            mode |= MODE_STICKY;
        }
        let mut linkname = String::new();
        if is_dir {
            mode |= MODE_DIR;
        } else if ft.is_symlink() {
            mode |= MODE_SYMLINK;
            linkname = fs::read_link(&path)?.to_string_lossy().into_owned();
        } else if ft.is_fifo() {
            mode |= MODE_NAMED_PIPE;
        } else if ft.is_char_device() {
            mode |= MODE_DEVICE | MODE_CHAR_DEVICE;
        } else if ft.is_block_device() {
            mode |= MODE_DEVICE;
        }
        let size = if is_dir { 0 } else { md.size() as i64 };
        let mod_time = md.mtime() * 1_000_000_000 + md.mtime_nsec();
        let file = ft.is_file().then(|| path.clone());
        let (devmajor, devminor) = if ft.is_char_device() || ft.is_block_device() {
            (i64::from(libc::major(md.rdev() as libc::dev_t)), i64::from(libc::minor(md.rdev() as libc::dev_t)))
        } else {
            (0, 0)
        };
        // uid and gid are 0, as the CLI resets them for a build context.
        let stat = Stat {
            path: rel.clone(),
            mode,
            uid: 0,
            gid: 0,
            size,
            mod_time,
            linkname,
            devmajor,
            devminor,
            xattrs: crate::platform::xattr::all(&path),
        };
        out.push(Entry { stat, file });
        if is_dir {
            walk(&path, &rel, rules, includes, included_dir, out)?;
        }
    }
    Ok(())
}

/// A pattern cut to as many components as `path` has (`partial` when cut), as fsutil matches
/// include patterns against the parents of what they name.
fn truncate(pattern: &str, path: &str) -> (String, bool) {
    let depth = path.split('/').count();
    let parts: Vec<&str> = pattern.split('/').collect();
    if parts.len() > depth {
        (parts[..depth].join("/"), true)
    } else {
        (pattern.to_string(), false)
    }
}

/// `path.Clean` for a relative pattern.
fn clean(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    if parts.is_empty() { ".".to_string() } else { parts.join("/") }
}

/// Go's `filepath.Match`: `*` (not across `/`), `?`, `[...]` classes, `\` escapes.
fn glob(pattern: &str, name: &str) -> bool {
    fn m(p: &[u8], n: &[u8]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some(b'*') => (0..=n.len()).take_while(|&i| i == 0 || n[i - 1] != b'/').any(|i| m(&p[1..], &n[i..])),
            Some(b'?') => !n.is_empty() && n[0] != b'/' && m(&p[1..], &n[1..]),
            Some(b'[') => {
                let Some(end) = p.iter().position(|&c| c == b']') else { return false };
                if n.is_empty() || n[0] == b'/' {
                    return false;
                }
                let class = &p[1..end];
                let (negate, class) = match class.first() {
                    Some(b'^') | Some(b'!') => (true, &class[1..]),
                    _ => (false, class),
                };
                let c = n[0];
                let mut i = 0;
                let mut hit = false;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == b'-' {
                        hit |= class[i] <= c && c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == c;
                        i += 1;
                    }
                }
                hit != negate && m(&p[end + 1..], &n[1..])
            }
            Some(b'\\') if p.len() > 1 => !n.is_empty() && n[0] == p[1] && m(&p[2..], &n[1..]),
            Some(&c) => !n.is_empty() && n[0] == c && m(&p[1..], &n[1..]),
        }
    }
    m(pattern.as_bytes(), name.as_bytes())
}

/// Receives a `local` output into `dest` (fsutil's receiver, roles reversed: the daemon lists,
/// the library asks for each regular file, then says `FIN`). Existing files of `dest` are kept
/// (merge, as the CLI does). Every path is checked: no absolute path, no `..`, nothing written
/// through a symbolic link (one listed earlier could point anywhere).
pub async fn receive(mut body: RecvStream, mut respond: SendResponse<Bytes>, dest: PathBuf, received: Arc<AtomicU64>) {
    let Ok(mut out) = respond.send_response(grpc::response_head(), false) else { return };
    let result = async {
        fs::create_dir_all(&dest).map_err(|e| Status::new(Code::Internal, format!("cannot create {}: {e}", dest.display())))?;
        let mut pending = Vec::new();
        let mut next_id: u32 = 0;
        let mut open: HashMap<u32, (fs::File, PathBuf, u32)> = HashMap::new();
        let mut listing_done = false;
        let mut fin_sent = false;
        let mut batch = Vec::new();
        while let Some(message) = grpc::next_message(&mut body, &mut pending).await? {
            let p = Packet::decode(message.as_slice()).map_err(|e| Status::new(Code::InvalidArgument, e.to_string()))?;
            match p.kind {
                STAT => match p.stat {
                    None => listing_done = true,
                    Some(st) => {
                        let id = next_id;
                        next_id += 1;
                        let target = safe_join(&dest, &st.path)?;
                        let fail = |e: std::io::Error| Status::new(Code::Internal, format!("{}: {e}", target.display()));
                        let perm = st.mode & 0o7777;
                        if st.mode & MODE_DIR != 0 {
                            fs::create_dir_all(&target).map_err(fail)?;
                            set_mode(&target, perm | mode_bits(st.mode)).map_err(fail)?;
                        } else if st.mode & MODE_SYMLINK != 0 {
                            let _ = fs::remove_file(&target);
                            std::os::unix::fs::symlink(&st.linkname, &target).map_err(fail)?;
                        } else if !st.linkname.is_empty() {
                            let first = safe_join(&dest, &st.linkname)?;
                            let _ = fs::remove_file(&target);
                            fs::hard_link(&first, &target).map_err(fail)?;
                        } else if st.mode & (MODE_DEVICE | MODE_NAMED_PIPE) != 0 {
                            // Devices and pipes are not recreated by an unprivileged export.
                        } else {
                            let file = fs::File::create(&target).map_err(fail)?;
                            open.insert(id, (file, target, perm | mode_bits(st.mode)));
                            push(&mut batch, &Packet { kind: REQ, id, ..Default::default() });
                            if batch.len() >= BATCH {
                                send(&mut out, &mut batch).await?;
                            }
                        }
                    }
                },
                DATA if p.data.is_empty() => {
                    let Some((_, path, mode)) = open.remove(&p.id) else {
                        return Err(Status::new(Code::InvalidArgument, format!("data for an unknown file id {}", p.id)));
                    };
                    set_mode(&path, mode).map_err(|e| Status::new(Code::Internal, format!("{}: {e}", path.display())))?;
                }
                DATA => {
                    let Some((file, path, _)) = open.get_mut(&p.id) else {
                        return Err(Status::new(Code::InvalidArgument, format!("data for an unknown file id {}", p.id)));
                    };
                    std::io::Write::write_all(file, &p.data)
                        .map_err(|e| Status::new(Code::Internal, format!("writing {}: {e}", path.display())))?;
                    received.fetch_add(p.data.len() as u64, Ordering::Relaxed);
                }
                FIN => {
                    if !fin_sent {
                        push(&mut batch, &Packet { kind: FIN, ..Default::default() });
                    }
                    return send(&mut out, &mut batch).await;
                }
                ERR => return Err(Status::new(Code::Internal, format!("error from the daemon: {}", String::from_utf8_lossy(&p.data)))),
                _ => {}
            }
            if !batch.is_empty() {
                send(&mut out, &mut batch).await?;
            }
            if listing_done && open.is_empty() && !fin_sent {
                push(&mut batch, &Packet { kind: FIN, ..Default::default() });
                send(&mut out, &mut batch).await?;
                fin_sent = true;
            }
        }
        if fin_sent { Ok(()) } else { Err(Status::new(Code::Internal, "the export ended before the whole listing came")) }
    }
    .await;
    let mut trailers = grpc::ok_trailers();
    if let Err(status) = result {
        grpc::set_status(&mut trailers, &status);
    }
    let _ = out.send_trailers(trailers);
}

/// Go's setuid/setgid/sticky bits as Unix ones.
fn mode_bits(go_mode: u32) -> u32 {
    let mut m = 0;
    if go_mode & MODE_SETUID != 0 {
        m |= UNIX_S_ISUID;
    }
    if go_mode & MODE_SETGID != 0 {
        m |= UNIX_S_ISGID;
    }
    if go_mode & MODE_STICKY != 0 {
        m |= UNIX_S_ISVTX;
    }
    m
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

/// `dest/rel` for a path the daemon sent: relative, no `..`, and no existing symbolic link on
/// the way (the export never writes outside `dest`).
fn safe_join(dest: &Path, rel: &str) -> Result<PathBuf, Status> {
    let bad = || Status::new(Code::InvalidArgument, format!("the daemon sent an unsafe path {rel:?}"));
    if rel.is_empty() || rel.starts_with('/') || rel.contains('\0') {
        return Err(bad());
    }
    let mut path = dest.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() || *part == "." || *part == ".." {
            return Err(bad());
        }
        path.push(part);
        if i + 1 < parts.len() && fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(bad());
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_paths_stay_inside() {
        let dir = std::env::temp_dir().join(format!("dc-safe-join-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink("/etc", dir.join("link")).unwrap();
        assert!(safe_join(&dir, "a/b").is_ok());
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a//b", "link/passwd"] {
            assert!(safe_join(&dir, bad).is_err(), "{bad}");
        }
        assert!(safe_join(&dir, "link").is_ok(), "the link itself may be replaced");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn encoded_values_are_decoded() {
        assert_eq!(percent_decode("%C3%BC%2A.txt"), "ü*.txt");
        assert_eq!(percent_decode("a+b%zz%"), "a b%zz%");
    }

    #[test]
    fn globs_as_go() {
        assert!(glob("*.txt", "a.txt"));
        assert!(!glob("*.txt", "d/a.txt"));
        assert!(glob("d/*", "d/a"));
        assert!(glob("a?c", "abc"));
        assert!(glob("[a-c]x", "bx") && !glob("[^a-c]x", "bx"));
        assert!(glob("Dockerfile", "Dockerfile") && !glob("Dockerfile", "Dockerfile.dockerignore"));
    }

    #[test]
    fn listings_follow_walk_order_and_the_daemons_patterns() {
        let dir = std::env::temp_dir().join(format!("dc-filesync-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for f in ["a/x", "a.txt", "b/keep/k", "b/drop", "node_modules/m/i.js", "Dockerfile"] {
            let p = dir.join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, f).unwrap();
        }
        let names = |req: Request| list(&dir, &req).unwrap().into_iter().map(|e| e.stat.path).collect::<Vec<_>>();
        let all = names(Request { dir_name: "context".into(), excludes: vec![], includes: vec![] });
        assert_eq!(all, ["Dockerfile", "a", "a/x", "a.txt", "b", "b/drop", "b/keep", "b/keep/k", "node_modules", "node_modules/m", "node_modules/m/i.js"]);
        let some = names(Request { dir_name: "context".into(), excludes: vec!["node_modules".into(), "b".into(), "!b/keep".into()], includes: vec![] });
        assert_eq!(some, ["Dockerfile", "a", "a/x", "a.txt", "b", "b/keep", "b/keep/k"]);
        let only = names(Request { dir_name: "dockerfile".into(), excludes: vec![], includes: vec!["Dockerfile".into(), "Dockerfile.dockerignore".into()] });
        assert_eq!(only, ["Dockerfile"]);
        let sub = names(Request { dir_name: "context".into(), excludes: vec![], includes: vec!["b/keep".into()] });
        assert_eq!(sub, ["b", "b/keep", "b/keep/k"]);
        let stats = list(&dir, &Request { dir_name: "context".into(), excludes: vec![], includes: vec!["a".into()] }).unwrap();
        assert_eq!(stats[0].stat.mode & MODE_DIR, MODE_DIR);
        assert_eq!(stats[1].stat.size, 3);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn listings_carry_device_numbers_and_extended_attributes() {
        use std::os::unix::ffi::OsStrExt;
        let dir = std::env::temp_dir().join(format!("dc-filesync-attrs-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("marked"), "m").unwrap();
        let c = |p: &std::path::Path| std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
        // SAFETY: NUL-terminated strings and a value buffer of the given length.
        let set = unsafe { libc::lsetxattr(c(&dir.join("marked")).as_ptr(), c"user.dc".as_ptr(), b"v1".as_ptr().cast(), 2, 0) };
        assert_eq!(set, 0, "user xattrs on {}: {}", dir.display(), std::io::Error::last_os_error());
        // The tests run as root (as the test engine needs): /dev/null's numbers, 1 and 3.
        // SAFETY: a NUL-terminated path.
        let made = unsafe { libc::mknod(c(&dir.join("null")).as_ptr(), libc::S_IFCHR | 0o644, libc::makedev(1, 3)) };
        assert_eq!(made, 0, "mknod: {}", std::io::Error::last_os_error());
        let stats = list(&dir, &Request { dir_name: "context".into(), excludes: vec![], includes: vec![] }).unwrap();
        let marked = &stats.iter().find(|e| e.stat.path == "marked").unwrap().stat;
        assert_eq!(marked.xattrs.get("user.dc").map(Vec::as_slice), Some(&b"v1"[..]));
        assert_eq!((marked.devmajor, marked.devminor), (0, 0));
        let null = &stats.iter().find(|e| e.stat.path == "null").unwrap().stat;
        assert_eq!(null.mode & (MODE_DEVICE | MODE_CHAR_DEVICE), MODE_DEVICE | MODE_CHAR_DEVICE);
        assert_eq!((null.devmajor, null.devminor), (1, 3));
        fs::remove_dir_all(&dir).unwrap();
    }
}
