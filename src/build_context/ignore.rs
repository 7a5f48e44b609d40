//! `.dockerignore`: reading the file and deciding which context paths are excluded, with the
//! semantics of the docker CLI (moby/patternmatcher and its `ignorefile` reader).
//!
//! Reading (`ignorefile.ReadAll`): a UTF-8 BOM is dropped; a line is a comment only when `#` is
//! its very first byte; lines are trimmed and blank ones skipped; a leading `!` marks a
//! re-inclusion (what follows is trimmed again); the pattern is cleaned like Go's
//! `filepath.Clean` and a leading `/` removed. Matching (`PatternMatcher`): patterns are
//! anchored at the context root; a pattern excludes a path when it matches the path or one of
//! its parent directories; the last pattern that matches decides.

use crate::build_context::pattern::Pattern;
use crate::error::{Error, Result};

/// One line of the file, compiled.
#[derive(Clone, Debug)]
struct Rule {
    pattern: Pattern,
    /// A `!` pattern: a match re-includes instead of excluding.
    reinclude: bool,
}

/// The parsed `.dockerignore` of a build context.
#[derive(Clone, Debug, Default)]
pub struct IgnoreRules {
    rules: Vec<Rule>,
    /// Docker's `Exclusions()`: whether any `!` pattern exists.
    has_reinclusions: bool,
}

/// What the walker remembers about a directory so its entries can be matched the way Docker's
/// tar walker does (`MatchesUsingParentResults`): for each pattern, whether it matched the
/// directory or one of its ancestors when it was evaluated there.
#[derive(Clone, Debug)]
pub struct WalkMatch {
    excluded: bool,
    matched: Vec<bool>,
}

impl WalkMatch {
    pub fn excluded(&self) -> bool {
        self.excluded
    }
}

/// bufio.Scanner's limit: Docker fails on a longer line, so this does too.
const MAX_LINE: usize = 64 * 1024;

impl IgnoreRules {
    /// No patterns: nothing is excluded.
    pub fn empty() -> IgnoreRules {
        IgnoreRules::default()
    }

    /// Parses the content of a `.dockerignore` file. Errors name the 1-based line.
    pub fn parse(content: &[u8]) -> Result<IgnoreRules> {
        let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
        let mut rules = IgnoreRules::empty();
        for (index, (len, raw)) in lines(content).enumerate() {
            let line = index + 1;
            if len >= MAX_LINE {
                return Err(Error::invalid(format!("line {line}: line too long")));
            }
            // Docker reads the file as a Go string; invalid UTF-8 only ever matches itself.
            let raw = String::from_utf8_lossy(raw);
            if let Some(pattern) = read_line(&raw) {
                rules.push(&pattern).map_err(|e| {
                    Error::invalid(format!("line {line}: invalid pattern {pattern:?}: {e}"))
                })?;
            }
        }
        Ok(rules)
    }

    /// Adds a pattern as `PatternMatcher.New` does: trims, cleans (again), splits off `!`.
    /// Rules from patterns already read from a `.dockerignore` (as BuildKit's daemon sends them
    /// to a session: no comments, `!` exceptions kept).
    pub fn from_patterns(patterns: &[String]) -> Result<IgnoreRules> {
        let mut rules = IgnoreRules::empty();
        for p in patterns {
            rules.push(p).map_err(|e| Error::invalid(format!("invalid pattern {p:?}: {e}")))?;
        }
        Ok(rules)
    }

    fn push(&mut self, pattern: &str) -> std::result::Result<(), String> {
        let trimmed = pattern.trim();
        if trimmed.is_empty() {
            return Ok(());
        }
        let cleaned = clean(trimmed);
        let (reinclude, text) = match cleaned.strip_prefix('!') {
            Some("") => return Err("illegal exclusion pattern \"!\"".into()),
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        let pattern = Pattern::compile(text)?;
        self.has_reinclusions |= reinclude;
        self.rules.push(Rule { pattern, reinclude });
        Ok(())
    }

    /// The same rules plus a final re-inclusion of each path, literally (glob characters in
    /// the name mean themselves). The docker CLI appends `!Dockerfile` and `!.dockerignore` so
    /// that those two files are always sent; this does the same without reading them as globs.
    pub(crate) fn with_kept_paths<'a>(&self, paths: impl IntoIterator<Item = &'a str>) -> IgnoreRules {
        let mut out = self.clone();
        for path in paths {
            let path = clean(path);
            if path == "." || path == ".." || path.starts_with("../") || path.starts_with('/') {
                continue;
            }
            out.rules.push(Rule { pattern: Pattern::literal(&path), reinclude: true });
            out.has_reinclusions = true;
        }
        out
    }

    /// Whether `rel_path` (relative to the context root, `/`-separated) is excluded:
    /// patternmatcher's `MatchesOrParentMatches` — a pattern counts when it matches the path or
    /// any of its parent directories, and the last pattern that counts decides.
    pub fn is_excluded(&self, rel_path: &str) -> bool {
        let path = clean(rel_path);
        if path == "." {
            // Docker never lets the context root itself be excluded.
            return false;
        }
        let parents = parent_prefixes(&path);
        let mut excluded = false;
        for rule in &self.rules {
            // A rule that cannot change the outcome is not evaluated (as in Docker).
            if rule.reinclude != excluded {
                continue;
            }
            let hit = rule.pattern.matches(&path) || parents.iter().any(|p| rule.pattern.matches(p));
            if hit {
                excluded = !rule.reinclude;
            }
        }
        excluded
    }

    /// Matches `rel_path` during a walk from the root, given what its parent directory got
    /// (`None` for entries at the top, or when the parent is unknown). This is how Docker's tar
    /// walker decides (`MatchesUsingParentResults`), and it differs from [`is_excluded`] in one
    /// corner: a pattern that matched an ancestor is only remembered if it was evaluated there,
    /// and a rule is skipped where it cannot change the outcome. E.g. with `a/b` then `!a`,
    /// the walker excludes `a/b` while `is_excluded("a/b")` says no.
    ///
    /// [`is_excluded`]: IgnoreRules::is_excluded
    pub fn walk_match(&self, rel_path: &str, parent: Option<&WalkMatch>) -> WalkMatch {
        let mut matched = vec![false; self.rules.len()];
        let mut excluded = false;
        let parents = if parent.is_none() { parent_prefixes(rel_path) } else { Vec::new() };
        for (i, rule) in self.rules.iter().enumerate() {
            let mut hit = parent.is_some_and(|p| p.matched.get(i) == Some(&true));
            if !hit {
                if rule.reinclude != excluded {
                    continue;
                }
                hit = rule.pattern.matches(rel_path)
                    || parents.iter().any(|p| rule.pattern.matches(p));
            }
            matched[i] = hit;
            if hit {
                excluded = !rule.reinclude;
            }
        }
        WalkMatch { excluded, matched }
    }

    /// False when `rel_dir` is excluded and the walker may skip it entirely because no `!`
    /// pattern can bring anything under it back. This is Docker's own test, which is textual:
    /// a `!` pattern counts only if it starts with `rel_dir/` (or is `rel_dir` itself), so a
    /// re-inclusion such as `!**/keep` or `!*/keep` does NOT reach into excluded directories.
    pub fn may_reinclude_under(&self, rel_dir: &str) -> bool {
        !self.is_excluded(rel_dir) || self.reinclusion_under(&clean(rel_dir))
    }

    /// Docker's walker test for an excluded directory (see [`IgnoreRules::may_reinclude_under`]).
    pub(crate) fn reinclusion_under(&self, rel_dir: &str) -> bool {
        if !self.has_reinclusions {
            return false;
        }
        let dir_slash = format!("{rel_dir}/");
        self.rules
            .iter()
            .filter(|r| r.reinclude)
            .any(|r| format!("{}/", r.pattern.text()).starts_with(&dir_slash))
    }
}

/// Splits like bufio.ScanLines: on `\n`, dropping one `\r` before it; no empty last line.
/// Also yields the raw length (with the `\r`), which is what the scanner's limit applies to.
fn lines(content: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let body = content.strip_suffix(b"\n").unwrap_or(content);
    let empty = content.is_empty();
    body.split(|&b| b == b'\n')
        .filter(move |_| !empty)
        .map(|l| (l.len(), l.strip_suffix(b"\r").unwrap_or(l)))
}

/// One line as `ignorefile.ReadAll` turns it into a pattern (`None` for comments and blanks).
fn read_line(raw: &str) -> Option<String> {
    // A comment only when `#` is the very first character, before any trimming.
    if raw.starts_with('#') {
        return None;
    }
    let mut pattern = raw.trim();
    if pattern.is_empty() {
        return None;
    }
    let invert = pattern.starts_with('!');
    if invert {
        pattern = pattern[1..].trim();
    }
    let mut out = String::new();
    if invert {
        out.push('!');
    }
    if !pattern.is_empty() {
        let cleaned = clean(pattern);
        // `/a` means `a`: patterns are relative to the context root anyway.
        out.push_str(if cleaned.len() > 1 { cleaned.strip_prefix('/').unwrap_or(&cleaned) } else { &cleaned });
    }
    Some(out)
}

/// Go's `filepath.Clean` for `/`-separated paths.
pub(crate) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

/// `a/b/c` → `["a", "a/b"]`: the parent directories a pattern may also match.
fn parent_prefixes(path: &str) -> Vec<&str> {
    path.match_indices('/').map(|(i, _)| &path[..i]).filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> IgnoreRules {
        IgnoreRules::parse(text.as_bytes()).unwrap()
    }

    fn ex(text: &str, path: &str) -> bool {
        rules(text).is_excluded(path)
    }

    /// The walker's answer: match every ancestor first, as Docker's tar walker does.
    fn walk_ex(text: &str, path: &str) -> bool {
        let r = rules(text);
        let mut parent: Option<WalkMatch> = None;
        let mut prefix = String::new();
        for seg in path.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(seg);
            parent = Some(r.walk_match(&prefix, parent.as_ref()));
        }
        parent.unwrap().excluded()
    }

    fn err(text: &str) -> String {
        IgnoreRules::parse(text.as_bytes()).unwrap_err().message
    }

    // --- reading the file ---

    #[test]
    fn empty_rules_exclude_nothing() {
        assert!(!IgnoreRules::empty().is_excluded("a"));
        assert!(!ex("", "a"));
    }

    #[test]
    fn bom_is_ignored() {
        assert!(IgnoreRules::parse(b"\xEF\xBB\xBFfoo\n").unwrap().is_excluded("foo"));
    }

    #[test]
    fn bom_only_counts_at_the_start() {
        let r = IgnoreRules::parse(b"a\n\xEF\xBB\xBFfoo\n").unwrap();
        assert!(!r.is_excluded("foo"));
    }

    #[test]
    fn hash_first_is_a_comment() {
        assert!(!ex("#foo\n", "#foo"));
        assert!(!ex("# foo\n", "foo"));
    }

    #[test]
    fn hash_after_whitespace_is_a_pattern() {
        assert!(ex(" #foo\n", "#foo"));
    }

    #[test]
    fn hash_inside_is_literal() {
        assert!(ex("a#b\n", "a#b"));
    }

    #[test]
    fn blank_lines_are_skipped() {
        let r = rules("\n   \n\t\nfoo\n\n");
        assert_eq!(r.rules.len(), 1);
    }

    #[test]
    fn crlf_lines() {
        assert!(ex("foo\r\nbar\r\n", "foo"));
        assert!(ex("foo\r\nbar\r\n", "bar"));
    }

    #[test]
    fn last_line_without_newline() {
        assert!(ex("a\nb", "b"));
    }

    #[test]
    fn patterns_are_trimmed() {
        assert!(ex("   foo   \n", "foo"));
        assert!(ex("\tfoo\t\n", "foo"));
    }

    #[test]
    fn bang_rest_is_trimmed_again() {
        assert!(!ex("*.md\n!  README.md  \n", "README.md"));
    }

    #[test]
    fn lone_bang_is_an_error_naming_the_line() {
        let e = err("a\n\n!\n");
        assert!(e.contains("line 3"), "{e}");
        assert!(err("a\n!   \n").contains("line 2"));
    }

    #[test]
    fn unclosed_bracket_is_an_error_naming_line_and_pattern() {
        let e = err("ok\n# c\nfoo[\n");
        assert!(e.contains("line 3") && e.contains("foo["), "{e}");
    }

    #[test]
    fn trailing_backslash_is_an_error() {
        let e = err("a\\\n");
        assert!(e.contains("line 1") && e.contains("a\\\\"), "{e}");
    }

    #[test]
    fn malformed_classes_are_errors() {
        for bad in ["[]a]", "[-]", "[x-]", "[-x]", "[a-b-c]", "[^", "[^bc", "a[", "[z-a]"] {
            assert!(IgnoreRules::parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn overlong_line_is_an_error() {
        let text = "a".repeat(70_000);
        assert!(IgnoreRules::parse(text.as_bytes()).is_err());
    }

    // --- cleaning ---

    #[test]
    fn leading_dot_slash_is_cleaned() {
        assert!(ex("./foo\n", "foo"));
    }

    #[test]
    fn trailing_slash_is_cleaned() {
        assert!(ex("foo/\n", "foo"));
        assert!(ex("foo/\n", "foo/bar"));
    }

    #[test]
    fn leading_slash_is_removed() {
        assert!(ex("/foo\n", "foo"));
        assert!(!ex("foo\n!/foo\n", "foo"));
    }

    #[test]
    fn double_slash_and_dotdot_are_cleaned() {
        assert!(ex("a//b\n", "a/b"));
        assert!(ex("a/../b\n", "b"));
        assert!(!ex("a/../b\n", "a/b"));
    }

    #[test]
    fn clean_matches_go() {
        for (i, o) in [
            ("", "."),
            ("a/./b/", "a/b"),
            ("/../a", "/a"),
            ("../../a", "../../a"),
            ("a/b/../../..", ".."),
            ("//x//", "/x"),
        ] {
            assert_eq!(clean(i), o, "{i}");
        }
    }

    #[test]
    fn root_and_parent_patterns_match_nothing() {
        for p in ["/", ".", "..", "../x"] {
            assert!(!ex(p, "x"), "{p}");
            assert!(!ex(p, "x/y"), "{p}");
        }
    }

    #[test]
    fn context_root_is_never_excluded() {
        assert!(!ex("*\n", "."));
        assert!(!ex("**\n", ""));
    }

    // --- anchoring and wildcards ---

    #[test]
    fn patterns_are_anchored_at_the_root() {
        assert!(ex("foo\n", "foo"));
        assert!(!ex("foo\n", "x/foo"));
        assert!(!ex("foo\n", "foobar"));
    }

    #[test]
    fn star_does_not_cross_slash() {
        assert!(ex("*.go\n", "main.go"));
        assert!(!ex("*.go\n", "pkg/main.go"));
        assert!(ex("a/*.txt\n", "a/f.txt"));
        assert!(!ex("a/*.txt\n", "a/d/f.txt"));
    }

    #[test]
    fn star_matches_empty_and_dot_names() {
        assert!(ex("*\n", ".hidden"));
        assert!(ex(".*\n", ".foo"));
        assert!(!ex(".*\n", "foo"));
    }

    #[test]
    fn question_mark_is_one_non_slash_char() {
        assert!(ex("abc?def\n", "abcZdef"));
        assert!(!ex("abc?def\n", "abcdef"));
        assert!(!ex("a?b\n", "a/b"));
        assert!(ex("a?b\n", "a☺b"));
    }

    #[test]
    fn dot_and_regexp_characters_are_literal() {
        assert!(!ex("abc.def\n", "abcZdef"));
        assert!(ex("a(b)c/def\n", "a(b)c/def"));
        assert!(ex("a.|)$(}+{bc\n", "a.|)$(}+{bc"));
        assert!(ex("dist/*.whl\n", "dist/p-2.4+g08-py3.whl"));
    }

    #[test]
    fn character_classes() {
        assert!(ex("a[b-d]e\n", "ace"));
        assert!(!ex("a[b-d]e\n", "aae"));
        assert!(ex("ab[c]\n", "abc"));
        assert!(ex("[a-ζ]*\n", "α"));
    }

    #[test]
    fn caret_negates_a_class() {
        assert!(ex("a[^b-d]e\n", "aze"));
        assert!(!ex("ab[^c]\n", "abc"));
    }

    #[test]
    fn bang_in_class_is_literal_not_negation() {
        assert!(ex("a[!x]c\n", "a!c"));
        assert!(ex("a[!x]c\n", "axc"));
        assert!(!ex("a[!x]c\n", "abc"));
    }

    #[test]
    fn backslash_escapes() {
        assert!(ex("a\\*b\n", "a*b"));
        assert!(!ex("a\\*b\n", "axb"));
        assert!(ex("a\\\\\n", "a\\"));
        assert!(ex("\\[x\\]\n", "[x]"));
        assert!(ex("[\\]a]\n", "]"));
        assert!(ex("[x\\-]\n", "-"));
        assert!(!ex("[x\\-]\n", "z"));
    }

    #[test]
    fn escaped_bang_starts_a_normal_pattern() {
        assert!(ex("\\!important\n", "!important"));
    }

    #[test]
    fn double_star_alone_matches_everything() {
        assert!(ex("**\n", "file"));
        assert!(ex("**\n", "dir/file"));
        assert!(ex("**/\n", "dir/file"));
    }

    #[test]
    fn double_star_prefix() {
        assert!(ex("**/foo\n", "foo"));
        assert!(ex("**/foo\n", "a/b/foo"));
        assert!(ex("**/foo\n", "a/foo/bar"));
        assert!(!ex("**/foo\n", "a/xfoo"));
        assert!(ex("**/foo/bar\n", "dir/dir2/foo/bar"));
        assert!(!ex("**/.foo\n", "bar.foo"));
    }

    #[test]
    fn double_star_suffix() {
        assert!(!ex("foo/**\n", "foo"));
        assert!(ex("foo/**\n", "foo/x"));
        assert!(ex("foo/**\n", "foo/x/y"));
        assert!(!ex("foo/**\n", "foobar/x"));
    }

    #[test]
    fn double_star_in_the_middle() {
        assert!(ex("a/**/b\n", "a/b"));
        assert!(ex("a/**/b\n", "a/x/b"));
        assert!(ex("a/**/b\n", "a/x/y/z/b"));
        assert!(!ex("a/**/b\n", "a/xb"));
        assert!(ex("a**/*.txt\n", "a/dir/dir/file.txt"));
    }

    #[test]
    fn double_star_with_extension() {
        assert!(ex("**/*.go\n", "main.go"));
        assert!(ex("**/*.go\n", "a/b/c.go"));
        assert!(!ex("**/*.go\n", "a/b/c.go2"));
        assert!(ex("**/file*.txt*\n", "dir/dir/file.txt"));
    }

    #[test]
    fn caret_outside_a_class_is_a_regexp_anchor_in_docker() {
        // Docker hands `^` to Go's regexp unescaped: mid-pattern it can never match...
        assert!(!ex("a^*\n", "a^b"));
        // ...at the start it is a no-op, and without any wildcard the text is compared as is.
        assert!(ex("^*.txt\n", "x.txt"));
        assert!(ex("a^b\n", "a^b"));
    }

    // --- parents and precedence ---

    #[test]
    fn directory_pattern_excludes_everything_under_it() {
        assert!(ex("docs\n", "docs/a/b/c.md"));
        assert!(ex("a*\n", "ab/c"));
        assert!(ex("*/b\n", "a/b/c/d"));
    }

    #[test]
    fn parent_match_checks_every_ancestor() {
        // Docker's older `Matches` only checked one ancestor; `MatchesOrParentMatches` checks all.
        assert!(ex("a/**/c\n", "a/b/b2/c/Dockerfile"));
    }

    #[test]
    fn reinclusion_after_exclusion() {
        let text = "docs\n!docs/README.md\n";
        assert!(ex(text, "docs/other.md"));
        assert!(!ex(text, "docs/README.md"));
    }

    #[test]
    fn last_matching_pattern_wins() {
        assert!(!ex("*.go\n!fileutils.go\n", "fileutils.go"));
        assert!(ex("!fileutils.go\n*.go\n", "fileutils.go"));
        assert!(ex("**\n!util/docker/web\nutil/docker/web/foo\n", "util/docker/web/foo"));
        assert!(!ex("**\n!util/docker/web\n", "util/docker/web/foo"));
    }

    #[test]
    fn reinclusion_of_a_directory_reincludes_its_content() {
        let text = "*\n!src\n";
        assert!(!ex(text, "src/a/b.rs"));
        assert!(ex(text, "target/x"));
    }

    #[test]
    fn walk_matching_agrees_with_docker_walker() {
        for (text, path, want) in [
            ("docs\n!docs/README.md\n", "docs/README.md", false),
            ("docs\n!docs/README.md\n", "docs/x", true),
            ("**\n!util/docker/web\n", "util/docker/web/foo", false),
            ("*.go\n", "a/b.go", false),
            ("a*\n", "ab/c", true),
        ] {
            assert_eq!(walk_ex(text, path), want, "{text:?} {path}");
        }
    }

    #[test]
    fn walk_matching_differs_from_is_excluded_in_one_corner() {
        // `!a` is skipped at `a` (nothing excluded yet), so the walker never records it.
        assert!(walk_ex("a/b\n!a\n", "a/b"));
        assert!(!ex("a/b\n!a\n", "a/b"));
    }

    #[test]
    fn may_reinclude_under_follows_dockers_prefix_test() {
        let r = rules("vendor\n!vendor/keep.txt\n");
        assert!(r.may_reinclude_under("vendor"));
        let r = rules("vendor\nnode_modules\n!vendor/keep.txt\n");
        assert!(!r.may_reinclude_under("node_modules"));
        // No `!` pattern at all: an excluded directory is always skipped.
        assert!(!rules("vendor\n").may_reinclude_under("vendor"));
        // Not excluded: the walker must look inside.
        assert!(rules("vendor\n").may_reinclude_under("src"));
        // Docker's test is textual: wildcards before the directory name do not count.
        assert!(!rules("a\n!*/keep\n").may_reinclude_under("a"));
        assert!(!rules("a\n!**/keep\n").may_reinclude_under("a"));
        assert!(rules("a\n!a/*/keep\n").may_reinclude_under("a"));
        // `!ab` does not reach into `a`.
        assert!(!rules("a\n!ab\n").may_reinclude_under("a"));
    }

    #[test]
    fn kept_paths_are_literal_and_win() {
        let r = rules("*\n").with_kept_paths(["Dockerfile", ".dockerignore", "b[1]/Dockerfile"]);
        assert!(!r.is_excluded("Dockerfile"));
        assert!(!r.is_excluded(".dockerignore"));
        assert!(!r.is_excluded("b[1]/Dockerfile"));
        assert!(r.is_excluded("b1/Dockerfile"));
        assert!(r.reinclusion_under("b[1]"));
    }

    #[test]
    fn bang_produced_by_cleaning_is_a_reinclusion_like_docker() {
        // `./!foo` cleans to `!foo`, which PatternMatcher then reads as a re-inclusion.
        assert!(!ex("*\n./!foo\n", "foo"));
    }
}
