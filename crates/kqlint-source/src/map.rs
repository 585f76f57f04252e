//! Query-text offsets → file offsets.

use kqlint_diagnostics::Span;

/// One run of query bytes and the file bytes that produced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    /// Start in the query text.
    pub q: u32,
    pub q_len: u32,
    /// Start in the file text.
    pub f: u32,
    pub f_len: u32,
    /// Verbatim: query byte `q + i` is file byte `f + i`. Otherwise the
    /// segment is one unit (an escape, a folded line break, a CRLF read as
    /// `\n`): offsets inside it map to its start, its end to its end.
    pub linear: bool,
}

/// Accumulates a query text and where each piece of it came from.
#[derive(Debug, Default)]
pub(crate) struct MapBuilder {
    pub text: String,
    pub segs: Vec<Segment>,
}

impl MapBuilder {
    /// Appends `src[at..end]`, copied verbatim from the file.
    pub fn verbatim(&mut self, src: &str, at: usize, end: usize) {
        if at >= end {
            return;
        }
        let q = self.text.len() as u32;
        let n = (end - at) as u32;
        self.text.push_str(&src[at..end]);
        if let Some(last) = self.segs.last_mut()
            && last.linear
            && last.q + last.q_len == q
            && last.f + last.f_len == at as u32
        {
            last.q_len += n;
            last.f_len += n;
            return;
        }
        self.segs.push(Segment {
            q,
            q_len: n,
            f: at as u32,
            f_len: n,
            linear: true,
        });
    }

    /// Appends `s`, produced by the file bytes `[f, f + f_len)` as one unit.
    pub fn produced(&mut self, s: &str, f: usize, f_len: usize) {
        if s.is_empty() {
            return;
        }
        let q = self.text.len() as u32;
        self.text.push_str(s);
        self.segs.push(Segment {
            q,
            q_len: s.len() as u32,
            f: f as u32,
            f_len: f_len as u32,
            linear: false,
        });
    }

    /// Appends a line break read from `src[at..at + len]` (`\n`, `\r\n` or
    /// `\r`), as `\n`.
    pub fn line_break(&mut self, src: &str, at: usize, len: usize) {
        if len == 1 && src.as_bytes().get(at) == Some(&b'\n') {
            self.verbatim(src, at, at + 1);
        } else {
            self.produced("\n", at, len);
        }
    }

    pub fn finish(self, anchor: u32, clamp_end: bool) -> (String, OffsetMap) {
        let map = OffsetMap::new(
            self.segs,
            self.text.len() as u32,
            anchor,
            clamp_end,
            &self.text,
        );
        (self.text, map)
    }
}

/// The mapping of one query text to file offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OffsetMap {
    segs: Vec<Segment>,
    len: u32,
    /// Where everything maps when there are no segments (an empty query, or
    /// a mapping known only to the value's start).
    anchor: u32,
    /// Where the end of the query maps.
    end: u32,
}

impl OffsetMap {
    /// `clamp_end`: when the text ends with a line break, its end maps to
    /// that break (the end of the query's last line in the file) rather than
    /// past it, onto whatever follows the value in the file.
    fn new(segs: Vec<Segment>, len: u32, anchor: u32, clamp_end: bool, text: &str) -> OffsetMap {
        let mut m = OffsetMap {
            segs,
            len,
            anchor,
            end: anchor,
        };
        m.end = if len == 0 {
            anchor
        } else if clamp_end && text.ends_with('\n') {
            let last = text.trim_end_matches('\n').len() as u32;
            m.start_of(last)
        } else {
            m.end_of(len)
        };
        m
    }

    /// The identity map of a text that is the whole file.
    pub fn identity(len: u32) -> OffsetMap {
        let segs = if len == 0 {
            Vec::new()
        } else {
            vec![Segment {
                q: 0,
                q_len: len,
                f: 0,
                f_len: len,
                linear: true,
            }]
        };
        OffsetMap {
            segs,
            len,
            anchor: 0,
            end: len,
        }
    }

    /// Everything maps to one file offset.
    pub fn point(len: u32, at: u32) -> OffsetMap {
        OffsetMap {
            segs: Vec::new(),
            len,
            anchor: at,
            end: at,
        }
    }

    fn seg_at(&self, q: u32) -> Option<&Segment> {
        let i = self.segs.partition_point(|s| s.q <= q);
        i.checked_sub(1).map(|i| &self.segs[i])
    }

    /// File offset of the query character starting at `q`.
    pub fn start_of(&self, q: u32) -> u32 {
        if q >= self.len {
            return self.end;
        }
        match self.seg_at(q) {
            None => self.anchor,
            Some(s) if q < s.q + s.q_len => {
                if s.linear {
                    s.f + (q - s.q)
                } else {
                    s.f
                }
            }
            Some(s) => s.f + s.f_len,
        }
    }

    /// File offset just after the query character that ends at `q`.
    pub fn end_of(&self, q: u32) -> u32 {
        if q == 0 {
            return self.start_of(0);
        }
        let q = q.min(self.len);
        match self.seg_at(q - 1) {
            None => self.anchor,
            Some(s) if s.linear && q <= s.q + s.q_len => s.f + (q - s.q),
            Some(s) => s.f + s.f_len,
        }
    }

    pub fn span(&self, span: Span) -> Span {
        let start = self.start_of(span.start);
        if span.is_empty() {
            return Span::empty(start);
        }
        let end = self.end_of(span.end).max(start);
        Span::new(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_runs_merge_and_units_stay_whole() {
        let src = "ab\r\ncd\\x41";
        let mut b = MapBuilder::default();
        b.verbatim(src, 0, 1);
        b.verbatim(src, 1, 2);
        b.line_break(src, 2, 2);
        b.verbatim(src, 4, 6);
        b.produced("A", 6, 4);
        assert_eq!(b.segs.len(), 4);
        let (text, m) = b.finish(0, true);
        assert_eq!(text, "ab\ncdA");
        assert_eq!(m.start_of(1), 1);
        assert_eq!(m.start_of(2), 2); // `\n` -> `\r`
        assert_eq!(m.end_of(3), 4); // after `\r\n`
        assert_eq!(m.start_of(3), 4);
        assert_eq!(m.start_of(5), 6);
        assert_eq!(m.end_of(6), 10);
        assert_eq!(m.span(Span::new(0, 2)), Span::new(0, 2));
        assert_eq!(m.span(Span::new(5, 6)), Span::new(6, 10));
        assert_eq!(m.span(Span::empty(6)), Span::empty(10));
    }

    #[test]
    fn end_of_text_with_final_break_is_clamped() {
        let src = "x\ny\n";
        let mut b = MapBuilder::default();
        b.verbatim(src, 0, 4);
        let (_, m) = b.finish(0, true);
        assert_eq!(m.start_of(4), 3);
        assert_eq!(OffsetMap::identity(4).start_of(4), 4);
    }
}
