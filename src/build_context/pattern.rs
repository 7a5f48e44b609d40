//! One `.dockerignore` pattern, compiled and matched the way moby/patternmatcher does it.
//!
//! Docker validates a pattern with Go's `filepath.Match` syntax, then rewrites it into a Go
//! regular expression: `*` becomes `[^/]*`, `?` becomes `[^/]`, `**` becomes `(.*/)?` (or `.*`
//! at the end), `.+()|{}$` are escaped, and everything else — including `[`, `]`, `^` and
//! `\x` — reaches the regexp engine unchanged. Some patterns skip the regexp entirely (exact,
//! prefix and suffix matches). To match exactly what Docker matches, oddities included (`[*]`
//! is not "a literal star" in Docker), this module builds the same regexp text and interprets
//! it with a small engine that understands the only constructs such text can contain.

/// How a pattern is matched; patternmatcher picks one of these while compiling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// No wildcard at all: the path must equal the pattern.
    Exact,
    /// Literal text followed by a final `**`: the path must start with that text.
    Prefix,
    /// A leading `**` and nothing that needs a regexp after it: the path must end with the rest.
    Suffix,
    /// Anything else: the generated regexp decides.
    Regexp,
}

/// A set of characters (a regexp character class, `.` or a single literal).
#[derive(Clone, Debug, PartialEq, Eq)]
struct CharSet {
    negated: bool,
    ranges: Vec<(char, char)>,
}

impl CharSet {
    fn single(c: char) -> CharSet {
        CharSet { negated: false, ranges: vec![(c, c)] }
    }

    /// Go's `.`: anything but a newline (the `s` flag is off in Docker's regexps).
    fn dot() -> CharSet {
        CharSet { negated: true, ranges: vec![('\n', '\n')] }
    }

    fn contains(&self, c: char) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != self.negated
    }
}

/// One step of a compiled regexp.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    /// Exactly one character of the set.
    One(CharSet),
    /// Zero or more characters of the set.
    Many(CharSet),
    /// `(.*/)?`: nothing, or anything (but newlines) ending with `/`.
    DirsOpt,
    /// `^` or `\A`: only at the start of the path.
    BeginText,
    /// `$` or `\z`: only at the end of the path.
    EndText,
}

/// A compiled pattern (the text after `!` and cleaning).
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    text: String,
    kind: Kind,
    prog: Vec<Tok>,
}

impl Pattern {
    /// Compiles a cleaned pattern; the error says what is wrong with it.
    pub(crate) fn compile(text: &str) -> Result<Pattern, String> {
        check_glob_syntax(text)?;
        let (kind, regexp) = translate(text);
        let prog = if kind == Kind::Regexp { parse_regexp(&regexp)? } else { Vec::new() };
        Ok(Pattern { text: text.to_string(), kind, prog })
    }

    /// A pattern that matches exactly `path`, whatever characters it contains (used to keep the
    /// Dockerfile and `.dockerignore`, whose names must not be read as globs).
    pub(crate) fn literal(path: &str) -> Pattern {
        Pattern { text: path.to_string(), kind: Kind::Exact, prog: Vec::new() }
    }

    /// The pattern text (what Docker's `Pattern.String()` returns).
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Whether the pattern matches `path` itself (no parent-directory logic here).
    pub(crate) fn matches(&self, path: &str) -> bool {
        match self.kind {
            Kind::Exact => path == self.text,
            Kind::Prefix => path.starts_with(&self.text[..self.text.len() - 2]),
            Kind::Suffix => {
                let suffix = &self.text[2..];
                // `**/foo` also matches a top-level `foo`.
                path.ends_with(suffix) || (suffix.starts_with('/') && path == &suffix[1..])
            }
            Kind::Regexp => run(&self.prog, path),
        }
    }
}

/// Rejects what Go's `filepath.Match` rejects (Docker checks each pattern that way first):
/// an unfinished `[...]`, a malformed range, a `\` with nothing after it.
fn check_glob_syntax(p: &str) -> Result<(), String> {
    let c: Vec<char> = p.chars().collect();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '\\' => {
                if i + 1 >= c.len() {
                    return Err("trailing backslash".into());
                }
                i += 2;
            }
            '[' => {
                i += 1;
                if i < c.len() && c[i] == '^' {
                    i += 1;
                }
                let mut nrange = 0;
                loop {
                    if i < c.len() && c[i] == ']' && nrange > 0 {
                        i += 1;
                        break;
                    }
                    class_char(&c, &mut i)?;
                    if c[i] == '-' {
                        i += 1;
                        class_char(&c, &mut i)?;
                    }
                    nrange += 1;
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// One character inside `[...]` as `filepath.Match` reads it; the class must go on after it.
fn class_char(c: &[char], i: &mut usize) -> Result<(), String> {
    if *i >= c.len() {
        return Err("unclosed character class".into());
    }
    if c[*i] == '-' || c[*i] == ']' {
        return Err(format!("unexpected '{}' in character class", c[*i]));
    }
    if c[*i] == '\\' {
        *i += 1;
        if *i >= c.len() {
            return Err("unclosed character class".into());
        }
    }
    *i += 1;
    if *i >= c.len() {
        return Err("unclosed character class".into());
    }
    Ok(())
}

/// Builds patternmatcher's regexp text and match kind for a (valid) pattern.
fn translate(p: &str) -> (Kind, String) {
    let c: Vec<char> = p.chars().collect();
    let mut re = String::from("^");
    let mut kind = Kind::Exact;
    let mut i = 0;
    let mut first = true;
    while i < c.len() {
        let ch = c[i];
        i += 1;
        match ch {
            '*' if c.get(i) == Some(&'*') => {
                i += 1;
                // `**/` is treated as `**`.
                if c.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= c.len() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = Kind::Regexp;
                    }
                } else {
                    re.push_str("(.*/)?");
                    kind = Kind::Regexp;
                }
                if first {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                kind = Kind::Regexp;
            }
            '?' => {
                re.push_str("[^/]");
                kind = Kind::Regexp;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                re.push('\\');
                re.push(ch);
            }
            '\\' => {
                re.push('\\');
                if i < c.len() {
                    re.push(c[i]);
                    i += 1;
                    kind = Kind::Regexp;
                }
            }
            '[' | ']' => {
                re.push(ch);
                kind = Kind::Regexp;
            }
            _ => re.push(ch),
        }
        first = false;
    }
    re.push('$');
    (kind, re)
}

/// Parses the regexp text `translate` produced. Unescaped `(` and `.` only ever come from the
/// translation itself (`(.*/)?` and `.*`), so they need no general treatment.
fn parse_regexp(re: &str) -> Result<Vec<Tok>, String> {
    let c: Vec<char> = re.chars().collect();
    let mut prog = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        i += 1;
        let atom = match ch {
            '^' => {
                prog.push(Tok::BeginText);
                continue;
            }
            '$' => {
                prog.push(Tok::EndText);
                continue;
            }
            '(' => {
                // Always the translation's `(.*/)?`.
                if c[i..].starts_with(&['.', '*', '/', ')', '?']) {
                    i += 5;
                    prog.push(Tok::DirsOpt);
                    continue;
                }
                return Err("unexpected '(' in pattern".into());
            }
            '.' => CharSet::dot(),
            '[' => parse_class(&c, &mut i)?,
            '\\' => match c.get(i) {
                Some('A') => {
                    i += 1;
                    prog.push(Tok::BeginText);
                    continue;
                }
                Some('z') => {
                    i += 1;
                    prog.push(Tok::EndText);
                    continue;
                }
                Some('Q') => {
                    // `\Q...\E`: everything up to `\E` is literal text.
                    i += 1;
                    while i < c.len() && !(c[i] == '\\' && c.get(i + 1) == Some(&'E')) {
                        prog.push(Tok::One(CharSet::single(c[i])));
                        i += 1;
                    }
                    i = (i + 2).min(c.len());
                    continue;
                }
                Some(&e) if perl_class(e).is_some() => {
                    i += 1;
                    perl_class(e).unwrap()
                }
                _ => CharSet::single(escape(&c, &mut i)?),
            },
            other => CharSet::single(other),
        };
        if c.get(i) == Some(&'*') {
            i += 1;
            prog.push(Tok::Many(atom));
        } else {
            prog.push(Tok::One(atom));
        }
    }
    Ok(prog)
}

/// Parses a Go regexp character class after its `[` (Perl flags: `-` may appear anywhere,
/// negated classes match newlines, `[:name:]` and `\d`-style classes allowed inside).
fn parse_class(c: &[char], i: &mut usize) -> Result<CharSet, String> {
    let mut negated = false;
    if c.get(*i) == Some(&'^') {
        negated = true;
        *i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        match c.get(*i) {
            None => return Err("unclosed character class".into()),
            Some(']') if !first => {
                *i += 1;
                break;
            }
            _ => {}
        }
        first = false;
        if c[*i..].starts_with(&['[', ':'])
            && let Some(set) = named_class(c, i)? {
                ranges.extend(set_ranges(&set));
                continue;
            }
        if c[*i] == '\\'
            && let Some(set) = c.get(*i + 1).and_then(|&e| perl_class(e)) {
                *i += 2;
                ranges.extend(set_ranges(&set));
                continue;
            }
        let lo = class_regexp_char(c, i)?;
        let mut hi = lo;
        if c.len() >= *i + 2 && c[*i] == '-' && c[*i + 1] != ']' {
            *i += 1;
            hi = class_regexp_char(c, i)?;
            if hi < lo {
                return Err(format!("invalid character class range {lo}-{hi}"));
            }
        }
        ranges.push((lo, hi));
    }
    Ok(CharSet { negated, ranges })
}

fn class_regexp_char(c: &[char], i: &mut usize) -> Result<char, String> {
    match c.get(*i) {
        None => Err("unclosed character class".into()),
        Some('\\') => {
            *i += 1;
            escape(c, i)
        }
        Some(&ch) => {
            *i += 1;
            Ok(ch)
        }
    }
}

/// `[:alpha:]` and friends (ASCII, as in Go). `Ok(None)` when the text is not a named class.
fn named_class(c: &[char], i: &mut usize) -> Result<Option<CharSet>, String> {
    let rest: String = c[*i + 2..].iter().collect();
    let Some(end) = rest.find(":]") else { return Ok(None) };
    let mut name = &rest[..end];
    let negated = name.starts_with('^');
    if negated {
        name = &name[1..];
    }
    let ranges: &[(char, char)] = match name {
        "alnum" => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
        "alpha" => &[('A', 'Z'), ('a', 'z')],
        "ascii" => &[('\0', '\x7f')],
        "blank" => &[('\t', '\t'), (' ', ' ')],
        "cntrl" => &[('\0', '\x1f'), ('\x7f', '\x7f')],
        "digit" => &[('0', '9')],
        "graph" => &[('!', '~')],
        "lower" => &[('a', 'z')],
        "print" => &[(' ', '~')],
        "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        "space" => &[('\t', '\r'), (' ', ' ')],
        "upper" => &[('A', 'Z')],
        "word" => &[('0', '9'), ('A', 'Z'), ('a', 'z'), ('_', '_')],
        "xdigit" => &[('0', '9'), ('A', 'F'), ('a', 'f')],
        _ => return Err(format!("unknown character class [:{name}:]")),
    };
    *i += 2 + rest[..end].chars().count() + 2;
    Ok(Some(CharSet { negated, ranges: ranges.to_vec() }))
}

/// `\d \s \w` and their negations.
fn perl_class(e: char) -> Option<CharSet> {
    let ranges: &[(char, char)] = match e.to_ascii_lowercase() {
        'd' => &[('0', '9')],
        's' => &[('\t', '\n'), ('\x0c', '\r'), (' ', ' ')],
        'w' => &[('0', '9'), ('A', 'Z'), ('a', 'z'), ('_', '_')],
        _ => return None,
    };
    Some(CharSet { negated: e.is_ascii_uppercase(), ranges: ranges.to_vec() })
}

/// The ranges a set covers, with negation resolved (for sets nested in a class).
fn set_ranges(set: &CharSet) -> Vec<(char, char)> {
    if !set.negated {
        return set.ranges.clone();
    }
    let mut sorted = set.ranges.clone();
    sorted.sort();
    let mut out = Vec::new();
    let mut next = 0u32;
    for (lo, hi) in sorted {
        if (lo as u32) > next {
            push_range(&mut out, next, lo as u32 - 1);
        }
        next = next.max(hi as u32 + 1);
    }
    push_range(&mut out, next, char::MAX as u32);
    out
}

/// Adds `lo..=hi`, split around the surrogate gap that `char` cannot represent.
fn push_range(out: &mut Vec<(char, char)>, lo: u32, hi: u32) {
    for (a, b) in [(lo, hi.min(0xD7FF)), (lo.max(0xE000), hi)] {
        if let (Some(a), Some(b)) = (char::from_u32(a), char::from_u32(b))
            && a <= b {
                out.push((a, b));
            }
    }
}

/// A character escape after `\` (Go's rules): punctuation stands for itself, a few letters name
/// control characters, octal and hex codes are read; anything else is refused, as Go refuses
/// it (or, for `\p`, `\b` and `\B`, as this library does not implement it).
fn escape(c: &[char], i: &mut usize) -> Result<char, String> {
    let Some(&e) = c.get(*i) else { return Err("trailing backslash".into()) };
    *i += 1;
    let ctrl = match e {
        'a' => Some('\x07'),
        'f' => Some('\x0c'),
        't' => Some('\t'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        'v' => Some('\x0b'),
        _ => None,
    };
    if let Some(ch) = ctrl {
        return Ok(ch);
    }
    if e.is_ascii() && !e.is_ascii_alphanumeric() {
        return Ok(e);
    }
    let is_octal = |ch: Option<&char>| matches!(ch, Some('0'..='7'));
    if e == '0' || (('1'..='7').contains(&e) && is_octal(c.get(*i))) {
        let mut v = e as u32 - '0' as u32;
        for _ in 0..2 {
            if !is_octal(c.get(*i)) {
                break;
            }
            v = v * 8 + (c[*i] as u32 - '0' as u32);
            *i += 1;
        }
        return char::from_u32(v).ok_or_else(|| "invalid octal escape".to_string());
    }
    if e == 'x' {
        // `\x41` (exactly two digits) or `\x{263a}`.
        let braced = c.get(*i) == Some(&'{');
        let digits: String = if braced {
            let close = c[*i..].iter().position(|&ch| ch == '}').ok_or("unclosed \\x{")?;
            let d = c[*i + 1..*i + close].iter().collect();
            *i += close + 1;
            d
        } else {
            let d: String = c[*i..c.len().min(*i + 2)].iter().collect();
            *i += d.chars().count();
            d
        };
        let ok_len = if braced { !digits.is_empty() } else { digits.len() == 2 };
        return u32::from_str_radix(&digits, 16)
            .ok()
            .filter(|_| ok_len)
            .and_then(char::from_u32)
            .ok_or_else(|| format!("invalid escape \\x{digits}"));
    }
    if matches!(e, 'p' | 'P' | 'b' | 'B') {
        return Err(format!("escape \\{e} is not supported in .dockerignore patterns"));
    }
    Err(format!("invalid escape \\{e}"))
}

/// Runs a compiled regexp over the whole path (an NFA simulation, so no backtracking blow-up).
/// States are token indexes; `inside[i]` marks being in the middle of a `DirsOpt`.
fn run(prog: &[Tok], s: &str) -> bool {
    let n = prog.len();
    let mut cur = vec![false; n + 1];
    let mut inside = vec![false; n];
    let mut next = vec![false; n + 1];
    let mut next_inside = vec![false; n];
    cur[0] = true;
    close(prog, &mut cur, true, s.is_empty());
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        next.iter_mut().for_each(|b| *b = false);
        next_inside.iter_mut().for_each(|b| *b = false);
        let mut alive = false;
        for (i, tok) in prog.iter().enumerate() {
            if !cur[i] && !inside[i] {
                continue;
            }
            match tok {
                Tok::One(set) if cur[i] && set.contains(ch) => next[i + 1] = true,
                Tok::Many(set) if cur[i] && set.contains(ch) => next[i] = true,
                Tok::DirsOpt if ch != '\n' => {
                    next_inside[i] = true;
                    if ch == '/' {
                        next[i + 1] = true;
                    }
                }
                _ => continue,
            }
            alive = true;
        }
        if !alive {
            return false;
        }
        close(prog, &mut next, false, chars.peek().is_none());
        std::mem::swap(&mut cur, &mut next);
        std::mem::swap(&mut inside, &mut next_inside);
    }
    cur[n]
}

/// Follows the steps that consume nothing; they only go forward, so one pass suffices.
fn close(prog: &[Tok], set: &mut [bool], at_start: bool, at_end: bool) {
    for (i, tok) in prog.iter().enumerate() {
        if !set[i] {
            continue;
        }
        let pass = match tok {
            Tok::Many(_) | Tok::DirsOpt => true,
            Tok::BeginText => at_start,
            Tok::EndText => at_end,
            Tok::One(_) => false,
        };
        if pass {
            set[i + 1] = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Pattern::compile(p).unwrap().matches(s)
    }

    #[test]
    fn kinds_follow_patternmatcher() {
        let kind = |p: &str| Pattern::compile(p).unwrap().kind;
        assert_eq!(kind("abc.def"), Kind::Exact);
        assert_eq!(kind("a(b)c/def"), Kind::Exact);
        assert_eq!(kind("dir/**"), Kind::Prefix);
        assert_eq!(kind("**"), Kind::Suffix);
        assert_eq!(kind("**/dir"), Kind::Suffix);
        assert_eq!(kind("**file"), Kind::Suffix);
        assert_eq!(kind("**/**"), Kind::Regexp);
        assert_eq!(kind("*"), Kind::Regexp);
    }

    #[test]
    fn regexp_text_matches_docker() {
        assert_eq!(translate("**/dir2/*").1, "^(.*/)?dir2/[^/]*$");
        assert_eq!(translate("**/**/*.txt").1, r"^(.*/)?(.*/)?[^/]*\.txt$");
        assert_eq!(translate("a*/b").1, "^a[^/]*/b$");
        assert_eq!(translate("**/dir2/**").1, "^(.*/)?dir2/.*$");
    }

    #[test]
    fn star_inside_brackets_is_rewritten_like_docker_does() {
        // `[*]` becomes the regexp `^[[^/]*]$`: a class of `[`, `^`, `/` repeated, then `]`.
        assert!(!m("[*]", "*"));
        assert!(m("[*]", "]"));
        assert!(m("[*]", "[^]"));
    }

    #[test]
    fn suffix_quirk_without_slash() {
        // `**foo` is a suffix match, so it also matches `barfoo`.
        assert!(m("**foo", "barfoo"));
        assert!(m("**foo", "a/foo"));
    }

    #[test]
    fn newline_not_crossed_by_double_star() {
        assert!(!m("a/**/b", "a/x\ny/b"));
        assert!(m("a*", "a\nb"));
    }

    #[test]
    fn class_features() {
        assert!(m("[[:digit:]]x", "7x"));
        assert!(m(r"f\d", "f1"));
        assert!(!m(r"f\d", "fd"));
        assert!(m("[^a]", "/"));
        assert!(Pattern::compile("[z-a]").is_err());
        assert!(Pattern::compile(r"a\y").is_err());
        assert!(m(r"a\x41*", "aA"));
        assert!(m(r"\Qa*\E", "a[^/]*"));
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let p = Pattern::compile("*a*a*a*a*a*a*a*a*a*a*b").unwrap();
        assert!(!p.matches(&"a".repeat(5000)));
    }
}
