//! Pure functions over token text: literal values, escapes, reserved words.

use crate::Span;
use crate::ast::*;
use crate::error::{SyntaxError, SyntaxErrorKind as K};
use smol_str::SmolStr;

/// The value of one string literal token, and whether it is obfuscated.
pub(crate) fn unquote(text: &str) -> (String, bool) {
    let mut s = text;
    let mut obfuscated = false;
    if let Some(r) = s.strip_prefix(['h', 'H']) {
        s = r;
        obfuscated = true;
    }
    for fence in ["```", "~~~"] {
        if let Some(r) = s.strip_prefix(fence) {
            let r = r.strip_suffix(fence).unwrap_or(r);
            return (r.to_string(), obfuscated);
        }
    }
    let verbatim = if let Some(r) = s.strip_prefix('@') {
        s = r;
        true
    } else {
        false
    };
    let Some(q) = s.chars().next() else {
        return (String::new(), obfuscated);
    };
    let body = &s[q.len_utf8()..];
    let body = if body.ends_with(q) && !body.is_empty() {
        // a lone `\"` at the end of an unterminated string is not a closer;
        // the lexer only closes on a real quote, so this is fine
        &body[..body.len() - q.len_utf8()]
    } else {
        body
    };
    let mut out = String::with_capacity(body.len());
    if verbatim {
        let mut chars = body.chars().peekable();
        while let Some(c) = chars.next() {
            if c == q && chars.peek() == Some(&q) {
                chars.next();
            }
            out.push(c);
        }
        return (out, obfuscated);
    }
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    (out, obfuscated)
}

/// Reports escapes Kusto rejects (`"C:\\Temp\x"` is fine, `"\E"` is not).
pub(crate) fn check_escapes(src: &str, span: Span, errs: &mut Vec<SyntaxError>) {
    let text = span.text(src);
    let b = text.as_bytes();
    let body = text.trim_start_matches(['h', 'H']);
    if !(body.starts_with('"') || body.starts_with('\'')) {
        return; // verbatim and multi-line strings have no escapes
    }
    let mut i = text.len() - body.len() + 1;
    while i + 1 < b.len() {
        if b[i] == b'\\' {
            let c = b[i + 1];
            let ok = matches!(
                c,
                b'\\'
                    | b'\''
                    | b'"'
                    | b'a'
                    | b'b'
                    | b'f'
                    | b'n'
                    | b'r'
                    | b't'
                    | b'v'
                    | b'x'
                    | b'u'
                    | b'U'
            ) || c.is_ascii_digit();
            if !ok {
                let start = span.start + i as u32;
                let ch_len = text[i + 1..].chars().next().map_or(1, char::len_utf8) as u32;
                let esc = Span::new(start, start + 1 + ch_len);
                let shown = esc.text(src).to_string();
                errs.push(
                    SyntaxError::new(
                        K::InvalidEscape,
                        esc,
                        format!("`{shown}` is not a valid escape sequence in a string"),
                    )
                    .with_help(format!(
                        "write `\\\\{}` for a backslash, or use a verbatim string: @\"...\"",
                        &shown[1..]
                    )),
                );
            }
            i += 2;
        } else {
            i += 1;
        }
    }
}

/// The value of a `type(...)` literal token, reporting malformed contents.
pub(crate) fn typed_literal(src: &str, span: Span, errs: &mut Vec<SyntaxError>) -> LitKind {
    let text = span.text(src);
    let open = text.find('(').unwrap_or(text.len());
    let ty = text[..open].trim_end();
    let inner = text[open + 1..text.len() - 1].trim();
    let tyref = TypeRef {
        name: SmolStr::new(ty),
        span: Span::new(span.start, span.start + ty.len() as u32),
    };
    if inner == "null" {
        return LitKind::TypedNull(tyref);
    }
    let mut bad = |what: &str| {
        errs.push(SyntaxError::new(
            K::InvalidLiteral,
            span,
            format!("`{inner}` is not a valid {what} literal"),
        ));
    };
    match ty {
        "datetime" | "date" => LitKind::DateTime(SmolStr::new(inner)),
        "timespan" | "time" => LitKind::TimeSpan(SmolStr::new(inner)),
        "guid" | "uuid" | "uniqueid" => LitKind::Guid(SmolStr::new(inner)),
        "long" | "int64" | "int" | "int32" => {
            let v = parse_int(inner.strip_prefix('+').unwrap_or(inner)).or_else(|| {
                inner
                    .strip_prefix('-')
                    .and_then(|s| parse_int(s.trim()))
                    .map(|v| -v)
            });
            // Kusto's parser accepts any text here; only flag what has no number in it
            if v.is_none() && !inner.bytes().any(|b| b.is_ascii_digit()) {
                bad(ty);
            }
            let v = v.unwrap_or(0);
            if ty.starts_with("int") && ty != "int64" {
                LitKind::Int(v)
            } else {
                LitKind::Long(v)
            }
        }
        "real" | "double" => LitKind::Real(SmolStr::new(inner)),
        "decimal" => LitKind::Decimal(SmolStr::new(inner)),
        "bool" => match inner {
            "true" | "TRUE" | "True" | "1" => LitKind::Bool(true),
            "false" | "FALSE" | "False" | "0" => LitKind::Bool(false),
            _ => {
                bad("bool");
                LitKind::Bool(false)
            }
        },
        _ => LitKind::DateTime(SmolStr::new(inner)),
    }
}

pub(crate) fn parse_int(text: &str) -> Option<i64> {
    if let Some(h) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return u64::from_str_radix(h, 16).ok().map(|v| v as i64);
    }
    text.parse::<i64>().ok()
}

pub(crate) fn negate(k: LitKind) -> LitKind {
    match k {
        LitKind::Long(v) => LitKind::Long(v.wrapping_neg()),
        LitKind::Int(v) => LitKind::Int(v.wrapping_neg()),
        LitKind::Real(s) => LitKind::Real(SmolStr::new(format!("-{s}"))),
        LitKind::TimeSpan(s) => LitKind::TimeSpan(SmolStr::new(format!("-{s}"))),
        other => other,
    }
}

/// For a parenthesised pipeline whose source is a predicate (`x == 1 | ...`):
/// the end of the predicate and the first `|`.
pub(crate) fn predicate_pipe(e: &Expr) -> Option<(u32, Span)> {
    let ExprKind::Pipeline(p) = &e.kind else {
        return None;
    };
    let src = p.source.as_ref()?;
    let scalar = match &src.kind {
        ExprKind::Binary { op, .. } => !op.is_arithmetic(),
        ExprKind::InList { .. } | ExprKind::Between { .. } | ExprKind::Literal(_) => true,
        _ => false,
    };
    let pipe = p.ops.first()?.pipe?;
    scalar.then_some((src.span.end, pipe))
}

/// `kw` used as a name where Kusto wants it bracketed.
pub(crate) fn reserved_name_error(id: &Ident) -> SyntaxError {
    SyntaxError::new(
        K::KeywordAsName,
        id.span,
        format!(
            "`{}` is a keyword and cannot be used as a name here",
            id.name
        ),
    )
    .with_help(format!("write `['{}']` to use it as a name", id.name))
}

/// Keywords that Kusto does not accept as a bare name in an expression
/// (they must be written `['string']`); checked against the oracle.
pub(crate) fn is_reserved_name(w: &str) -> bool {
    matches!(
        w,
        "where"
            | "project"
            | "union"
            | "as"
            | "invoke"
            | "sample"
            | "search"
            | "find"
            | "print"
            | "by"
            | "of"
            | "in"
            | "and"
            | "or"
            | "between"
            | "has"
            | "contains"
            | "startswith"
            | "endswith"
            | "like"
            | "asc"
            | "desc"
            | "to"
            | "contains_cs"
            | "has_cs"
            | "hasprefix"
            | "hassuffix"
            | "has_any"
            | "has_all"
            | "notcontains"
            | "containscs"
            | "notlike"
            | "likecs"
            | "notlikecs"
            | "mv-expand"
            | "macro-expand"
            | "graph-match"
            | "string"
            | "long"
            | "int"
            | "real"
            | "datetime"
            | "timespan"
            | "decimal"
            | "date"
            | "time"
            | "double"
            | "uniqueid"
            | "int64"
            | "boolean"
            | "title"
            | "set"
            | "first"
            | "last"
            | "isfuzzy"
            | "materialize"
            | "cycles"
            | "with_itemindex"
            | "bagexpansion"
            | "flags"
            | "__noWithSource"
            | "datatable"
            | "externaldata"
            | "dynamic"
            | "toscalar"
            | "totable"
    )
}

/// Keywords Kusto does not accept as the name in `Name = expr` (checked
/// against the oracle; `kind` and `withsource` are only reserved here).
pub(crate) fn is_reserved_assign_name(w: &str) -> bool {
    (is_reserved_name(w)
        && !matches!(
            w,
            "where"
                | "as"
                | "invoke"
                | "sample"
                | "search"
                | "find"
                | "print"
                | "by"
                | "of"
                | "in"
                | "to"
                | "title"
                | "set"
                | "materialize"
                | "has"
                | "contains"
                | "datatable"
                | "externaldata"
                | "toscalar"
                | "totable"
        ))
        || matches!(w, "kind" | "withsource" | "dynamic" | "true" | "false")
}

/// A word-shaped binary operator (`has`, `!contains_cs`, `notlike`, ...).
pub(crate) fn binary_word(w: &str) -> Option<BinaryOp> {
    use BinaryOp::*;
    Some(match w {
        "has" => Has,
        "!has" => NotHas,
        "has_cs" => HasCs,
        "!has_cs" => NotHasCs,
        "hasprefix" => HasPrefix,
        "!hasprefix" => NotHasPrefix,
        "hasprefix_cs" => HasPrefixCs,
        "!hasprefix_cs" => NotHasPrefixCs,
        "hassuffix" => HasSuffix,
        "!hassuffix" => NotHasSuffix,
        "hassuffix_cs" => HasSuffixCs,
        "!hassuffix_cs" => NotHasSuffixCs,
        "contains" => Contains,
        "!contains" | "notcontains" => NotContains,
        "contains_cs" | "containscs" => ContainsCs,
        "!contains_cs" | "notcontainscs" => NotContainsCs,
        "startswith" => StartsWith,
        "!startswith" => NotStartsWith,
        "startswith_cs" => StartsWithCs,
        "!startswith_cs" => NotStartsWithCs,
        "endswith" => EndsWith,
        "!endswith" => NotEndsWith,
        "endswith_cs" => EndsWithCs,
        "!endswith_cs" => NotEndsWithCs,
        "like" => Like,
        "notlike" => NotLike,
        "likecs" => LikeCs,
        "notlikecs" => NotLikeCs,
        _ => return None,
    })
}
