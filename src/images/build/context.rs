//! Where the build context comes from, checked before anything is sent: exactly one source, a
//! context directory that exists, a Dockerfile that exists, a readable `.dockerignore` whose
//! patterns all compile.
//!
//! For `context_dir`, the Dockerfile is placed as the docker CLI places it: a Dockerfile inside
//! the context (after resolving symlinks, as the CLI does) is named by its path relative to the
//! context and always sent, even if `.dockerignore` excludes it; one outside the context, or
//! given inline, is added to the sent context under a generated `.dockerfile.<hex>` name that
//! the sent `.dockerignore` lists (so the daemon drops it before `COPY .`).

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::options::{BuildOptions, WHAT};
use crate::build_context::{ContextSpec, IgnoreRules, load_rules};
use crate::error::{Error, Result};

/// The default Dockerfile name (and the API's default `dockerfile` value).
pub const DEFAULT_DOCKERFILE: &str = "Dockerfile";
/// Largest Dockerfile read into memory to be added to the context.
const MAX_DOCKERFILE: u64 = 32 * 1024 * 1024;

/// Where the context bytes come from, once checked.
pub enum Source<'a> {
    /// A directory, tarred while it is sent.
    Dir { spec: ContextSpec, rules: IgnoreRules },
    /// A tar archive (plain or compressed) read from the caller.
    Reader(&'a mut dyn Read),
    /// A URL the daemon fetches: nothing is sent.
    Remote,
}

/// A checked context and the `dockerfile` parameter that goes with it.
pub struct Prepared<'a> {
    pub source: Source<'a>,
    /// The Dockerfile's path inside the sent context; `None` leaves the daemon's default.
    pub dockerfile: Option<String>,
}

impl Prepared<'_> {
    /// Shapes a directory's tar for the builder that reads it (BuildKit reads it as it is; see
    /// [`ContextSpec::for_buildkit`]).
    pub fn for_builder(&mut self, builder: super::options::Builder) {
        if let Source::Dir { spec, .. } = &mut self.source {
            spec.for_buildkit = builder == super::options::Builder::BuildKit;
        }
    }
}

/// Checks the context sources (`context_dir`, `remote`, `reader`: exactly one) and prepares
/// the chosen one.
pub fn prepare<'a>(opts: &BuildOptions, reader: Option<&'a mut dyn Read>) -> Result<Prepared<'a>> {
    crate::images::io::exactly_one(
        WHAT,
        "build context",
        &[
            ("\"context_dir\"", opts.context_dir.is_some()),
            ("\"remote\"", opts.remote.is_some()),
            ("a read callback", reader.is_some()),
        ],
    )?;
    if let Some(dir) = &opts.context_dir {
        return prepare_dir(opts, dir);
    }
    let source = match reader {
        Some(r) => Source::Reader(r),
        None => Source::Remote,
    };
    // A path inside the caller's tar or the remote context: the daemon resolves it.
    Ok(Prepared { source, dockerfile: opts.dockerfile.clone() })
}

fn prepare_dir<'a>(opts: &BuildOptions, dir: &str) -> Result<Prepared<'a>> {
    let root = PathBuf::from(dir);
    let shown = dir.escape_debug();
    match fs::metadata(&root) {
        Ok(md) if md.is_dir() => {}
        Ok(_) => return Err(Error::invalid(format!("{WHAT}: \"context_dir\" \"{shown}\" is not a directory"))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(Error::not_found(format!("{WHAT}: \"context_dir\" \"{shown}\" does not exist")));
        }
        Err(e) => return Err(Error::invalid(format!("{WHAT}: \"context_dir\" \"{shown}\": {e}"))),
    }
    let rules = load_rules(&root).map_err(|e| e.context(WHAT))?;
    let mut spec = ContextSpec::new(&root);
    let dockerfile = match &opts.dockerfile_content {
        Some(text) => spec.add_generated_dockerfile(text.clone().into_bytes()),
        None => place_dockerfile(&mut spec, &root, opts.dockerfile.as_deref().unwrap_or(DEFAULT_DOCKERFILE))?,
    };
    Ok(Prepared { source: Source::Dir { spec, rules }, dockerfile: Some(dockerfile) })
}

/// Finds the Dockerfile (`name` relative to the context, or absolute) and returns the name it
/// has in the sent context.
fn place_dockerfile(spec: &mut ContextSpec, root: &Path, name: &str) -> Result<String> {
    let path = if Path::new(name).is_absolute() { PathBuf::from(name) } else { root.join(name) };
    let shown = path.display().to_string().escape_debug().to_string();
    let md = match fs::metadata(&path) {
        Ok(md) => md,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(Error::not_found(format!(
                "{WHAT}: cannot locate the Dockerfile \"{}\" (looked for {shown})",
                name.escape_debug()
            )));
        }
        Err(e) => return Err(Error::invalid(format!("{WHAT}: the Dockerfile {shown}: {e}"))),
    };
    if md.is_dir() {
        return Err(Error::invalid(format!("{WHAT}: the Dockerfile {shown} is a directory")));
    }
    let real_root = fs::canonicalize(root).map_err(|e| Error::invalid(format!("{WHAT}: \"context_dir\": {e}")))?;
    let real = fs::canonicalize(&path).map_err(|e| Error::invalid(format!("{WHAT}: the Dockerfile {shown}: {e}")))?;
    let inside = real.strip_prefix(&real_root).ok().and_then(|rel| rel.to_str()).filter(|rel| !rel.is_empty());
    if let Some(rel) = inside {
        spec.dockerfile_rel = Some(rel.to_string());
        return Ok(rel.to_string());
    }
    let mut content = Vec::new();
    fs::File::open(&real)
        .and_then(|f| f.take(MAX_DOCKERFILE + 1).read_to_end(&mut content))
        .map_err(|e| Error::invalid(format!("{WHAT}: cannot read the Dockerfile {shown}: {e}")))?;
    if content.len() as u64 > MAX_DOCKERFILE {
        return Err(Error::invalid(format!(
            "{WHAT}: the Dockerfile {shown} is larger than {MAX_DOCKERFILE} bytes"
        )));
    }
    Ok(spec.add_generated_dockerfile(content))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    use crate::testutil::TempDir as Dir;

    fn opts(json: serde_json::Value) -> BuildOptions {
        crate::options::from_value("build options", json).unwrap()
    }

    fn prep(o: &BuildOptions) -> Result<(Option<String>, Option<ContextSpec>)> {
        let p = prepare(o, None)?;
        let spec = match p.source {
            Source::Dir { spec, .. } => Some(spec),
            _ => None,
        };
        Ok((p.dockerfile, spec))
    }

    #[test]
    fn exactly_one_source() {
        let e = prep(&opts(serde_json::json!({}))).unwrap_err();
        assert!(e.message.contains("no build context"), "{}", e.message);
        let e = prep(&opts(serde_json::json!({"context_dir": "/", "remote": "http://x"}))).unwrap_err();
        assert!(e.message.contains("\"context_dir\" and \"remote\""), "{}", e.message);
        let mut r: &[u8] = b"";
        let e = prepare(&opts(serde_json::json!({"remote": "http://x"})), Some(&mut r)).err().unwrap();
        assert!(e.message.contains("\"remote\" and a read callback"), "{}", e.message);
        let p = prepare(&opts(serde_json::json!({"dockerfile": "sub/D"})), Some(&mut r)).unwrap();
        assert!(matches!(p.source, Source::Reader(_)));
        assert_eq!(p.dockerfile.as_deref(), Some("sub/D"));
        let p = prepare(&opts(serde_json::json!({"remote": "http://x"})), None).unwrap();
        assert!(matches!(p.source, Source::Remote) && p.dockerfile.is_none());
    }

    #[test]
    fn context_dir_must_be_a_directory() {
        let d = Dir::new("notdir");
        let f = d.write("f", "");
        let e = prep(&opts(serde_json::json!({"context_dir": d.path().join("nope")}))).unwrap_err();
        assert_eq!(e.status, Status::NotFound);
        let e = prep(&opts(serde_json::json!({"context_dir": f}))).unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument);
        assert!(e.message.contains("not a directory"), "{}", e.message);
    }

    #[test]
    fn dockerfile_inside_outside_inline_and_missing() {
        let d = Dir::new("df");
        d.write("ctx/Dockerfile", "FROM a\n");
        d.write("ctx/sub/Build.df", "FROM b\n");
        let outside = d.write("elsewhere/Dockerfile", "FROM c\n");
        let ctx = d.path().join("ctx");
        let (df, spec) = prep(&opts(serde_json::json!({"context_dir": ctx}))).unwrap();
        assert_eq!(df.as_deref(), Some("Dockerfile"));
        assert_eq!(spec.unwrap().dockerfile_rel.as_deref(), Some("Dockerfile"));
        let (df, _) = prep(&opts(serde_json::json!({"context_dir": ctx, "dockerfile": "./sub/Build.df"}))).unwrap();
        assert_eq!(df.as_deref(), Some("sub/Build.df"));
        let abs = ctx.join("sub/Build.df");
        let (df, _) = prep(&opts(serde_json::json!({"context_dir": ctx, "dockerfile": abs}))).unwrap();
        assert_eq!(df.as_deref(), Some("sub/Build.df"));

        let (df, spec) = prep(&opts(serde_json::json!({"context_dir": ctx, "dockerfile": outside}))).unwrap();
        let spec = spec.unwrap();
        let df = df.unwrap();
        assert!(df.starts_with(".dockerfile."), "{df}");
        assert_eq!(spec.extra_files, [(df.clone(), b"FROM c\n".to_vec())]);
        assert_eq!(spec.dockerignore_additions, [df]);
        let (df, _) = prep(&opts(serde_json::json!({"context_dir": ctx, "dockerfile": "../elsewhere/Dockerfile"}))).unwrap();
        assert!(df.unwrap().starts_with(".dockerfile."));

        let (df, spec) = prep(&opts(serde_json::json!({"context_dir": ctx, "dockerfile_content": "FROM i\n"}))).unwrap();
        assert_eq!(spec.unwrap().extra_files[0], (df.unwrap(), b"FROM i\n".to_vec()));

        let e = prep(&opts(serde_json::json!({"context_dir": ctx, "dockerfile": "Nope"}))).unwrap_err();
        assert_eq!(e.status, Status::NotFound);
        assert!(e.message.contains("Nope"), "{}", e.message);
        let e = prep(&opts(serde_json::json!({"context_dir": ctx, "dockerfile": "sub"}))).unwrap_err();
        assert!(e.message.contains("is a directory"), "{}", e.message);
        let e = prep(&opts(serde_json::json!({"context_dir": d.path().join("elsewhere").join("..").join("none")}))).unwrap_err();
        assert_eq!(e.status, Status::NotFound);
    }

    #[test]
    fn dockerfile_behind_a_symlink_is_placed_by_its_real_path() {
        let d = Dir::new("symlink");
        d.write("ctx/real/Dockerfile", "FROM a\n");
        let out = d.write("out/Dockerfile", "FROM b\n");
        std::os::unix::fs::symlink("real/Dockerfile", d.path().join("ctx/Dockerfile")).unwrap();
        std::os::unix::fs::symlink(&out, d.path().join("ctx/Outside")).unwrap();
        let ctx = d.path().join("ctx");
        let (df, _) = prep(&opts(serde_json::json!({"context_dir": ctx}))).unwrap();
        assert_eq!(df.as_deref(), Some("real/Dockerfile"));
        let (df, _) = prep(&opts(serde_json::json!({"context_dir": ctx, "dockerfile": "Outside"}))).unwrap();
        assert!(df.unwrap().starts_with(".dockerfile."));
    }

    #[test]
    fn malformed_dockerignore_names_the_line() {
        let d = Dir::new("ignore");
        d.write("Dockerfile", "FROM a\n");
        d.write(".dockerignore", "ok\n\n[\n");
        let e = prep(&opts(serde_json::json!({"context_dir": d.s()}))).unwrap_err();
        assert_eq!(e.status, Status::InvalidArgument);
        assert!(e.message.contains("line 3") && e.message.contains(".dockerignore"), "{}", e.message);
    }
}
