//! Bytes → text: byte-order marks, UTF-16, invalid UTF-8, binary content,
//! the size limit.

use crate::rules::{BINARY_FILE, FILE_TOO_LARGE, INVALID_UTF8, INVALID_UTF16};
use kqlint_diagnostics::{Diagnostic, Span};

/// How the file's bytes were encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark (also: an editor buffer).
    Utf8,
    /// UTF-8 with a byte-order mark, which was removed from the text.
    Utf8Bom,
    /// UTF-16 little-endian (byte-order mark `FF FE`), decoded to UTF-8.
    Utf16Le,
    /// UTF-16 big-endian (byte-order mark `FE FF`), decoded to UTF-8.
    Utf16Be,
}

/// The outcome of decoding: the text (when there is one) and what went wrong.
pub(crate) struct Decoded {
    pub text: Option<String>,
    pub encoding: Encoding,
    /// Bad sequences were replaced by U+FFFD: the text is not the file's.
    pub lossy: bool,
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks a size against the limit; the diagnostic when it is too large.
pub(crate) fn too_large(len: u64, limit: u64) -> Option<Diagnostic> {
    (len > limit).then(|| {
        Diagnostic::new(
            &FILE_TOO_LARGE,
            Span::empty(0),
            format!(
                "the file is {} bytes, more than the limit of {limit} bytes; it was not checked",
                len
            ),
        )
        .with_help("exclude the file, or raise the size limit if it really is a rule or query")
    })
}

pub(crate) fn decode(bytes: &[u8], limit: u64) -> Decoded {
    let fail = |encoding, d| Decoded {
        text: None,
        encoding,
        lossy: false,
        diagnostics: vec![d],
    };
    if let Some(d) = too_large(bytes.len() as u64, limit) {
        return fail(Encoding::Utf8, d);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode_utf8(rest, Encoding::Utf8Bom);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_utf16(rest, Encoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_utf16(rest, Encoding::Utf16Be);
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return fail(Encoding::Utf8, binary(nul, looks_like_utf16(bytes)));
    }
    decode_utf8(bytes, Encoding::Utf8)
}

fn binary(offset: usize, utf16_hint: bool) -> Diagnostic {
    let d = Diagnostic::new(
        &BINARY_FILE,
        Span::empty(0),
        format!(
            "the file contains a NUL byte (at byte {offset}), so it is binary, not text; it was not checked"
        ),
    );
    if utf16_hint {
        d.with_help(
            "every other byte is NUL: this looks like UTF-16 text without a byte-order mark; save it as UTF-8",
        )
    } else {
        d.with_help("check that the path points at a rule or query file")
    }
}

/// Many NULs at one parity and almost none at the other: UTF-16 of mostly
/// ASCII text.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(4096)];
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, &b) in sample.iter().enumerate() {
        if b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    let half = sample.len() / 2;
    half >= 2 && (even.max(odd) * 10 >= half * 8) && even.min(odd) * 10 <= half
}

fn decode_utf8(bytes: &[u8], encoding: Encoding) -> Decoded {
    match std::str::from_utf8(bytes) {
        Ok(text) => finish(text.to_owned(), encoding, false, Vec::new()),
        Err(e) => {
            let at = e.valid_up_to();
            let text = String::from_utf8_lossy(bytes).into_owned();
            let more = count_more_invalid(&bytes[at..]);
            let bad = &bytes[at..at + e.error_len().unwrap_or(bytes.len() - at)];
            let shown: Vec<String> = bad.iter().take(4).map(|b| format!("0x{b:02X}")).collect();
            let what = if e.error_len().is_some() {
                format!("the byte sequence {} is not valid UTF-8", shown.join(" "))
            } else {
                format!(
                    "the file ends in the middle of a UTF-8 character ({})",
                    shown.join(" ")
                )
            };
            let mut message = what;
            if more > 0 {
                message.push_str(&format!(
                    " ({more} more invalid sequence{} follow{})",
                    if more == 1 { "" } else { "s" },
                    if more == 1 { "s" } else { "" }
                ));
            }
            let mut help = String::from(
                "save the file as UTF-8; kqlint checked it with the bad bytes replaced by \u{FFFD} and will not apply fixes to it",
            );
            if let Some(c) = windows_1252(bad[0]) {
                help = format!(
                    "in Windows-1252 the byte 0x{:02X} is `{c}`: the file was probably saved in a legacy code page; {help}",
                    bad[0]
                );
            }
            // The text before the first bad byte is unchanged, so the
            // replacement character sits at the bad byte's line and column.
            let span = Span::new(at as u32, (at + '\u{FFFD}'.len_utf8()) as u32);
            let d = Diagnostic::new(&INVALID_UTF8, span, message).with_help(help);
            finish(text, encoding, true, vec![d])
        }
    }
}

/// Invalid sequences after the first one (which starts `rest`).
fn count_more_invalid(mut rest: &[u8]) -> usize {
    let mut n = 0usize;
    loop {
        match std::str::from_utf8(rest) {
            Ok(_) => return n.saturating_sub(1),
            Err(e) => {
                n += 1;
                match e.error_len() {
                    Some(len) => rest = &rest[e.valid_up_to() + len..],
                    None => return n.saturating_sub(1),
                }
            }
        }
    }
}

/// The Windows-1252 character of a byte that is not ASCII, for hints.
fn windows_1252(b: u8) -> Option<char> {
    const HIGH: [char; 32] = [
        '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0',
        '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => Some(HIGH[(b - 0x80) as usize]).filter(|&c| c != '\0'),
        0xA1..=0xFF => char::from_u32(b as u32),
        _ => None,
    }
}

fn decode_utf16(bytes: &[u8], encoding: Encoding) -> Decoded {
    let units = bytes.chunks(2).map(|c| match (c, encoding) {
        ([a, b], Encoding::Utf16Be) => u16::from_be_bytes([*a, *b]),
        ([a, b], _) => u16::from_le_bytes([*a, *b]),
        // An odd trailing byte: a lone low surrogate decodes as an error.
        _ => 0xDC00,
    });
    let mut text = String::with_capacity(bytes.len());
    let mut first_bad: Option<(usize, usize)> = None; // (text offset, unit index)
    let mut bad = 0usize;
    let mut unit = 0usize;
    for r in char::decode_utf16(units) {
        match r {
            Ok(c) => {
                unit += c.len_utf16();
                text.push(c);
            }
            Err(_) => {
                bad += 1;
                first_bad.get_or_insert((text.len(), unit));
                unit += 1;
                text.push('\u{FFFD}');
            }
        }
    }
    let mut diagnostics = Vec::new();
    if let Some((at, unit)) = first_bad {
        let odd = bytes.len() % 2 == 1;
        let message = if odd && bad == 1 && unit * 2 + 1 == bytes.len() {
            "the file is marked as UTF-16 but has an odd number of bytes: its last byte is cut off"
                .to_owned()
        } else {
            format!(
                "the file is marked as UTF-16 but the code unit at byte {} is an unpaired surrogate{}",
                unit * 2 + 2,
                if bad > 1 {
                    format!(" ({} more invalid units follow)", bad - 1)
                } else {
                    String::new()
                }
            )
        };
        diagnostics.push(
            Diagnostic::new(
                &INVALID_UTF16,
                Span::new(at as u32, (at + 3) as u32),
                message,
            )
            .with_help("save the file as UTF-8; kqlint checked it with the bad units replaced by \u{FFFD} and will not apply fixes to it"),
        );
    }
    let lossy = first_bad.is_some();
    finish(text, encoding, lossy, diagnostics)
}

/// Common tail: a decoded text with a NUL character is binary after all.
fn finish(text: String, encoding: Encoding, lossy: bool, diagnostics: Vec<Diagnostic>) -> Decoded {
    if let Some(nul) = text.find('\0') {
        return Decoded {
            text: None,
            encoding,
            lossy: false,
            diagnostics: vec![binary(nul, false)],
        };
    }
    Decoded {
        text: Some(text),
        encoding,
        lossy,
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_removed() {
        let d = decode(b"\xEF\xBB\xBFid: 1\n", 100);
        assert_eq!(d.text.as_deref(), Some("id: 1\n"));
        assert_eq!(d.encoding, Encoding::Utf8Bom);
        assert!(d.diagnostics.is_empty());
    }

    #[test]
    fn utf16_both_orders() {
        let le: Vec<u8> = b"\xFF\xFE"
            .iter()
            .copied()
            .chain("qä😀".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let be: Vec<u8> = b"\xFE\xFF"
            .iter()
            .copied()
            .chain("qä😀".encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert_eq!(decode(&le, 100).text.as_deref(), Some("qä😀"));
        assert_eq!(decode(&be, 100).text.as_deref(), Some("qä😀"));
        assert_eq!(decode(&be, 100).encoding, Encoding::Utf16Be);
    }

    #[test]
    fn utf16_odd_length_and_lone_surrogate() {
        let d = decode(b"\xFF\xFEa\x00b", 100);
        assert!(d.lossy);
        assert_eq!(d.diagnostics[0].name, "invalid-utf16");
        assert!(
            d.diagnostics[0].message.contains("odd number"),
            "{}",
            d.diagnostics[0].message
        );
        let d = decode(b"\xFF\xFEa\x00\x00\xD8b\x00", 100);
        assert_eq!(d.text.as_deref(), Some("a\u{FFFD}b"));
        assert_eq!(d.diagnostics[0].span, Span::new(1, 4));
        assert!(
            d.diagnostics[0].message.contains("byte 4"),
            "{}",
            d.diagnostics[0].message
        );
    }

    #[test]
    fn invalid_utf8_points_at_first_bad_byte() {
        let d = decode(b"ab\nc\xE4d\xFF", 100);
        assert!(d.lossy);
        assert_eq!(d.text.as_deref(), Some("ab\nc\u{FFFD}d\u{FFFD}"));
        let diag = &d.diagnostics[0];
        assert_eq!(diag.span, Span::new(4, 7));
        assert!(diag.message.contains("0xE4"), "{}", diag.message);
        assert!(diag.message.contains("1 more"), "{}", diag.message);
        assert!(diag.help.as_deref().unwrap().contains("`ä`"));
    }

    #[test]
    fn truncated_character_at_end() {
        let d = decode("aä".as_bytes().split_last().unwrap().1, 100);
        assert!(d.diagnostics[0].message.contains("ends in the middle"));
    }

    #[test]
    fn nul_means_binary_with_utf16_hint() {
        let d = decode(b"\x89PNG\r\n\x1a\n\x00\x00", 100);
        assert!(d.text.is_none());
        assert_eq!(d.diagnostics[0].name, "binary-file");
        let utf16: Vec<u8> = "id: 1\nquery: T\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let d = decode(&utf16, 1000);
        assert!(d.diagnostics[0].help.as_deref().unwrap().contains("UTF-16"));
        // NUL after decoding UTF-16 is binary too.
        let d = decode(b"\xFF\xFEa\x00\x00\x00", 100);
        assert_eq!(d.diagnostics[0].name, "binary-file");
    }

    #[test]
    fn size_limit() {
        let d = decode(b"12345", 4);
        assert!(d.text.is_none());
        assert_eq!(d.diagnostics[0].name, "file-too-large");
        assert!(decode(b"1234", 4).text.is_some());
    }
}
