//! Byte offset ↔ line/column conversion.
//!
//! kqlint reports columns in Unicode characters (the JSON contract) and the
//! language server in UTF-16 code units (LSP's default) or bytes (UTF-8,
//! when the client offers it); all three come from here.

/// A 0-based position: `line` and `col` in the unit the caller asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line starts of one text. `\n`, `\r\n` and a lone `\r` all end a line, as
/// in Kusto.Language and most editors.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0u32];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i as u32 + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i as u32 + 1);
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            starts,
            len: text.len() as u32,
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 0-based line holding `offset` (clamped to the text).
    pub fn line_of(&self, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        (self.starts.partition_point(|&s| s <= offset) - 1) as u32
    }

    /// Byte offset where 0-based `line` starts (clamped).
    pub fn line_start(&self, line: u32) -> u32 {
        *self.starts.get(line as usize).unwrap_or(&self.len)
    }

    /// Byte offset just past the text of `line`, before its line break.
    pub fn line_end(&self, text: &str, line: u32) -> u32 {
        let next = self
            .starts
            .get(line as usize + 1)
            .copied()
            .unwrap_or(self.len);
        let mut end = next;
        let b = text.as_bytes();
        if end > self.line_start(line) && end as usize <= b.len() && b[end as usize - 1] == b'\n' {
            end -= 1;
        }
        if end > self.line_start(line) && end as usize <= b.len() && b[end as usize - 1] == b'\r' {
            end -= 1;
        }
        end
    }

    fn prefix<'t>(&self, text: &'t str, offset: u32) -> (u32, &'t str) {
        let offset = floor_char_boundary(text, offset.min(self.len) as usize) as u32;
        let line = self.line_of(offset);
        let start = self.line_start(line) as usize;
        (line, &text[start..offset as usize])
    }

    /// 0-based line and column in Unicode scalar values (characters).
    pub fn line_col_chars(&self, text: &str, offset: u32) -> LineCol {
        let (line, prefix) = self.prefix(text, offset);
        LineCol {
            line,
            col: prefix.chars().count() as u32,
        }
    }

    /// 0-based line and column in UTF-16 code units (LSP's default).
    pub fn line_col_utf16(&self, text: &str, offset: u32) -> LineCol {
        let (line, prefix) = self.prefix(text, offset);
        LineCol {
            line,
            col: prefix.encode_utf16().count() as u32,
        }
    }

    /// 0-based line and column in bytes.
    pub fn line_col_bytes(&self, text: &str, offset: u32) -> LineCol {
        let (line, prefix) = self.prefix(text, offset);
        LineCol {
            line,
            col: prefix.len() as u32,
        }
    }

    /// Byte offset of a UTF-16 position (clamped to the line's end, as LSP
    /// requires for out-of-range columns).
    pub fn offset_utf16(&self, text: &str, pos: LineCol) -> u32 {
        if pos.line as usize >= self.starts.len() {
            return self.len;
        }
        let start = self.line_start(pos.line);
        let end = self.line_end(text, pos.line);
        let mut units = 0u32;
        for (i, c) in text[start as usize..end as usize].char_indices() {
            if units >= pos.col {
                return start + i as u32;
            }
            units += c.len_utf16() as u32;
        }
        end
    }

    /// Byte offset of a character position (clamped to the line's end).
    pub fn offset_chars(&self, text: &str, pos: LineCol) -> u32 {
        if pos.line as usize >= self.starts.len() {
            return self.len;
        }
        let start = self.line_start(pos.line);
        let end = self.line_end(text, pos.line);
        text[start as usize..end as usize]
            .char_indices()
            .nth(pos.col as usize)
            .map_or(end, |(i, _)| start + i as u32)
    }

    /// Byte offset of a byte-column position (clamped, snapped to a char boundary).
    pub fn offset_bytes(&self, text: &str, pos: LineCol) -> u32 {
        if pos.line as usize >= self.starts.len() {
            return self.len;
        }
        let start = self.line_start(pos.line);
        let end = self.line_end(text, pos.line);
        floor_char_boundary(text, (start + pos.col).min(end) as usize) as u32
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_at_lf_crlf_and_cr() {
        let t = "a\nb\r\nc\rd";
        let idx = LineIndex::new(t);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_col_chars(t, 0), LineCol { line: 0, col: 0 });
        assert_eq!(idx.line_col_chars(t, 2), LineCol { line: 1, col: 0 });
        assert_eq!(idx.line_col_chars(t, 5), LineCol { line: 2, col: 0 });
        assert_eq!(idx.line_col_chars(t, 7), LineCol { line: 3, col: 0 });
        assert_eq!(idx.line_end(t, 1), 3);
    }

    #[test]
    fn columns_in_chars_utf16_and_bytes() {
        // 'ä' is 2 bytes / 1 UTF-16 unit; '𝄞' is 4 bytes / 2 units.
        let t = "xä𝄞y";
        let idx = LineIndex::new(t);
        let y = t.find('y').unwrap() as u32;
        assert_eq!(idx.line_col_chars(t, y).col, 3);
        assert_eq!(idx.line_col_utf16(t, y).col, 4);
        assert_eq!(idx.line_col_bytes(t, y).col, 7);
        assert_eq!(idx.offset_utf16(t, LineCol { line: 0, col: 4 }), y);
        assert_eq!(idx.offset_chars(t, LineCol { line: 0, col: 3 }), y);
        // Out of range clamps to the end of the line.
        assert_eq!(
            idx.offset_utf16(t, LineCol { line: 0, col: 99 }),
            t.len() as u32
        );
        assert_eq!(
            idx.offset_utf16(t, LineCol { line: 9, col: 0 }),
            t.len() as u32
        );
    }

    #[test]
    fn offsets_inside_a_char_snap_back() {
        let t = "ä";
        let idx = LineIndex::new(t);
        assert_eq!(idx.line_col_chars(t, 1).col, 0);
    }
}
