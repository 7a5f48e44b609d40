//! Writes a build-context directory as the tar the docker CLI sends (classic builder:
//! `archive.TarWithOptions` with the `.dockerignore` patterns and uid/gid forced to 0).
//!
//! What the CLI does, and so what this does: a depth-first walk with each directory's entries
//! sorted by name; names relative to the context, directories with a trailing `/`; uid/gid 0,
//! no user/group names; permission bits and whole-second mtimes kept; symlinks stored, never
//! followed; a file with several links that was already written stored as a hard link to the
//! first name; excluded paths left out. An excluded directory is not walked unless a `!`
//! pattern names something under it; then only the re-included entries are written, WITHOUT
//! the excluded parent directories (the daemon creates missing parents when extracting).
//! The Dockerfile and `.dockerignore` are always sent (the CLI appends `!` patterns for them).
//!
//! Where this differs from the CLI on purpose: sockets, FIFOs and device nodes are skipped
//! (the CLI archives FIFOs and devices); an unreadable file or directory is an error (the CLI
//! logs it and sends a context without it); hard links are tracked by (device, inode) rather
//! than inode alone; the Dockerfile is sent even where the CLI's own check (its older,
//! one-ancestor `Matches`) misses that it is excluded and so leaves it out; after an added
//! Dockerfile the archive is properly finished (the CLI's rewriting step closes its pipe before
//! the last padding and end marker, which the daemon tolerates). Otherwise the output was
//! checked byte for byte against docker CLI 28.2 (`DOCKER_BUILDKIT=0`) on generated contexts.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::{self, File, Metadata};
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::build_context::ignore::{IgnoreRules, WalkMatch, clean};
use crate::tar::writer::{Entry, EntryKind, write_header, write_padding, write_trailer};
use crate::error::{Error, Result, Status};

/// Big writes: the output is usually a pipe or a socket.
const OUT_BUFFER: usize = 256 * 1024;

/// What to send as the build context.
#[derive(Clone, Debug, Default)]
pub struct ContextSpec {
    /// The context directory.
    pub dir: PathBuf,
    /// The Dockerfile's path relative to `dir` (`/`-separated), sent even if `.dockerignore`
    /// excludes it. `None` when the Dockerfile is not inside the context. (The CLI resolves
    /// symlinks in the Dockerfile's path before making it relative.)
    pub dockerfile_rel: Option<String>,
    /// In-memory files appended after the walk: (name in the archive, content). Mode 0600,
    /// mtime now, as the CLI writes the Dockerfile it adds.
    pub extra_files: Vec<(String, Vec<u8>)>,
    /// Lines appended to the `.dockerignore` that is sent (one is created, listing itself, when
    /// the context has none). The CLI lists the generated Dockerfile there so that the daemon
    /// deletes it from the context after reading it and `COPY .` does not pick it up.
    pub dockerignore_additions: Vec<String>,
    /// For BuildKit, which reads a context tar as it is (it applies no `.dockerignore` from
    /// it): `.dockerignore` is sent only where its own patterns keep it, and nothing is added
    /// to it. The Dockerfile is still always sent (BuildKit reads it from the tar).
    pub for_buildkit: bool,
}

impl ContextSpec {
    pub fn new(dir: impl Into<PathBuf>) -> ContextSpec {
        ContextSpec { dir: dir.into(), ..ContextSpec::default() }
    }

    /// Adds a Dockerfile that is not in the context (read from elsewhere or given inline) the
    /// way the CLI does: under a random `.dockerfile.<hex>` name, listed in the `.dockerignore`
    /// sent. Returns the name to pass as the build's `dockerfile` parameter.
    pub fn add_generated_dockerfile(&mut self, content: Vec<u8>) -> String {
        let name = generated_dockerfile_name();
        self.extra_files.push((name.clone(), content));
        self.dockerignore_additions.push(name.clone());
        name
    }
}

/// `.dockerfile.` followed by 20 random hex digits, as the CLI names an added Dockerfile.
pub fn generated_dockerfile_name() -> String {
    format!(".dockerfile.{}", crate::platform::random_hex(10))
}

/// Writes the context tar to `out` and returns `out` once the archive is complete.
/// On error the archive is left unfinished (no end marker), so it cannot pass for a whole one.
pub fn write_context<W: Write>(spec: &ContextSpec, rules: &IgnoreRules, out: W) -> Result<W> {
    let md = fs::metadata(&spec.dir).map_err(|e| path_error("cannot open build context", &spec.dir, e))?;
    if !md.is_dir() {
        return Err(Error::invalid(format!("build context {} is not a directory", spec.dir.display())));
    }
    let dockerfile = spec.dockerfile_rel.as_deref().map(clean);
    let kept = [(!spec.for_buildkit).then_some(".dockerignore"), dockerfile.as_deref()];
    let rules = rules.with_kept_paths(kept.into_iter().flatten());
    let additions: &[String] = if spec.for_buildkit { &[] } else { &spec.dockerignore_additions };
    let mut w = Writer {
        out: BufWriter::with_capacity(OUT_BUFFER, out),
        links: HashMap::new(),
        dockerignore_suffix: dockerignore_suffix(additions),
    };
    walk(&spec.dir, &rules, &mut w)?;
    // Go's tar writer rounds these headers' mtime to the nearest second (no format is chosen).
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| (d.as_millis() as i64 + 500) / 1000);
    for (name, content) in &spec.extra_files {
        let name = clean(name);
        if name.starts_with("../") || name.starts_with('/') || name == "." || name == ".." {
            return Err(Error::invalid(format!("extra context file name {name:?} is outside the context")));
        }
        w.memory_file(name.as_bytes(), content, now)?;
    }
    if let Some(suffix) = w.dockerignore_suffix.take() {
        // The context had no .dockerignore: send one that lists itself, as the CLI does.
        let mut content = b".dockerignore".to_vec();
        content.extend_from_slice(&suffix);
        w.memory_file(b".dockerignore", &content, now)?;
    }
    write_trailer(&mut w.out).map_err(write_error)?;
    w.out.into_inner().map_err(|e| write_error(e.into_error()))
}

/// `"\n<name>\n"` for each addition (the CLI's exact bytes), or `None` when there are none.
fn dockerignore_suffix(additions: &[String]) -> Option<Vec<u8>> {
    if additions.is_empty() {
        return None;
    }
    Some(additions.iter().flat_map(|a| format!("\n{a}\n").into_bytes()).collect())
}

/// One directory being walked: its remaining sorted entries and what matching gave for it.
struct Frame {
    abs: PathBuf,
    rel: Vec<u8>,
    entries: std::vec::IntoIter<(OsString, fs::FileType)>,
    matched: Option<WalkMatch>,
}

/// Depth-first, sorted, without recursion (deep trees must not exhaust the thread's stack).
fn walk<W: Write>(root: &Path, rules: &IgnoreRules, w: &mut Writer<W>) -> Result<()> {
    let mut stack = vec![Frame { abs: root.to_path_buf(), rel: Vec::new(), entries: list_dir(root)?, matched: None }];
    while let Some(frame) = stack.last_mut() {
        let Some((name, ftype)) = frame.entries.next() else {
            stack.pop();
            continue;
        };
        let abs = frame.abs.join(&name);
        let mut rel = frame.rel.clone();
        if !rel.is_empty() {
            rel.push(b'/');
        }
        rel.extend_from_slice(name.as_bytes());
        // Patterns are text; a name that is not UTF-8 is matched in its lossy form.
        let rel_text = String::from_utf8_lossy(&rel).into_owned();
        let matched = rules.walk_match(&rel_text, frame.matched.as_ref());
        if matched.excluded() {
            // Walk an excluded directory only if a `!` pattern may bring back something in it.
            if ftype.is_dir() && rules.reinclusion_under(&rel_text) {
                let entries = list_dir(&abs)?;
                stack.push(Frame { abs, rel, entries, matched: Some(matched) });
            }
            continue;
        }
        w.add(&abs, &rel)?;
        if ftype.is_dir() {
            let entries = list_dir(&abs)?;
            stack.push(Frame { abs, rel, entries, matched: Some(matched) });
        }
    }
    Ok(())
}

/// A directory's entries sorted by name bytes, as Go's `os.ReadDir` returns them.
fn list_dir(dir: &Path) -> Result<std::vec::IntoIter<(OsString, fs::FileType)>> {
    let fail = |e| path_error("cannot read directory", dir, e);
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(fail)? {
        let entry = entry.map_err(fail)?;
        entries.push((entry.file_name(), entry.file_type().map_err(fail)?));
    }
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(entries.into_iter())
}

struct Writer<W: Write> {
    out: BufWriter<W>,
    /// (device, inode) of files with several links → the name they were first written under.
    links: HashMap<(u64, u64), Vec<u8>>,
    /// Bytes to append to the context's `.dockerignore`; taken once that file is written.
    dockerignore_suffix: Option<Vec<u8>>,
}

impl<W: Write> Writer<W> {
    /// Writes one walked entry.
    fn add(&mut self, abs: &Path, rel: &[u8]) -> Result<()> {
        let md = fs::symlink_metadata(abs).map_err(|e| path_error("cannot stat", abs, e))?;
        let ft = md.file_type();
        if rel == b".dockerignore" && self.dockerignore_suffix.is_some() {
            return self.patched_dockerignore(abs, &md);
        }
        let key = (md.dev(), md.ino());
        if !ft.is_dir() && md.nlink() > 1
            && let Some(first) = self.links.get(&key) {
                let first = first.clone();
                return self.header(abs, &md, rel, EntryKind::HardLink, &first, 0);
            }
        if ft.is_dir() {
            let mut name = rel.to_vec();
            name.push(b'/');
            self.header(abs, &md, &name, EntryKind::Dir, b"", 0)
        } else if ft.is_symlink() {
            let target = fs::read_link(abs).map_err(|e| path_error("cannot read symlink", abs, e))?;
            self.remember_link(&md, rel);
            self.header(abs, &md, rel, EntryKind::Symlink, target.as_os_str().as_bytes(), 0)
        } else if ft.is_file() {
            let (mut file, md) = open_regular(abs, &md)?;
            self.remember_link(&md, rel);
            self.header(abs, &md, rel, EntryKind::Regular, b"", md.size())?;
            self.copy_content(&mut file, abs, md.size())?;
            write_padding(&mut self.out, md.size()).map_err(write_error)
        } else {
            // Sockets, FIFOs, devices: nothing a build can use (and a FIFO could block reads).
            debug_assert!(ft.is_socket() || ft.is_fifo() || ft.is_char_device() || ft.is_block_device());
            Ok(())
        }
    }

    fn remember_link(&mut self, md: &Metadata, rel: &[u8]) {
        if md.nlink() > 1 {
            self.links.entry((md.dev(), md.ino())).or_insert_with(|| rel.to_vec());
        }
    }

    fn header(&mut self, abs: &Path, md: &Metadata, name: &[u8], kind: EntryKind, link: &[u8], size: u64) -> Result<()> {
        let records: Vec<(String, Vec<u8>)> = security_capability(abs)
            .map(|v| vec![("SCHILY.xattr.security.capability".to_string(), v)])
            .unwrap_or_default();
        let entry = Entry { name, kind, link, size, mode: md.mode() & 0o7777, mtime: md.mtime(), records: &records };
        write_header(&mut self.out, &entry).map_err(write_error)
    }

    /// Streams exactly `size` bytes of `file` (never the whole file in memory).
    fn copy_content(&mut self, file: &mut File, abs: &Path, size: u64) -> Result<()> {
        let mut src = ReadSide { inner: file.take(size), failed: false };
        let copied = match io::copy(&mut src, &mut self.out) {
            Ok(n) => n,
            Err(e) if src.failed => return Err(path_error("cannot read", abs, e)),
            Err(e) => return Err(write_error(e)),
        };
        if copied < size {
            return Err(Error::invalid(format!("{} shrank while the build context was being sent", abs.display())));
        }
        Ok(())
    }

    /// The context's `.dockerignore` with the additions appended (the CLI rewrites it in place,
    /// keeping its header but for the size).
    fn patched_dockerignore(&mut self, abs: &Path, md: &Metadata) -> Result<()> {
        if !md.file_type().is_file() {
            return Err(Error::invalid(format!(
                "{} is not a regular file, so the generated Dockerfile cannot be listed in it",
                abs.display()
            )));
        }
        let suffix = self.dockerignore_suffix.take().unwrap_or_default();
        let (mut file, md) = open_regular(abs, md)?;
        let size = md.size() + suffix.len() as u64;
        self.header(abs, &md, b".dockerignore", EntryKind::Regular, b"", size)?;
        self.copy_content(&mut file, abs, md.size())?;
        self.out.write_all(&suffix).map_err(write_error)?;
        write_padding(&mut self.out, size).map_err(write_error)
    }

    fn memory_file(&mut self, name: &[u8], content: &[u8], mtime: i64) -> Result<()> {
        let size = content.len() as u64;
        let entry = Entry { name, kind: EntryKind::Regular, link: b"", size, mode: 0o600, mtime, records: &[] };
        write_header(&mut self.out, &entry).map_err(write_error)?;
        self.out.write_all(content).map_err(write_error)?;
        write_padding(&mut self.out, size).map_err(write_error)
    }
}

/// Opens a file the walk saw as regular without following a symlink or blocking on a FIFO that
/// replaced it meanwhile, and checks it is still that file. Returns the opened file's metadata.
fn open_regular(abs: &Path, seen: &Metadata) -> Result<(File, Metadata)> {
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(abs)
        .map_err(|e| path_error("cannot open", abs, e))?;
    let md = file.metadata().map_err(|e| path_error("cannot stat", abs, e))?;
    if !md.is_file() || md.dev() != seen.dev() || md.ino() != seen.ino() {
        return Err(Error::invalid(format!("{} changed while the build context was being sent", abs.display())));
    }
    Ok((file, md))
}

/// The `security.capability` xattr, as Docker copies it into the tar (a v3 capability, which
/// names a root uid of a user namespace, is turned into v2 since the archive is not in one).
fn security_capability(abs: &Path) -> Option<Vec<u8>> {
    let mut cap = crate::platform::xattr::security_capability(abs)?;
    const REVISION_3: u8 = 3;
    if cap.len() > 3 && cap[3] == REVISION_3 && cap.len() >= 20 {
        cap[3] = 2;
        cap.truncate(20);
    }
    Some(cap)
}

/// Tells read errors (a context file) from write errors (the output) inside `io::copy`.
struct ReadSide<R> {
    inner: R,
    failed: bool,
}

impl<R: Read> Read for ReadSide<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|_| self.failed = true)
    }
}

/// An error about a file or directory of the context, naming it.
fn path_error(what: &str, path: &Path, e: io::Error) -> Error {
    let status = if e.kind() == io::ErrorKind::NotFound { Status::NotFound } else { Status::InvalidArgument };
    Error::new(status, format!("{what} {}: {e}", path.display()))
}

/// The output failed (the consumer went away or its transport failed).
fn write_error(e: io::Error) -> Error {
    Error::from(e).context("writing the build context")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;
    use crate::testutil::{Item, TempDir, as_nobody, can_provoke_eacces, names, read_tar};
    use std::os::unix::fs::{PermissionsExt, symlink};
    use std::time::Duration;

    fn tar_of(spec: &ContextSpec, ignore: &str) -> Vec<Item> {
        let rules = IgnoreRules::parse(ignore.as_bytes()).unwrap();
        let bytes = write_context(spec, &rules, Vec::new()).unwrap();
        assert_eq!(bytes.len() % 512, 0);
        assert!(bytes[bytes.len() - 1024..].iter().all(|&b| b == 0), "ends with two zero blocks");
        read_tar(&bytes)
    }

    fn item<'a>(items: &'a [Item], path: &str) -> &'a Item {
        items.iter().find(|i| i.path == path).unwrap_or_else(|| panic!("{path} missing from {:?}", names(items)))
    }

    #[test]
    fn walk_order_and_names_are_the_clis() {
        let d = TempDir::new("order");
        d.file("a/x", b"1");
        d.file("a.txt", b"2");
        d.file("a0", b"3");
        d.file("B", b"4");
        d.file("b/c/d.txt", b"5");
        d.dir("empty");
        let items = tar_of(&ContextSpec::new(d.path()), "");
        // Sorted by bytes ("B" < "a"), depth first, directories with a trailing slash.
        assert_eq!(names(&items), ["B", "a/", "a/x", "a.txt", "a0", "b/", "b/c/", "b/c/d.txt", "empty/"]);
        assert_eq!(item(&items, "b/c/d.txt").content, b"5");
        assert_eq!(item(&items, "a/").kind, tar::EntryType::Directory);
    }

    #[test]
    fn owner_is_root_and_names_empty() {
        let d = TempDir::new("owner");
        let f = d.file("f", b"x");
        // Best effort: as root, give the file another owner to prove it is not copied.
        let c = CString::new(f.as_os_str().as_bytes()).unwrap();
        unsafe { libc::chown(c.as_ptr(), 1234, 1234) };
        for i in tar_of(&ContextSpec::new(d.path()), "") {
            assert_eq!((i.uid, i.gid), (0, 0), "{}", i.path);
            assert!(i.uname.is_empty() && i.gname.is_empty(), "{}", i.path);
        }
    }

    #[test]
    fn modes_are_kept() {
        let d = TempDir::new("modes");
        for (name, mode) in [("exec", 0o755), ("private", 0o600), ("setuid", 0o4755), ("sticky", 0o1777)] {
            let p = d.file(name, b"x");
            fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
        }
        let sub = d.dir("sub");
        fs::set_permissions(&sub, fs::Permissions::from_mode(0o700)).unwrap();
        let items = tar_of(&ContextSpec::new(d.path()), "");
        assert_eq!(item(&items, "exec").mode, 0o755);
        assert_eq!(item(&items, "private").mode, 0o600);
        assert_eq!(item(&items, "setuid").mode, 0o4755);
        assert_eq!(item(&items, "sticky").mode, 0o1777);
        assert_eq!(item(&items, "sub/").mode, 0o700);
    }

    #[test]
    fn mtimes_are_kept_in_whole_seconds() {
        let d = TempDir::new("mtime");
        let p = d.file("f", b"x");
        let t = UNIX_EPOCH + Duration::from_millis(1_500_000_000_700);
        File::options().write(true).open(&p).unwrap().set_modified(t).unwrap();
        let sub = d.dir("sub");
        File::open(&sub).unwrap().set_modified(UNIX_EPOCH + Duration::from_secs(1_400_000_000)).unwrap();
        let items = tar_of(&ContextSpec::new(d.path()), "");
        assert_eq!(item(&items, "f").mtime, 1_500_000_000);
        assert_eq!(item(&items, "sub/").mtime, 1_400_000_000);
    }

    #[test]
    fn symlinks_are_stored_not_followed() {
        let d = TempDir::new("symlink");
        d.file("real/file", b"content");
        symlink("real/file", d.path().join("filelink")).unwrap();
        symlink("real", d.path().join("dirlink")).unwrap();
        symlink("/nonexistent/target", d.path().join("dangling")).unwrap();
        let items = tar_of(&ContextSpec::new(d.path()), "");
        assert_eq!(names(&items), ["dangling", "dirlink", "filelink", "real/", "real/file"]);
        let l = item(&items, "dirlink");
        assert_eq!((l.kind, l.link.as_str(), l.content.len()), (tar::EntryType::Symlink, "real", 0));
        assert_eq!(item(&items, "dangling").link, "/nonexistent/target");
        assert_eq!(item(&items, "filelink").mode, 0o777);
    }

    #[test]
    fn hard_links_point_to_the_first_name_written() {
        let d = TempDir::new("hardlink");
        let first = d.file("a", b"shared");
        fs::hard_link(&first, d.path().join("b")).unwrap();
        fs::hard_link(&first, d.path().join("c")).unwrap();
        let items = tar_of(&ContextSpec::new(d.path()), "");
        assert_eq!(item(&items, "a").kind, tar::EntryType::Regular);
        assert_eq!(item(&items, "a").content, b"shared");
        for name in ["b", "c"] {
            let l = item(&items, name);
            assert_eq!((l.kind, l.link.as_str(), l.content.len()), (tar::EntryType::Link, "a", 0));
        }
        // When the first name is excluded, the next one carries the content.
        let items = tar_of(&ContextSpec::new(d.path()), "a\n");
        assert_eq!(item(&items, "b").kind, tar::EntryType::Regular);
        assert_eq!(item(&items, "b").content, b"shared");
        assert_eq!(item(&items, "c").link, "b");
    }

    #[test]
    fn ignored_paths_are_left_out() {
        let d = TempDir::new("ignore");
        d.file("app.log", b"");
        d.file("src/main.rs", b"");
        d.file("src/debug.log", b"");
        d.file("node_modules/x/index.js", b"");
        d.file(".git/HEAD", b"");
        let items = tar_of(&ContextSpec::new(d.path()), "*.log\nnode_modules\n.git\n");
        // `*.log` is anchored at the root: src/debug.log stays. The ignore file itself is sent.
        assert_eq!(names(&items), ["src/", "src/debug.log", "src/main.rs"]);
    }

    #[test]
    fn reincluded_files_inside_excluded_dirs_come_without_their_parents() {
        let d = TempDir::new("reinclude");
        d.file("build/keep.txt", b"k");
        d.file("build/drop.txt", b"");
        d.file("build/sub/deep.txt", b"d");
        d.file("build/sub/other.txt", b"");
        d.file("main.c", b"");
        let ignore = "build\n!build/keep.txt\n!build/sub/deep.txt\n";
        let items = tar_of(&ContextSpec::new(d.path()), ignore);
        // Like the CLI: the excluded directories themselves are not written.
        assert_eq!(names(&items), ["build/keep.txt", "build/sub/deep.txt", "main.c"]);
    }

    #[test]
    fn reincluded_directory_brings_its_content() {
        let d = TempDir::new("reinclude-dir");
        d.file("a/b/c.txt", b"");
        d.file("a/x.txt", b"");
        let items = tar_of(&ContextSpec::new(d.path()), "a\n!a/b\n");
        assert_eq!(names(&items), ["a/b/", "a/b/c.txt"]);
    }

    #[test]
    fn wildcard_reinclusion_does_not_reach_into_excluded_dirs_as_in_docker() {
        let d = TempDir::new("reinclude-wild");
        d.file("a/keep", b"");
        d.file("keep", b"");
        let items = tar_of(&ContextSpec::new(d.path()), "a\n!**/keep\n");
        assert_eq!(names(&items), ["keep"]);
    }

    #[test]
    fn for_buildkit_the_dockerignore_follows_its_patterns_and_gets_nothing_added() {
        let d = TempDir::new("bk");
        d.file("Dockerfile", b"FROM x\n");
        d.file("keep", b"k");
        d.file(".dockerignore", b"*\n!keep\n");
        let mut spec = ContextSpec::new(d.path());
        spec.dockerfile_rel = Some("Dockerfile".into());
        spec.for_buildkit = true;
        let generated = spec.add_generated_dockerfile(b"FROM y\n".to_vec());
        let items = tar_of(&spec, "*\n!keep\n");
        assert_eq!(names(&items), ["Dockerfile", "keep", generated.as_str()]);
    }

    #[test]
    fn dockerfile_and_dockerignore_are_always_sent() {
        let d = TempDir::new("always");
        d.file("Dockerfile", b"FROM scratch\n");
        d.file(".dockerignore", b"*\n");
        d.file("other", b"");
        let mut spec = ContextSpec::new(d.path());
        spec.dockerfile_rel = Some("Dockerfile".into());
        assert_eq!(names(&tar_of(&spec, "*\n")), [".dockerignore", "Dockerfile"]);

        d.file("docker/build[1].Dockerfile", b"FROM scratch\n");
        d.file("docker/unrelated", b"");
        spec.dockerfile_rel = Some("./docker/build[1].Dockerfile".into());
        let items = tar_of(&spec, "docker\n.dockerignore\n");
        assert_eq!(names(&items), [".dockerignore", "Dockerfile", "docker/build[1].Dockerfile", "other"]);
    }

    #[test]
    fn sockets_and_fifos_are_skipped() {
        let d = TempDir::new("special");
        let fifo = CString::new(d.path().join("fifo").as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        let _sock = std::os::unix::net::UnixListener::bind(d.path().join("sock")).unwrap();
        d.file("f", b"");
        assert_eq!(names(&tar_of(&ContextSpec::new(d.path()), "")), ["f"]);
    }

    #[test]
    fn unreadable_file_is_an_error_naming_it() {
        let d = TempDir::new("unreadable");
        if !can_provoke_eacces(&d) {
            return; // e.g. root with CAP_DAC_OVERRIDE that cannot be dropped: nothing to test
        }
        let p = d.file("secret/key", b"x");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
        let spec = ContextSpec::new(d.path());
        let err = as_nobody(move || write_context(&spec, &IgnoreRules::empty(), Vec::new()).unwrap_err());
        assert_eq!(err.status, Status::InvalidArgument);
        assert!(err.message.contains(&p.display().to_string()), "{}", err.message);
    }

    #[test]
    fn unreadable_directory_is_an_error_but_not_when_excluded() {
        let d = TempDir::new("unreadable-dir");
        if !can_provoke_eacces(&d) {
            return;
        }
        let p = d.dir("locked");
        d.file("locked/f", b"");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
        let spec = ContextSpec::new(d.path());
        let s2 = spec.clone();
        let err = as_nobody(move || write_context(&s2, &IgnoreRules::empty(), Vec::new()).unwrap_err());
        assert!(err.message.contains("locked"), "{}", err.message);
        // Excluded and nothing re-included under it: never opened, so no error.
        let rules = IgnoreRules::parse(b"locked\n!other\n").unwrap();
        let out = as_nobody(move || write_context(&spec, &rules, Vec::new()));
        assert!(out.is_ok(), "{:?}", out.err());
    }

    #[test]
    fn generated_dockerfile_is_appended_and_listed_in_a_new_dockerignore() {
        let d = TempDir::new("gen");
        d.file("app", b"");
        let mut spec = ContextSpec::new(d.path());
        let name = spec.add_generated_dockerfile(b"FROM scratch\n".to_vec());
        let items = tar_of(&spec, "");
        assert_eq!(names(&items), ["app", name.as_str(), ".dockerignore"]);
        let df = item(&items, &name);
        assert_eq!((df.mode, df.content.as_slice()), (0o600, b"FROM scratch\n".as_slice()));
        assert_eq!(item(&items, ".dockerignore").content, format!(".dockerignore\n{name}\n").into_bytes());
    }

    #[test]
    fn generated_dockerfile_is_appended_to_an_existing_dockerignore_in_place() {
        let d = TempDir::new("gen-existing");
        let di = d.file(".dockerignore", b"*.log");
        fs::set_permissions(&di, fs::Permissions::from_mode(0o640)).unwrap();
        d.file("z", b"");
        let mut spec = ContextSpec::new(d.path());
        let name = spec.add_generated_dockerfile(b"FROM scratch\n".to_vec());
        let items = tar_of(&spec, "*.log");
        assert_eq!(names(&items), [".dockerignore", "z", name.as_str()]);
        let got = item(&items, ".dockerignore");
        assert_eq!(got.content, format!("*.log\n{name}\n").into_bytes());
        assert_eq!(got.mode, 0o640);
    }

    #[test]
    fn generated_names_look_like_the_clis() {
        let a = generated_dockerfile_name();
        let b = generated_dockerfile_name();
        assert_ne!(a, b);
        let hex = a.strip_prefix(".dockerfile.").unwrap();
        assert_eq!(hex.len(), 20);
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }

    #[test]
    fn long_and_unicode_names_round_trip() {
        let d = TempDir::new("names");
        let long = format!("{}/{}", "d".repeat(150), "f".repeat(120));
        d.file(&long, b"L");
        d.file("ünïcode/文件", b"U");
        symlink("t".repeat(200), d.path().join("longlink")).unwrap();
        let items = tar_of(&ContextSpec::new(d.path()), "");
        assert_eq!(item(&items, &long).content, b"L");
        assert_eq!(item(&items, "ünïcode/文件").content, b"U");
        assert_eq!(item(&items, "longlink").link, "t".repeat(200));
    }

    #[test]
    fn bad_extra_file_name_and_missing_context_are_errors() {
        let d = TempDir::new("bad");
        let mut spec = ContextSpec::new(d.path());
        spec.extra_files.push(("../escape".into(), b"x".to_vec()));
        assert!(write_context(&spec, &IgnoreRules::empty(), Vec::new()).is_err());
        let gone = ContextSpec::new(d.path().join("nope"));
        let err = write_context(&gone, &IgnoreRules::empty(), Vec::new()).unwrap_err();
        assert_eq!(err.status, Status::NotFound);
        assert!(err.message.contains("nope"));
    }
}
