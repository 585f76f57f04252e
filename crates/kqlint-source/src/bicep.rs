//! Bicep: the analytic rule resources of a `.bicep` file and their queries.
//!
//! kqlint is not a Bicep compiler. It reads the file's `resource`
//! declarations (`resource r 'Microsoft.SecurityInsights/alertRules@...' =
//! {...}`, also behind `if (...)` and `[for ...: ...]`) into the same tree
//! as an ARM template's resources: a resource's body object with its `type`
//! (without the API version). Literal values (strings, numbers, `true`,
//! `false`, `null`, objects, arrays) are read as they are; any other value
//! (a parameter, a function call, an interpolated string) is an
//! expression, kept as the text `[...]` the way an ARM template writes one,
//! so the rule checks leave it alone.
//!
//! A rule's query is either a string (`'...'` with Bicep's escapes, or a
//! `'''` multi-line string, mapped character by character) or
//! `loadTextContent('rule.kql')`: then the `.kql` file is the query, and
//! the engine checks it in the context of this rule ([`crate::LinkedQuery`]).

use crate::arm::{Extracted, Notation, queries};
use crate::limits::Limits;
use crate::map::MapBuilder;
use crate::rules::{BICEP_NOT_READ, MISSING_LINKED_QUERY};
use crate::source::LinkedQuery;
use crate::yaml::{ScalarStyle, YamlKind, YamlNode};
use kqlint_diagnostics::{Diagnostic, Span};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Ident,
    Str,
    /// `'''...'''`
    MultiStr,
    /// A string with `${...}`.
    Interp,
    Number,
    Punct(u8),
    Newline,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Tok,
    start: usize,
    end: usize,
}

fn lex(text: &str) -> Result<Vec<Token>, (usize, &'static str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b' ' | b'\t' => i += 1,
            b'\r' | b'\n' => {
                i += if c == b'\r' && b.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                out.push(Token {
                    kind: Tok::Newline,
                    start,
                    end: i,
                });
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && !matches!(b[i], b'\n' | b'\r') {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                Some(k) => i += 2 + k + 2,
                None => return Err((start, "this `/*` comment is never closed")),
            },
            b'\'' if text[i..].starts_with("'''") => match text[i + 3..].find("'''") {
                Some(k) => {
                    i += 3 + k + 3;
                    out.push(Token {
                        kind: Tok::MultiStr,
                        start,
                        end: i,
                    });
                }
                None => return Err((start, "this `'''` string is never closed")),
            },
            b'\'' => {
                i += 1;
                let mut interp = false;
                loop {
                    match b.get(i) {
                        None | Some(b'\n' | b'\r') => {
                            return Err((start, "this string is never closed with a `'`"));
                        }
                        Some(b'\\') => i += 2,
                        Some(b'\'') => {
                            i += 1;
                            break;
                        }
                        Some(b'$') if b.get(i + 1) == Some(&b'{') => {
                            interp = true;
                            // Skip to the matching `}` (strings inside included).
                            let mut depth = 0usize;
                            i += 1;
                            while let Some(&c) = b.get(i) {
                                match c {
                                    b'{' => depth += 1,
                                    b'}' => {
                                        depth -= 1;
                                        if depth == 0 {
                                            i += 1;
                                            break;
                                        }
                                    }
                                    b'\n' => break,
                                    _ => {}
                                }
                                i += 1;
                            }
                        }
                        Some(_) => i += 1,
                    }
                }
                let kind = if interp { Tok::Interp } else { Tok::Str };
                out.push(Token {
                    kind,
                    start,
                    end: i,
                });
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push(Token {
                    kind: Tok::Ident,
                    start,
                    end: i,
                });
            }
            c if c.is_ascii_digit() => {
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                    i += 1;
                }
                out.push(Token {
                    kind: Tok::Number,
                    start,
                    end: i,
                });
            }
            c if c.is_ascii() => {
                i += 1;
                out.push(Token {
                    kind: Tok::Punct(c),
                    start,
                    end: i,
                });
            }
            _ => {
                // Any other character (outside strings): skip it.
                i += text[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    Ok(out)
}

struct Parser<'t> {
    text: &'t str,
    toks: Vec<Token>,
    at: usize,
    depth: usize,
    max_depth: usize,
}

type Failed = (usize, String);

impl Parser<'_> {
    fn peek(&self) -> Option<Token> {
        self.toks.get(self.at).copied()
    }

    fn src(&self, t: Token) -> &str {
        &self.text[t.start..t.end]
    }

    fn skip_newlines(&mut self) {
        while self.peek().is_some_and(|t| t.kind == Tok::Newline) {
            self.at += 1;
        }
    }

    fn is(&self, p: u8) -> bool {
        self.peek().is_some_and(|t| t.kind == Tok::Punct(p))
    }

    fn here(&self) -> usize {
        self.peek().map_or(self.text.len(), |t| t.start)
    }

    /// An object literal starting at `{`.
    fn object(&mut self) -> Result<YamlNode, Failed> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err((self.here(), "the object is nested too deep".to_owned()));
        }
        let start = self.here();
        self.at += 1;
        let mut entries = Vec::new();
        loop {
            self.skip_newlines();
            if self.is(b',') {
                self.at += 1;
                continue;
            }
            let Some(t) = self.peek() else {
                return Err((start, "this `{` is never closed".to_owned()));
            };
            if t.kind == Tok::Punct(b'}') {
                self.at += 1;
                break;
            }
            let key = match t.kind {
                Tok::Ident => YamlNode {
                    kind: YamlKind::Scalar {
                        value: self.src(t).to_owned(),
                        style: ScalarStyle::Plain,
                    },
                    span: Span::new(t.start as u32, t.end as u32),
                },
                Tok::Str => YamlNode {
                    kind: YamlKind::Scalar {
                        value: decode(self.src(t)).unwrap_or_default(),
                        style: ScalarStyle::SingleQuoted,
                    },
                    span: Span::new(t.start as u32, t.end as u32),
                },
                _ => return Err((t.start, "expected a property name".to_owned())),
            };
            self.at += 1;
            if !self.is(b':') {
                return Err((
                    self.here(),
                    "expected `:` after the property name".to_owned(),
                ));
            }
            self.at += 1;
            let v = self.value()?;
            entries.push((key, v));
        }
        self.depth -= 1;
        let end = self.toks[self.at - 1].end;
        Ok(YamlNode {
            kind: YamlKind::Mapping(entries),
            span: Span::new(start as u32, end as u32),
        })
    }

    fn array(&mut self) -> Result<YamlNode, Failed> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err((self.here(), "the array is nested too deep".to_owned()));
        }
        let start = self.here();
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            if self.is(b',') {
                self.at += 1;
                continue;
            }
            let Some(t) = self.peek() else {
                return Err((start, "this `[` is never closed".to_owned()));
            };
            if t.kind == Tok::Punct(b']') {
                self.at += 1;
                break;
            }
            if t.kind == Tok::Ident && self.src(t) == "for" {
                // A loop: an expression as a whole.
                self.at = start_index(&self.toks, start);
                return Ok(self.expression());
            }
            items.push(self.value()?);
        }
        self.depth -= 1;
        let end = self.toks[self.at - 1].end;
        Ok(YamlNode {
            kind: YamlKind::Sequence(items),
            span: Span::new(start as u32, end as u32),
        })
    }

    /// A property value or array item.
    fn value(&mut self) -> Result<YamlNode, Failed> {
        self.skip_newlines();
        let Some(t) = self.peek() else {
            return Err((self.text.len(), "expected a value".to_owned()));
        };
        let literal = |node: YamlKind| YamlNode {
            kind: node,
            span: Span::new(t.start as u32, t.end as u32),
        };
        let single = match t.kind {
            Tok::Punct(b'{') => return self.object(),
            Tok::Punct(b'[') => return self.array(),
            Tok::Str => decode(self.src(t)).map(|v| {
                literal(YamlKind::Scalar {
                    value: v,
                    style: ScalarStyle::SingleQuoted,
                })
            }),
            Tok::MultiStr => Some(literal(YamlKind::Scalar {
                value: multi_line(self.src(t)).to_owned(),
                style: ScalarStyle::Literal,
            })),
            Tok::Number => Some(literal(YamlKind::Scalar {
                value: self.src(t).to_owned(),
                style: ScalarStyle::Plain,
            })),
            Tok::Ident if matches!(self.src(t), "true" | "false" | "null") => {
                Some(literal(YamlKind::Scalar {
                    value: self.src(t).to_owned(),
                    style: ScalarStyle::Plain,
                }))
            }
            _ => None,
        };
        // A literal is only that when the value ends after it.
        if let Some(node) = single {
            let next = self.toks.get(self.at + 1).map(|n| n.kind);
            if matches!(
                next,
                None | Some(Tok::Newline | Tok::Punct(b',' | b'}' | b']'))
            ) {
                self.at += 1;
                return Ok(node);
            }
        }
        Ok(self.expression())
    }

    /// Any other value: the tokens up to the end of the line (or a `,`, or
    /// the closing bracket of the collection), brackets balanced.
    fn expression(&mut self) -> YamlNode {
        let start = self.here();
        let mut end = start;
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t.kind {
                Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
                Tok::Punct(b')' | b']' | b'}') if depth == 0 => break,
                Tok::Punct(b')' | b']' | b'}') => depth -= 1,
                Tok::Newline | Tok::Punct(b',') if depth == 0 => break,
                _ => {}
            }
            end = t.end;
            self.at += 1;
        }
        YamlNode {
            kind: YamlKind::Scalar {
                value: format!("[{}]", &self.text[start..end]),
                style: ScalarStyle::Plain,
            },
            span: Span::new(start as u32, end as u32),
        }
    }
}

fn start_index(toks: &[Token], start: usize) -> usize {
    toks.iter().position(|t| t.start == start).unwrap_or(0)
}

/// The content of a `'''` string: without its quotes, and without the line
/// break right after the opening quotes.
fn multi_line(raw: &str) -> &str {
    let inner = &raw[3..raw.len() - 3];
    inner
        .strip_prefix("\r\n")
        .or_else(|| inner.strip_prefix('\n'))
        .unwrap_or(inner)
}

/// The value of a `'...'` string (Bicep's escapes); `None` for an escape
/// Bicep does not know.
fn decode(raw: &str) -> Option<String> {
    let inner = raw.get(1..raw.len().checked_sub(1)?)?;
    let mut out = String::new();
    let mut it = inner.char_indices();
    while let Some((_, c)) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let (_, e) = it.next()?;
        match e {
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '$' => out.push('$'),
            'u' => {
                let (_, open) = it.next()?;
                if open != '{' {
                    return None;
                }
                let mut hex = String::new();
                for (_, h) in it.by_ref() {
                    if h == '}' {
                        break;
                    }
                    hex.push(h);
                }
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The text of a Bicep string node with the origin of each piece: verbatim
/// runs and escapes as units, or a `'''` string's content verbatim.
pub(crate) fn string_map(text: &str, node: &YamlNode, skip_chars: usize) -> Option<MapBuilder> {
    let (s, e) = (node.span.start as usize, node.span.end as usize);
    let raw = text.get(s..e)?;
    let mut b = MapBuilder::default();
    let mut skip = skip_chars;
    if raw.starts_with("'''") {
        let content = multi_line(raw);
        let at = s + (raw.len() - 3 - content.len());
        let mut k = at;
        for c in content.chars() {
            let n = c.len_utf8();
            if skip > 0 {
                skip -= 1;
            } else if c == '\r' && text[k + 1..].starts_with('\n') {
                // `\r\n` is read as one line break.
            } else if c == '\n' && k > 0 && text.as_bytes()[k - 1] == b'\r' {
                b.produced("\n", k - 1, 2);
            } else {
                b.verbatim(text, k, k + n);
            }
            k += n;
        }
        return Some(b);
    }
    if !raw.starts_with('\'') || raw.len() < 2 {
        return None;
    }
    let mut k = s + 1;
    let end = e - 1;
    while k < end {
        let c = text[k..].chars().next()?;
        if c == '\\' {
            let rest = &text[k..end];
            let len = if rest.starts_with("\\u{") {
                rest.find('}')? + 1
            } else {
                2
            };
            let decoded = decode(&format!("'{}'", &rest[..len]))?;
            if skip > 0 {
                skip -= 1;
            } else {
                b.produced(&decoded, k, len);
            }
            k += len;
        } else {
            if skip > 0 {
                skip -= 1;
            } else {
                b.verbatim(text, k, k + c.len_utf8());
            }
            k += c.len_utf8();
        }
    }
    Some(b)
}

/// Reads a Bicep file: its rule resources, their queries, and the queries
/// they load from other files.
pub(crate) fn extract(
    path: &Path,
    text: &str,
    lossy: bool,
    limits: &Limits,
) -> (Extracted, Vec<LinkedQuery>) {
    let mut out = Extracted::default();
    let mut linked = Vec::new();
    if !text.contains("resource") {
        return (out, linked);
    }
    let toks = match lex(text) {
        Ok(t) => t,
        Err((at, what)) => {
            // Only a file with rules is worth a word.
            if text.to_ascii_lowercase().contains("alertrules") {
                out.diagnostics.push(not_read(text, at, what));
            }
            return (out, linked);
        }
    };
    let mut p = Parser {
        text,
        toks,
        at: 0,
        depth: 0,
        max_depth: limits.depth(),
    };
    let mut resources = Vec::new();
    while let Some(t) = p.peek() {
        let at_line_start = p.at == 0 || p.toks[p.at - 1].kind == Tok::Newline;
        if !(at_line_start && t.kind == Tok::Ident && p.src(t) == "resource") {
            p.at += 1;
            continue;
        }
        // resource NAME 'TYPE@VERSION' [existing] = [if (...)] [[for ...:] {
        let decl = p.at;
        let ty = p.toks.get(decl + 2).copied();
        let Some(ty) = ty.filter(|t| t.kind == Tok::Str) else {
            p.at += 1;
            continue;
        };
        let ty_value = decode(p.src(ty)).unwrap_or_default();
        let rule = {
            let t = ty_value.to_ascii_lowercase();
            let t = t.split('@').next().unwrap_or("");
            t.ends_with("/alertrules") || t.ends_with("/alertruletemplates")
        };
        p.at = decl + 3;
        // Up to the body's `{`.
        while let Some(t) = p.peek() {
            if t.kind == Tok::Punct(b'{') || (t.kind == Tok::Newline && !rule) {
                break;
            }
            p.at += 1;
        }
        if !rule || !p.is(b'{') {
            continue;
        }
        match p.object() {
            Ok(mut body) => {
                let type_node = YamlNode {
                    kind: YamlKind::Scalar {
                        value: ty_value.split('@').next().unwrap_or("").to_owned(),
                        style: ScalarStyle::SingleQuoted,
                    },
                    span: Span::new(ty.start as u32, ty.end as u32),
                };
                let key = YamlNode {
                    kind: YamlKind::Scalar {
                        value: "type".to_owned(),
                        style: ScalarStyle::Plain,
                    },
                    span: Span::new(ty.start as u32, ty.start as u32),
                };
                if let YamlKind::Mapping(entries) = &mut body.kind {
                    entries.insert(0, (key, type_node));
                }
                resources.push(body);
            }
            Err((at, what)) => {
                out.diagnostics.push(not_read(text, at, &what));
                // Go on after the declaration's line.
                while p.peek().is_some_and(|t| t.kind != Tok::Newline) {
                    p.at += 1;
                }
            }
        }
    }
    if resources.is_empty() {
        return (out, linked);
    }
    let span = Span::new(0, text.len() as u32);
    let root = YamlNode {
        kind: YamlKind::Mapping(vec![(
            YamlNode {
                kind: YamlKind::Scalar {
                    value: "resources".to_owned(),
                    style: ScalarStyle::Plain,
                },
                span: Span::empty(0),
            },
            YamlNode {
                kind: YamlKind::Sequence(resources),
                span,
            },
        )]),
        span,
    };
    out.queries = queries(text, &root, Notation::Bicep, lossy, &mut out.diagnostics);
    // `loadTextContent('file')` queries.
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    for r in crate::arm::arm_rules(&root) {
        let Some(q) = root
            .pointer(&format!("{r}/properties/query"))
            .map(|t| t.node)
        else {
            continue;
        };
        let Some(expr) = q.as_str() else { continue };
        let Some(written) = load_text_content(expr) else {
            continue;
        };
        let file = dir.join(&written);
        // An editor buffer of an unsaved file has no directory to look in.
        if dir.is_dir() && !file.is_file() {
            out.diagnostics.push(
                Diagnostic::new(
                    &MISSING_LINKED_QUERY,
                    q.span,
                    format!(
                        "the rule's query is loaded from `{written}`, which does not exist next to this file"
                    ),
                )
                .with_help("paths in `loadTextContent` are relative to the Bicep file"),
            );
            continue;
        }
        linked.push(LinkedQuery {
            path: file,
            written,
            span: q.span,
            resource: r,
        });
    }
    out.root = Some(root);
    (out, linked)
}

/// The file of `[loadTextContent('x.kql')]` (with an optional encoding).
pub fn load_text_content(expr: &str) -> Option<String> {
    let inner = expr.strip_prefix("[loadTextContent(")?.strip_suffix(")]")?;
    let first = inner.split(',').next()?.trim();
    let decoded = decode(first)?;
    (first.starts_with('\'') && !decoded.contains("${")).then_some(decoded)
}

fn not_read(text: &str, at: usize, what: &str) -> Diagnostic {
    let at = at.min(text.len()) as u32;
    Diagnostic::new(
        &BICEP_NOT_READ,
        Span::empty(at),
        format!("kqlint could not read this part of the Bicep file ({what}), so the rule resources after it are not checked"),
    )
    .with_help("`az bicep build` shows whether the file is valid Bicep")
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "param workspace string\n\
        resource ws 'Microsoft.OperationalInsights/workspaces@2022-10-01' existing = {\n  name: workspace\n}\n\
        // a rule\n\
        resource rule 'Microsoft.SecurityInsights/alertRules@2023-02-01' = {\n\
        \x20 scope: ws\n\
        \x20 name: guid('x')\n\
        \x20 kind: 'Scheduled'\n\
        \x20 properties: {\n\
        \x20   displayName: 'Bad \\'logons\\''\n\
        \x20   query: '''\n\
        SecurityEvent\n\
        | where EventID == 4625\n'''\n\
        \x20   queryFrequency: 'PT1H'\n\
        \x20   tactics: [\n      'CredentialAccess'\n    ]\n\
        \x20   entityMappings: [\n      {\n        entityType: 'Account'\n        fieldMappings: [ { identifier: 'FullName', columnName: 'Account' } ]\n      }\n    ]\n\
        \x20 }\n}\n\
        resource linked 'Microsoft.SecurityInsights/alertRules@2023-02-01' = if (deploy) {\n\
        \x20 kind: 'NRT'\n  properties: {\n    query: loadTextContent('rules/nrt.kql')\n  }\n}\n";

    #[test]
    fn reads_rule_resources_and_their_queries() {
        let (found, linked) = extract(
            Path::new("/nonexistent/main.bicep"),
            RULE,
            false,
            &Limits::default(),
        );
        assert!(
            found.diagnostics.iter().all(|d| d.code != "KQL511"),
            "{:?}",
            found.diagnostics
        );
        let root = found.root.unwrap();
        let r0 = root.pointer("/resources/0").unwrap().node;
        assert_eq!(
            r0.get("type").unwrap().as_str(),
            Some("Microsoft.SecurityInsights/alertRules")
        );
        assert_eq!(r0.get("name").unwrap().as_str(), Some("[guid('x')]"));
        let props = r0.get("properties").unwrap();
        assert_eq!(
            props.get("displayName").unwrap().as_str(),
            Some("Bad 'logons'")
        );
        assert_eq!(
            props.get("entityMappings").unwrap().to_json()[0]["fieldMappings"][0]["columnName"],
            "Account"
        );
        assert_eq!(found.queries.len(), 1);
        let q = &found.queries[0];
        assert_eq!(q.text, "SecurityEvent\n| where EventID == 4625\n");
        let at = RULE.find("4625").unwrap() as u32;
        assert_eq!(q.map_offset(q.text.find("4625").unwrap() as u32), at);
        // The linked query's directory does not exist: no missing-file finding.
        assert_eq!(linked.len(), 1);
        assert_eq!(linked[0].written, "rules/nrt.kql");
        assert_eq!(linked[0].resource, "/resources/1");
    }

    #[test]
    fn single_quoted_queries_map_through_escapes() {
        let t = "resource r 'Microsoft.SecurityInsights/alertRules@2023-02-01' = {\n  properties: {\n    query: 'T | where A == \\'x\\''\n  }\n}\n";
        let (found, _) = extract(Path::new("r.bicep"), t, false, &Limits::default());
        let q = &found.queries[0];
        assert_eq!(q.text, "T | where A == 'x'");
        let a = t.find("A ==").unwrap() as u32;
        assert_eq!(q.map_offset(10), a);
    }
}
