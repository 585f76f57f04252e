//! JSON with positions: a small parser that builds kqlint's [`YamlNode`]
//! tree (strings are double-quoted scalars, numbers, `true`, `false` and
//! `null` plain ones), so the rule checks and JSON-pointer lookups work on
//! JSON files exactly as on YAML. ARM templates may hold `//` and `/* */`
//! comments, which are skipped. Nesting is bounded by
//! [`Limits::max_yaml_depth`](crate::Limits), the number of nodes by
//! `max_yaml_nodes`.
//!
//! Queries in JSON strings are mapped through the string's escapes: each
//! query character maps to the file characters that produced it (`\n` to
//! the two characters of the escape, `\u0027` to its six), so every
//! diagnostic lands on the exact line and column of the `.json` file.

use crate::limits::Limits;
use crate::map::MapBuilder;
use crate::rules::{JSON_SYNTAX_ERROR, YAML_TOO_DEEP, YAML_TOO_MANY_NODES};
use crate::yaml::{ScalarStyle, YamlKind, YamlNode};
use kqlint_diagnostics::{Diagnostic, Span};

/// What reading a JSON text gave.
pub(crate) struct Parsed {
    pub root: Option<YamlNode>,
    pub diagnostic: Option<Diagnostic>,
}

struct Parser<'t> {
    text: &'t str,
    b: &'t [u8],
    at: usize,
    depth: usize,
    max_depth: usize,
    nodes: usize,
    max_nodes: usize,
}

enum Fail {
    Syntax(usize, String),
    Limit(Box<Diagnostic>),
}

/// Parses a JSON text (one value, comments allowed).
pub(crate) fn parse(text: &str, limits: &Limits) -> Parsed {
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        at: 0,
        depth: 0,
        max_depth: limits.depth(),
        nodes: 0,
        max_nodes: limits.max_yaml_nodes,
    };
    let result = p.skip_ws().and_then(|()| {
        let v = p.value("the document")?;
        p.skip_ws()?;
        if p.at < p.b.len() {
            return Err(Fail::Syntax(
                p.at,
                format!(
                    "expected the end of the file after the JSON value, found {}",
                    p.found()
                ),
            ));
        }
        Ok(v)
    });
    match result {
        Ok(v) => Parsed {
            root: Some(v),
            diagnostic: None,
        },
        Err(Fail::Syntax(at, message)) => {
            let at = at.min(text.len()) as u32;
            let end = text[at as usize..]
                .chars()
                .next()
                .map_or(at, |c| at + c.len_utf8() as u32);
            Parsed {
                root: None,
                diagnostic: Some(
                    Diagnostic::new(&JSON_SYNTAX_ERROR, Span::new(at, end), message).with_help(
                        "fix the JSON at this place: keys and strings in double quotes, a comma \
                         between entries and none after the last",
                    ),
                ),
            }
        }
        Err(Fail::Limit(d)) => Parsed {
            root: None,
            diagnostic: Some(*d),
        },
    }
}

impl Parser<'_> {
    fn found(&self) -> String {
        match self.text[self.at.min(self.text.len())..].chars().next() {
            None => "the end of the file".to_owned(),
            Some(c) if c.is_control() => format!("the character U+{:04X}", c as u32),
            Some(c) => format!("`{c}`"),
        }
    }

    fn skip_ws(&mut self) -> Result<(), Fail> {
        loop {
            match self.b.get(self.at) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.at += 1,
                Some(b'/') if self.b.get(self.at + 1) == Some(&b'/') => {
                    while self.at < self.b.len() && !matches!(self.b[self.at], b'\n' | b'\r') {
                        self.at += 1;
                    }
                }
                Some(b'/') if self.b.get(self.at + 1) == Some(&b'*') => {
                    let start = self.at;
                    match self.text[self.at + 2..].find("*/") {
                        Some(k) => self.at += 2 + k + 2,
                        None => {
                            return Err(Fail::Syntax(
                                start,
                                "this `/*` comment is never closed with `*/`".to_owned(),
                            ));
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn count(&mut self) -> Result<(), Fail> {
        self.nodes += 1;
        if self.nodes > self.max_nodes {
            return Err(Fail::Limit(Box::new(Diagnostic::new(
                &YAML_TOO_MANY_NODES,
                Span::empty(self.at as u32),
                format!(
                    "the file has more than {} JSON values; kqlint stops reading it here",
                    self.max_nodes
                ),
            ))));
        }
        Ok(())
    }

    fn value(&mut self, what: &str) -> Result<YamlNode, Fail> {
        self.count()?;
        let start = self.at;
        match self.b.get(self.at) {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => {
                let value = self.string()?;
                Ok(YamlNode {
                    kind: YamlKind::Scalar {
                        value,
                        style: ScalarStyle::DoubleQuoted,
                    },
                    span: Span::new(start as u32, self.at as u32),
                })
            }
            Some(c) if c.is_ascii_alphanumeric() || *c == b'-' || *c == b'+' || *c == b'.' => {
                let len = self.b[self.at..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.'))
                    .count();
                let word = &self.text[self.at..self.at + len];
                let ok = matches!(word, "true" | "false" | "null") || is_number(word);
                if !ok {
                    return Err(Fail::Syntax(
                        start,
                        format!(
                            "`{word}` is not a JSON value: text must be in double quotes; the \
                             other values are numbers, true, false and null"
                        ),
                    ));
                }
                self.at += len;
                Ok(YamlNode {
                    kind: YamlKind::Scalar {
                        value: word.to_owned(),
                        style: ScalarStyle::Plain,
                    },
                    span: Span::new(start as u32, self.at as u32),
                })
            }
            Some(b'\'') => Err(Fail::Syntax(
                start,
                format!(
                    "expected {what}; JSON text is written in double quotes, not single quotes"
                ),
            )),
            _ => Err(Fail::Syntax(
                start,
                format!("expected {what}, found {}", self.found()),
            )),
        }
    }

    fn enter(&mut self) -> Result<(), Fail> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(Fail::Limit(Box::new(Diagnostic::new(
                &YAML_TOO_DEEP,
                Span::empty(self.at as u32),
                format!(
                    "the JSON is nested more than {} levels deep; kqlint stops reading it here",
                    self.max_depth
                ),
            ))));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<YamlNode, Fail> {
        self.enter()?;
        let start = self.at;
        self.at += 1;
        let mut entries = Vec::new();
        self.skip_ws()?;
        if self.b.get(self.at) == Some(&b'}') {
            self.at += 1;
        } else {
            loop {
                self.skip_ws()?;
                if self.b.get(self.at) != Some(&b'"') {
                    let msg = if self.b.get(self.at) == Some(&b'}') && !entries.is_empty() {
                        "a comma after the last entry of an object is not allowed in JSON"
                            .to_owned()
                    } else {
                        format!("expected a key in double quotes, found {}", self.found())
                    };
                    return Err(Fail::Syntax(self.at, msg));
                }
                self.count()?;
                let ks = self.at;
                let key = self.string()?;
                let key_node = YamlNode {
                    kind: YamlKind::Scalar {
                        value: key.clone(),
                        style: ScalarStyle::DoubleQuoted,
                    },
                    span: Span::new(ks as u32, self.at as u32),
                };
                self.skip_ws()?;
                if self.b.get(self.at) != Some(&b':') {
                    return Err(Fail::Syntax(
                        self.at,
                        format!(
                            "expected `:` after the key \"{key}\", found {}",
                            self.found()
                        ),
                    ));
                }
                self.at += 1;
                self.skip_ws()?;
                let v = self.value(&format!("the value of \"{key}\""))?;
                entries.push((key_node, v));
                self.skip_ws()?;
                match self.b.get(self.at) {
                    Some(b',') => self.at += 1,
                    Some(b'}') => {
                        self.at += 1;
                        break;
                    }
                    _ => {
                        return Err(Fail::Syntax(
                            self.at,
                            format!(
                                "expected `,` or `}}` after the value of \"{key}\", found {}",
                                self.found()
                            ),
                        ));
                    }
                }
            }
        }
        self.depth -= 1;
        Ok(YamlNode {
            kind: YamlKind::Mapping(entries),
            span: Span::new(start as u32, self.at as u32),
        })
    }

    fn array(&mut self) -> Result<YamlNode, Fail> {
        self.enter()?;
        let start = self.at;
        self.at += 1;
        let mut items = Vec::new();
        self.skip_ws()?;
        if self.b.get(self.at) == Some(&b']') {
            self.at += 1;
        } else {
            loop {
                self.skip_ws()?;
                if self.b.get(self.at) == Some(&b']') && !items.is_empty() {
                    return Err(Fail::Syntax(
                        self.at,
                        "a comma after the last item of an array is not allowed in JSON".to_owned(),
                    ));
                }
                items.push(self.value("an array item")?);
                self.skip_ws()?;
                match self.b.get(self.at) {
                    Some(b',') => self.at += 1,
                    Some(b']') => {
                        self.at += 1;
                        break;
                    }
                    _ => {
                        return Err(Fail::Syntax(
                            self.at,
                            format!(
                                "expected `,` or `]` after an array item, found {}",
                                self.found()
                            ),
                        ));
                    }
                }
            }
        }
        self.depth -= 1;
        Ok(YamlNode {
            kind: YamlKind::Sequence(items),
            span: Span::new(start as u32, self.at as u32),
        })
    }

    /// A string starting at the opening quote; leaves `at` after the
    /// closing one.
    fn string(&mut self) -> Result<String, Fail> {
        let open = self.at;
        self.at += 1;
        let mut out = String::new();
        loop {
            let run = self.b[self.at..]
                .iter()
                .take_while(|&&c| c != b'"' && c != b'\\' && c >= 0x20)
                .count();
            out.push_str(&self.text[self.at..self.at + run]);
            self.at += run;
            match self.b.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let (c, len) = escape(&self.text[self.at..]).ok_or_else(|| {
                        Fail::Syntax(
                            self.at,
                            "this escape is not valid in JSON (use \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX)"
                                .to_owned(),
                        )
                    })?;
                    out.push(c);
                    self.at += len;
                }
                Some(_) => {
                    return Err(Fail::Syntax(
                        self.at,
                        "a JSON string cannot hold a line break or another control character; write it as an escape (\\n, \\t)"
                            .to_owned(),
                    ));
                }
                None => {
                    return Err(Fail::Syntax(
                        open,
                        "this string is never closed with a `\"`".to_owned(),
                    ));
                }
            }
        }
    }
}

fn is_number(w: &str) -> bool {
    let b = w.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    let int = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if int == 0 || (int > 1 && b[i] == b'0') {
        return false;
    }
    i += int;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if frac == 0 {
            return false;
        }
        i += frac;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

/// The character an escape at the start of `s` stands for, and the escape's
/// length in bytes (a surrogate pair is one escape of 12 bytes).
fn escape(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    let c = match b.get(1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let hi = u32::from_str_radix(s.get(2..6)?, 16).ok()?;
            if (0xD800..0xDC00).contains(&hi) {
                if s.get(6..8) == Some("\\u") {
                    let lo = u32::from_str_radix(s.get(8..12)?, 16).ok()?;
                    if (0xDC00..0xE000).contains(&lo) {
                        let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                        return Some((char::from_u32(c)?, 12));
                    }
                }
                return Some(('\u{fffd}', 6));
            }
            return Some((char::from_u32(hi).unwrap_or('\u{fffd}'), 6));
        }
        _ => return None,
    };
    Some((c, 2))
}

/// The text of the JSON string node `node` (from its opening quote to its
/// closing one in `text`), with the origin of each piece: verbatim runs, and
/// each escape as one unit.
pub(crate) fn string_map(text: &str, node: &YamlNode, skip_chars: usize) -> Option<MapBuilder> {
    let (s, e) = (node.span.start as usize, node.span.end as usize);
    let raw = text.get(s..e)?;
    if !raw.starts_with('"') || !raw.ends_with('"') || raw.len() < 2 {
        return None;
    }
    let mut b = MapBuilder::default();
    let mut at = s + 1;
    let end = e - 1;
    let mut skip = skip_chars;
    while at < end {
        let c = text[at..].chars().next()?;
        if c == '\\' {
            let (ch, len) = escape(&text[at..end])?;
            if skip > 0 {
                skip -= 1;
            } else {
                let mut buf = [0u8; 4];
                b.produced(ch.encode_utf8(&mut buf), at, len);
            }
            at += len;
        } else {
            if skip > 0 {
                skip -= 1;
            } else {
                b.verbatim(text, at, at + c.len_utf8());
            }
            at += c.len_utf8();
        }
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str) -> Parsed {
        parse(t, &Limits::default())
    }

    #[test]
    fn parses_values_with_spans_and_comments() {
        let t = "// c\n{\"a\": [1, -2.5e3, true, null], /* x */ \"b\": {\"c\": \"d\\n\\u0041\"}}";
        let r = p(t).root.unwrap();
        let b = r.get("b").unwrap().get("c").unwrap();
        assert_eq!(b.as_str(), Some("d\nA"));
        assert_eq!(&t[b.span.range()], "\"d\\n\\u0041\"");
        let a = r.get("a").unwrap().as_sequence().unwrap();
        assert_eq!(a[1].as_str(), Some("-2.5e3"));
        assert_eq!(r.to_json()["a"][3], serde_json::Value::Null);
    }

    #[test]
    fn errors_say_where_and_what() {
        let d = p("{\"a\": 1,}").diagnostic.unwrap();
        assert_eq!(d.code, "KQL507");
        assert_eq!(d.span, Span::new(8, 9));
        assert!(
            d.message.contains("comma after the last entry"),
            "{}",
            d.message
        );
        let d = p("{'a': 1}").diagnostic.unwrap();
        assert!(d.message.contains("double quotes"), "{}", d.message);
        let d = p("{\"a\": \"x\ny\"}").diagnostic.unwrap();
        assert_eq!(d.span.start, 8);
        let d = p("[[[[1]]]]").root;
        assert!(d.is_some());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(p(&deep).diagnostic.unwrap().code, "KQL905");
    }

    #[test]
    fn string_maps_through_escapes() {
        let t = "{\"q\": \"T\\n| where A == \\\"x\\\"\"}";
        let r = p(t).root.unwrap();
        let node = r.get("q").unwrap();
        let (q, m) = string_map(t, node, 0)
            .unwrap()
            .finish(node.span.start, false);
        assert_eq!(q, "T\n| where A == \"x\"");
        // `A` is at query offset 10.
        assert_eq!(&t[m.start_of(10) as usize..][..1], "A");
        // the `\n` escape is one unit of two characters
        assert_eq!(m.span(Span::new(1, 2)), Span::new(8, 10));
    }
}
