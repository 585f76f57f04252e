//! The KQL lexer: a [logos] state machine for the bulk of the tokens, plus a
//! small pass that composes what KQL lexes as one token but a regular
//! language cannot express cheaply:
//! - hyphenated operator keywords (`project-away`, `mv-expand`, ...), only
//!   when the whole hyphenated word is a known keyword, so `a-b` stays `a - b`;
//! - names that start with a digit (`2ndCol`) versus numbers and timespans
//!   (`10`, `0x1F`, `1.5e3`, `5d`, `100ms`, `1.5h`);
//! - typed literals whose parenthesised text is not made of KQL tokens
//!   (`datetime(2020-01-01 10:00)`, `guid(...)`, `time(1.02:03:04)`, `long(null)`).
//!
//! Every byte of the input belongs to exactly one token (trivia included), so
//! the tokens can be used for semantic highlighting as they are.

use crate::Span;
use logos::Logos;

/// The kind of a token. Keywords are not separate kinds: KQL keywords are
/// soft, so they are [`TokenKind::Ident`] and the parser looks at the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    // trivia
    /// The characters Kusto takes as white space: space, tab, CR, LF, form
    /// feed, U+00A0, U+1680, U+180E, U+2000–U+200B (the zero-width space
    /// included), U+202F, U+205F, U+3000 and U+FEFF (a byte-order mark,
    /// anywhere). Other Unicode spaces and line separators (U+000B, U+0085,
    /// U+2028, U+2029) are not white space to Kusto: they are
    /// [`TokenKind::Unknown`].
    Whitespace,
    /// `// ...` up to the end of the line (a U+2028/U+2029 line separator
    /// ends it too, and belongs to it, as in Kusto).
    Comment,

    // names and literals
    /// A name or (soft) keyword: `where`, `$left`, `2ndCol`, `project-away`.
    Ident,
    /// `!` directly followed by a word: `!has`, `!contains_cs`, `!in`, `!between`.
    BangIdent,
    /// `in~`.
    InCi,
    /// `!in~`.
    NotInCi,
    /// `42`, `0x2A`.
    Int,
    /// `1.5`, `1e3`, `5.`.
    Real,
    /// `5d`, `1.5h`, `100ms`, `10microseconds`, `1tick`.
    TimeSpan,
    /// Any closed string literal form: `"..."`, `'...'`, `@"..."`, `h'...'`,
    /// ```` ```...``` ````, `~~~...~~~`.
    String,
    /// A string literal that reaches the end of its line (or, for the
    /// multi-line forms, of the text) without its closing quote.
    UnterminatedString,
    /// `datetime(...)`, `date(...)`, `timespan(...)`, `time(...)`, `guid(...)`,
    /// `uuid(...)`, `uniqueid(...)`, `long(...)`, `int(...)`, `int64(...)`,
    /// `int32(...)`, `real(...)`, `double(...)`, `bool(...)`, `decimal(...)`:
    /// the type name, the parentheses and the raw text between them.
    TypedLiteral,
    /// A typed literal whose `)` is missing on its line.
    UnterminatedTypedLiteral,

    // punctuation
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semi,
    Colon,
    Dot,
    DotDot,
    Pipe,
    /// `=`
    Assign,
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    /// `<>`
    LtGt,
    /// `=~`
    EqTilde,
    /// `!~`
    BangTilde,
    Lt,
    Le,
    Gt,
    Ge,
    /// `=>`
    FatArrow,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    /// `!` on its own.
    Bang,
    /// `?`
    Question,
    /// `#` (client directives such as `#connect` are not KQL).
    Hash,
    /// A character that starts no KQL token.
    Unknown,
    /// The end of the text (only produced by the parser's token stream).
    Eof,
}

impl TokenKind {
    pub fn is_trivia(self) -> bool {
        matches!(self, TokenKind::Whitespace | TokenKind::Comment)
    }

    /// How the token is shown in diagnostics ("expected `)`").
    pub fn describe(self) -> &'static str {
        use TokenKind::*;
        match self {
            Whitespace => "white space",
            Comment => "a comment",
            Ident => "a name",
            BangIdent => "a negated operator",
            InCi => "`in~`",
            NotInCi => "`!in~`",
            Int | Real => "a number",
            TimeSpan => "a timespan",
            String => "a string",
            UnterminatedString => "an unterminated string",
            TypedLiteral => "a literal",
            UnterminatedTypedLiteral => "an unterminated literal",
            LParen => "`(`",
            RParen => "`)`",
            LBracket => "`[`",
            RBracket => "`]`",
            LBrace => "`{`",
            RBrace => "`}`",
            Comma => "`,`",
            Semi => "`;`",
            Colon => "`:`",
            Dot => "`.`",
            DotDot => "`..`",
            Pipe => "`|`",
            Assign => "`=`",
            EqEq => "`==`",
            NotEq => "`!=`",
            LtGt => "`<>`",
            EqTilde => "`=~`",
            BangTilde => "`!~`",
            Lt => "`<`",
            Le => "`<=`",
            Gt => "`>`",
            Ge => "`>=`",
            FatArrow => "`=>`",
            Plus => "`+`",
            Minus => "`-`",
            Star => "`*`",
            Slash => "`/`",
            Percent => "`%`",
            Bang => "`!`",
            Question => "`?`",
            Hash => "`#`",
            Unknown => "an invalid character",
            Eof => "the end of the query",
        }
    }
}

/// One token: its kind and byte span. Trivia tokens are included in [`lex`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

#[derive(Default, Debug, Clone, Copy, PartialEq)]
enum RawError {
    #[default]
    Invalid,
    Unterminated,
}

#[derive(Logos, Debug, Clone, Copy, PartialEq)]
#[logos(error = RawError)]
enum Raw {
    // Kusto.Language's `TextFacts.IsWhitespace`, exactly
    #[regex(
        r"[ \t\r\n\x0C\u{A0}\u{1680}\u{180E}\u{2000}-\u{200B}\u{202F}\u{205F}\u{3000}\u{FEFF}]+"
    )]
    Whitespace,
    #[regex(r"//[^\r\n\u{2028}\u{2029}]*[\u{2028}\u{2029}]?", allow_greedy = true)]
    Comment,
    #[regex(r"[\p{L}_$][\p{L}\p{N}_]*")]
    Ident,
    #[regex(r"![\p{L}_][\p{L}\p{N}_]*")]
    BangIdent,
    #[token("in~")]
    InCi,
    #[token("!in~")]
    NotInCi,
    /// A number, a timespan or a name that starts with a digit; classified later.
    #[regex(r"[0-9]", number)]
    Number,
    #[token("\"", |l| quoted(l, b'"', true))]
    #[token("'", |l| quoted(l, b'\'', true))]
    #[token("@\"", |l| quoted(l, b'"', false))]
    #[token("@'", |l| quoted(l, b'\'', false))]
    #[token("h\"", |l| quoted(l, b'"', true))]
    #[token("h'", |l| quoted(l, b'\'', true))]
    #[token("H\"", |l| quoted(l, b'"', true))]
    #[token("H'", |l| quoted(l, b'\'', true))]
    #[token("h@\"", |l| quoted(l, b'"', false))]
    #[token("h@'", |l| quoted(l, b'\'', false))]
    #[token("H@\"", |l| quoted(l, b'"', false))]
    #[token("H@'", |l| quoted(l, b'\'', false))]
    #[token("```", |l| fenced(l, "```"))]
    #[token("~~~", |l| fenced(l, "~~~"))]
    #[token("h```", |l| fenced(l, "```"))]
    #[token("H```", |l| fenced(l, "```"))]
    #[token("h~~~", |l| fenced(l, "~~~"))]
    #[token("H~~~", |l| fenced(l, "~~~"))]
    String,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token(":")]
    Colon,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("|")]
    Pipe,
    #[token("=")]
    Assign,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<>")]
    LtGt,
    #[token("=~")]
    EqTilde,
    #[token("!~")]
    BangTilde,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("=>")]
    FatArrow,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("!")]
    Bang,
    #[token("?")]
    Question,
    #[token("#")]
    Hash,
}

/// Whether Kusto takes `c` as white space (Kusto.Language's
/// `TextFacts.IsWhitespace`; the [`TokenKind::Whitespace`] characters).
pub fn is_whitespace(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | '\u{C}' | '\u{A0}' | '\u{1680}' | '\u{180E}' | '\u{2000}'
            ..='\u{200B}' | '\u{202F}' | '\u{205F}' | '\u{3000}' | '\u{FEFF}'
    )
}

/// Scans the rest of a number-like word after its first digit.
fn number(lex: &mut logos::Lexer<Raw>) {
    let rest = lex.remainder().as_bytes();
    let n = number_len(lex.slice().as_bytes()[0], rest);
    lex.bump(n);
}

/// Whether `c` can continue a name: a letter, a digit or `_` (white space
/// such as U+00A0 or U+202F never does).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The length in bytes of the word character at byte `i` of `rest`, if the
/// character there is one (see [`is_word_char`]); `rest` is the tail of a
/// `str`, so `i` is on a character boundary whenever the bytes before it are
/// whole characters.
fn word_char_at(rest: &[u8], i: usize) -> Option<usize> {
    let b = *rest.get(i)?;
    if b < 0x80 {
        return (b.is_ascii_alphanumeric() || b == b'_').then_some(1);
    }
    let len = match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return None,
    };
    let c = std::str::from_utf8(rest.get(i..i + len)?)
        .ok()?
        .chars()
        .next()?;
    is_word_char(c).then_some(len)
}

/// Length of the remainder of a number-like token whose first byte (a digit)
/// was already consumed.
fn number_len(first: u8, rest: &[u8]) -> usize {
    let mut i = 0;
    if first == b'0' && matches!(rest.first(), Some(b'x' | b'X')) {
        // hex: 0x1F (anything word-like after it is part of the token)
        return word_tail(rest, 1);
    }
    while i < rest.len() && rest[i].is_ascii_digit() {
        i += 1;
    }
    // fraction: `1.5`, `5.`, but not `1..3` and not `1.x` member access
    if i < rest.len() && rest[i] == b'.' {
        let next = rest.get(i + 1).copied();
        match next {
            Some(b'.') => return i,
            Some(d) if d.is_ascii_digit() => {
                i += 1;
                while i < rest.len() && rest[i].is_ascii_digit() {
                    i += 1;
                }
            }
            Some(_) if word_char_at(rest, i + 1).is_some() => {
                // `1.d`, `1.5e3` handled above; `5.day` is a timespan
                let mut j = i + 1;
                while j < rest.len() && rest[j].is_ascii_alphabetic() {
                    j += 1;
                }
                if timespan_suffix(&rest[i + 1..j]) && word_char_at(rest, j).is_none() {
                    return j;
                }
                return i + 1;
            }
            _ => return i + 1,
        }
    }
    // exponent
    if i < rest.len() && matches!(rest[i], b'e' | b'E') {
        let mut j = i + 1;
        if j < rest.len() && matches!(rest[j], b'+' | b'-') {
            j += 1;
        }
        if j < rest.len() && rest[j].is_ascii_digit() {
            while j < rest.len() && rest[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    word_tail(rest, i)
}

/// Consumes the word characters that follow a number (a timespan suffix or
/// the rest of a name that starts with a digit).
fn word_tail(rest: &[u8], mut i: usize) -> usize {
    while let Some(n) = word_char_at(rest, i) {
        i += n;
    }
    i
}

/// The timespan unit suffixes Kusto accepts after a number.
pub(crate) fn timespan_suffix(s: &[u8]) -> bool {
    matches!(
        s,
        b"d" | b"day"
            | b"days"
            | b"h"
            | b"hr"
            | b"hrs"
            | b"hour"
            | b"hours"
            | b"m"
            | b"min"
            | b"minute"
            | b"minutes"
            | b"s"
            | b"sec"
            | b"second"
            | b"seconds"
            | b"ms"
            | b"milli"
            | b"millis"
            | b"millisecond"
            | b"milliseconds"
            | b"micro"
            | b"micros"
            | b"microsecond"
            | b"microseconds"
            | b"nano"
            | b"nanos"
            | b"nanosecond"
            | b"nanoseconds"
            | b"tick"
            | b"ticks"
    )
}

/// Scans a `"`/`'` string (after the opening quote). `escapes`: `\` escapes
/// (regular strings); otherwise a doubled quote stands for one (verbatim).
/// Regular and verbatim strings end at the end of the line when unclosed.
fn quoted(lex: &mut logos::Lexer<Raw>, quote: u8, escapes: bool) -> Result<(), RawError> {
    let rest = lex.remainder().as_bytes();
    let mut i = 0;
    while i < rest.len() {
        let b = rest[i];
        if b == b'\n' || b == b'\r' {
            break;
        }
        if escapes && b == b'\\' {
            if matches!(rest.get(i + 1), Some(b'\n' | b'\r')) {
                // a `\` at the end of the line escapes nothing: the string
                // ends with it, before the line break
                i += 1;
                break;
            }
            i += 2;
            continue;
        }
        if b == quote {
            if !escapes && rest.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            lex.bump(i + 1);
            return Ok(());
        }
        i += 1;
    }
    let mut end = i.min(rest.len());
    // never stop inside a UTF-8 sequence (an escape skips two bytes)
    while end < rest.len() && (rest[end] & 0xC0) == 0x80 {
        end += 1;
    }
    lex.bump(end);
    Err(RawError::Unterminated)
}

/// Scans a multi-line ```` ``` ```` / `~~~` string up to its closing fence.
fn fenced(lex: &mut logos::Lexer<Raw>, fence: &str) -> Result<(), RawError> {
    let rest = lex.remainder();
    match rest.find(fence) {
        Some(i) => {
            lex.bump(i + fence.len());
            Ok(())
        }
        None => {
            lex.bump(rest.len());
            Err(RawError::Unterminated)
        }
    }
}

/// Hyphenated keywords, lexed as one name.
const HYPHENATED: &[&str] = &[
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "project-smart",
    "project-by-names",
    "mv-expand",
    "mv-apply",
    "make-series",
    "make-graph",
    "parse-where",
    "parse-kv",
    "top-nested",
    "top-hitters",
    "sample-distinct",
    "graph-match",
    "graph-shortest-paths",
    "graph-to-table",
    "graph-mark-components",
    "graph-where-nodes",
    "graph-where-edges",
    "macro-expand",
    "assert-schema",
    "materialized-view-combine",
    "partitioned-by",
];

/// Type names that introduce a typed literal when followed by `(`.
pub(crate) const TYPED_LITERALS: &[&str] = &[
    "datetime", "date", "timespan", "time", "guid", "uuid", "uniqueid", "long", "int", "int64",
    "int32", "real", "double", "bool", "decimal",
];

/// Tokenizes `src`: every byte belongs to one token, trivia included.
pub fn lex(src: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(src.len() / 3 + 1);
    lex_into(src, &mut out);
    out
}

pub(crate) fn lex_into(src: &str, out: &mut Vec<Token>) {
    let bytes = src.as_bytes();
    let mut lexer = Raw::lexer(src);
    while let Some(res) = lexer.next() {
        let r = lexer.span();
        let (start, mut end) = (r.start, r.end);
        let kind = match res {
            Ok(raw) => match raw {
                Raw::Whitespace => TokenKind::Whitespace,
                Raw::Comment => TokenKind::Comment,
                Raw::Ident => {
                    // hyphenated keywords
                    if bytes.get(end) == Some(&b'-') {
                        let word = &src[start..end];
                        for kw in HYPHENATED {
                            if kw.len() > word.len()
                                && kw.starts_with(word)
                                && kw.as_bytes()[word.len()] == b'-'
                                && src[start..].starts_with(kw)
                                && word_char_at(bytes, start + kw.len()).is_none()
                            {
                                end = start + kw.len();
                                lexer.bump(kw.len() - word.len());
                                break;
                            }
                        }
                        TokenKind::Ident
                    } else if TYPED_LITERALS.contains(&&src[start..end]) {
                        // typed literal: name, optional blanks, `(`, raw text, `)`
                        let mut j = end;
                        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
                            j += 1;
                        }
                        if bytes.get(j) == Some(&b'(') {
                            let mut k = j + 1;
                            while k < bytes.len() && !matches!(bytes[k], b')' | b'\n' | b'\r') {
                                k += 1;
                            }
                            if bytes.get(k) == Some(&b')') {
                                lexer.bump(k + 1 - end);
                                end = k + 1;
                                TokenKind::TypedLiteral
                            } else {
                                lexer.bump(k - end);
                                end = k;
                                TokenKind::UnterminatedTypedLiteral
                            }
                        } else {
                            TokenKind::Ident
                        }
                    } else {
                        TokenKind::Ident
                    }
                }
                Raw::BangIdent => TokenKind::BangIdent,
                Raw::InCi => TokenKind::InCi,
                Raw::NotInCi => TokenKind::NotInCi,
                Raw::Number => classify_number(&src[start..end]),
                Raw::String => TokenKind::String,
                Raw::LParen => TokenKind::LParen,
                Raw::RParen => TokenKind::RParen,
                Raw::LBracket => TokenKind::LBracket,
                Raw::RBracket => TokenKind::RBracket,
                Raw::LBrace => TokenKind::LBrace,
                Raw::RBrace => TokenKind::RBrace,
                Raw::Comma => TokenKind::Comma,
                Raw::Semi => TokenKind::Semi,
                Raw::Colon => TokenKind::Colon,
                Raw::Dot => TokenKind::Dot,
                Raw::DotDot => TokenKind::DotDot,
                Raw::Pipe => TokenKind::Pipe,
                Raw::Assign => TokenKind::Assign,
                Raw::EqEq => TokenKind::EqEq,
                Raw::NotEq => TokenKind::NotEq,
                Raw::LtGt => TokenKind::LtGt,
                Raw::EqTilde => TokenKind::EqTilde,
                Raw::BangTilde => TokenKind::BangTilde,
                Raw::Lt => TokenKind::Lt,
                Raw::Le => TokenKind::Le,
                Raw::Gt => TokenKind::Gt,
                Raw::Ge => TokenKind::Ge,
                Raw::FatArrow => TokenKind::FatArrow,
                Raw::Plus => TokenKind::Plus,
                Raw::Minus => TokenKind::Minus,
                Raw::Star => TokenKind::Star,
                Raw::Slash => TokenKind::Slash,
                Raw::Percent => TokenKind::Percent,
                Raw::Bang => TokenKind::Bang,
                Raw::Question => TokenKind::Question,
                Raw::Hash => TokenKind::Hash,
            },
            Err(RawError::Unterminated) => TokenKind::UnterminatedString,
            Err(RawError::Invalid) => {
                // cover the whole (possibly multi-byte) character
                while end < bytes.len() && !src.is_char_boundary(end) {
                    end += 1;
                }
                if end > r.end {
                    lexer.bump(end - r.end);
                }
                TokenKind::Unknown
            }
        };
        // merge runs of unknown characters into one token
        if kind == TokenKind::Unknown
            && let Some(last) = out.last_mut()
            && last.kind == TokenKind::Unknown
            && last.span.end as usize == start
        {
            last.span.end = end as u32;
            continue;
        }
        out.push(Token {
            kind,
            span: Span::new(start as u32, end as u32),
        });
    }
}

fn classify_number(text: &str) -> TokenKind {
    let b = text.as_bytes();
    if b.len() > 1 && b[0] == b'0' && matches!(b[1], b'x' | b'X') {
        return if b.len() > 2 && b[2..].iter().all(u8::is_ascii_hexdigit) {
            TokenKind::Int
        } else {
            TokenKind::Ident
        };
    }
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut real = false;
    if i < b.len() && b[i] == b'.' {
        real = true;
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        let mut j = i + 1;
        if j < b.len() && matches!(b[j], b'+' | b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            // `1e3` is a real unless more word characters follow (`1e3x` is a name)
            if j == b.len() || timespan_suffix(&b[j..]) {
                real = true;
                i = j;
            }
        }
    }
    if i == b.len() {
        return if real {
            TokenKind::Real
        } else {
            TokenKind::Int
        };
    }
    if timespan_suffix(&b[i..]) {
        return TokenKind::TimeSpan;
    }
    if real {
        // `1.5x`: Kusto takes the letters as part of the number
        TokenKind::Real
    } else {
        TokenKind::Ident
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        lex(src)
            .into_iter()
            .filter(|t| !t.kind.is_trivia())
            .map(|t| (t.kind, t.span.text(src)))
            .collect()
    }

    #[test]
    fn numbers_timespans_and_digit_names() {
        use TokenKind::*;
        assert_eq!(
            kinds("1 0x1F 1.5 1e3 1.5e-3 5. 5d 1.5h 100ms 10microseconds 1tick 2ndCol 1..3"),
            vec![
                (Int, "1"),
                (Int, "0x1F"),
                (Real, "1.5"),
                (Real, "1e3"),
                (Real, "1.5e-3"),
                (Real, "5."),
                (TimeSpan, "5d"),
                (TimeSpan, "1.5h"),
                (TimeSpan, "100ms"),
                (TimeSpan, "10microseconds"),
                (TimeSpan, "1tick"),
                (Ident, "2ndCol"),
                (Int, "1"),
                (DotDot, ".."),
                (Int, "3"),
            ]
        );
    }

    #[test]
    fn hyphenated_keywords_only_when_known() {
        use TokenKind::*;
        assert_eq!(
            kinds("project-away a-b mv-expand x<-1 project-awayx"),
            vec![
                (Ident, "project-away"),
                (Ident, "a"),
                (Minus, "-"),
                (Ident, "b"),
                (Ident, "mv-expand"),
                (Ident, "x"),
                (Lt, "<"),
                (Minus, "-"),
                (Int, "1"),
                (Ident, "project"),
                (Minus, "-"),
                (Ident, "awayx"),
            ]
        );
    }

    #[test]
    fn strings() {
        use TokenKind::*;
        assert_eq!(
            kinds(
                r#""a\"b" 'c' @"d""e" h'x' H@"y" ```m
l``` ~~~z~~~ "open"#
            ),
            vec![
                (String, r#""a\"b""#),
                (String, "'c'"),
                (String, r#"@"d""e""#),
                (String, "h'x'"),
                (String, "H@\"y\""),
                (String, "```m\nl```"),
                (String, "~~~z~~~"),
                (UnterminatedString, "\"open"),
            ]
        );
    }

    #[test]
    fn an_unclosed_string_ends_before_the_line_break_even_after_a_backslash() {
        use TokenKind::*;
        for (src, string) in [("'a\\\r\nT", "'a\\"), ("\"\\\nT", "\"\\")] {
            let k = kinds(src);
            assert_eq!(k[0], (UnterminatedString, string), "{src:?}");
            assert_eq!(k.last(), Some(&(Ident, "T")), "{src:?}");
        }
    }

    #[test]
    fn typed_literals_and_operators() {
        use TokenKind::*;
        assert_eq!(
            kinds("datetime(2020-01-01 10:00) !has in~ !in~ =~ !~ <> => datetime"),
            vec![
                (TypedLiteral, "datetime(2020-01-01 10:00)"),
                (BangIdent, "!has"),
                (InCi, "in~"),
                (NotInCi, "!in~"),
                (EqTilde, "=~"),
                (BangTilde, "!~"),
                (LtGt, "<>"),
                (FatArrow, "=>"),
                (Ident, "datetime"),
            ]
        );
    }

    #[test]
    fn white_space_is_what_kusto_takes_as_white_space() {
        use TokenKind::*;
        // Kusto.Language (12.4.1, the oracle) accepts `print a=1,<c> b=2`
        // for each of these characters
        for c in [
            ' ', '\t', '\n', '\r', '\u{C}', '\u{A0}', '\u{1680}', '\u{180E}', '\u{2000}',
            '\u{2005}', '\u{200A}', '\u{200B}', '\u{202F}', '\u{205F}', '\u{3000}', '\u{FEFF}',
        ] {
            let src = format!("print a=1,{c} b=2");
            let toks = lex(&src);
            let ws = toks
                .iter()
                .find(|t| t.span.start == 10)
                .expect("token at 10");
            assert_eq!(ws.kind, Whitespace, "{c:?}");
            assert_eq!(ws.span.end as usize, 11 + c.len_utf8(), "{c:?}");
            assert!(is_whitespace(c), "{c:?}");
            assert_eq!(
                kinds(&src),
                vec![
                    (Ident, "print"),
                    (Ident, "a"),
                    (Assign, "="),
                    (Int, "1"),
                    (Comma, ","),
                    (Ident, "b"),
                    (Assign, "="),
                    (Int, "2"),
                ],
                "{c:?}"
            );
        }
        // and refuses these ("Missing expression")
        for c in [
            '\u{B}', '\u{85}', '\u{200C}', '\u{200D}', '\u{2028}', '\u{2029}', '\u{2060}', '\u{AD}',
        ] {
            let src = format!("print a=1,{c} b=2");
            let k = kinds(&src);
            assert_eq!(k[5], (Unknown, &src[10..10 + c.len_utf8()]), "{c:?}");
            assert!(!is_whitespace(c), "{c:?}");
        }
    }

    #[test]
    fn a_no_break_space_ends_a_number_or_a_hyphenated_keyword() {
        use TokenKind::*;
        // web copies put U+00A0 / U+202F around operators; Kusto.Language
        // (the oracle) accepts `print a=1, b=2|<NBSP>project-away<NBSP>a`
        // and `print a=1.5<NBSP>, b=0x1F<NBSP>, c=5d<NBSP>, d=1e3<NBSP>`
        for sp in ['\u{A0}', '\u{202F}', '\u{3000}'] {
            let src = format!(
                "project-away{sp}a mv-expand{sp}x 10{sp}1.5{sp}0x1F{sp}5d{sp}1e3{sp}2nd{sp}"
            );
            assert_eq!(
                kinds(&src),
                vec![
                    (Ident, "project-away"),
                    (Ident, "a"),
                    (Ident, "mv-expand"),
                    (Ident, "x"),
                    (Int, "10"),
                    (Real, "1.5"),
                    (Int, "0x1F"),
                    (TimeSpan, "5d"),
                    (Real, "1e3"),
                    (Ident, "2nd"),
                ],
                "{sp:?}"
            );
        }
        // a letter outside ASCII still continues a name that starts with a digit
        assert_eq!(kinds("2ndÄ x"), vec![(Ident, "2ndÄ"), (Ident, "x")]);
        assert_eq!(
            kinds("project-awayÄ"),
            vec![(Ident, "project"), (Minus, "-"), (Ident, "awayÄ")]
        );
    }

    #[test]
    fn a_comment_ends_after_a_unicode_line_separator() {
        use TokenKind::*;
        // Kusto: `print x=1 // c<U+2028>, y=2` has the columns x and y
        for sep in ['\u{2028}', '\u{2029}'] {
            let src = format!("print x=1 // c{sep}, y=2");
            let toks = lex(&src);
            let c = toks.iter().find(|t| t.kind == Comment).expect("comment");
            assert_eq!(c.span.text(&src), format!("// c{sep}"));
            assert_eq!(kinds(&src).last(), Some(&(Int, "2")));
        }
        // `\r` and `\n` stay outside the comment
        let toks = lex("// c\nx");
        assert_eq!(toks[0].span.text("// c\nx"), "// c");
    }

    #[test]
    fn every_byte_is_covered() {
        let src = "\u{feff}T | where x == 'a' // c\r\n\u{3000}| take 5 \u{1F600}§";
        let toks = lex(src);
        let mut at = 0;
        for t in &toks {
            assert_eq!(t.span.start, at);
            at = t.span.end;
        }
        assert_eq!(at as usize, src.len());
    }
}
