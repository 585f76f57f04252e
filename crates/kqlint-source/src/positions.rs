//! Conversion of the YAML parser's character indices to byte offsets.
//!
//! saphyr-parser reports positions as character indices (plus a 1-based
//! line and a 0-based character column); kqlint's spans are byte offsets.

/// Characters between two checkpoints: converting an index walks at most
/// this many characters.
const STRIDE: usize = 64;

pub(crate) struct CharToByte<'a> {
    text: &'a str,
    /// `None` for ASCII texts, where indices are byte offsets.
    checkpoints: Option<Vec<u32>>,
}

impl<'a> CharToByte<'a> {
    pub(crate) fn new(text: &'a str) -> CharToByte<'a> {
        if text.is_ascii() {
            return CharToByte {
                text,
                checkpoints: None,
            };
        }
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 1);
        for (n, (i, _)) in text.char_indices().enumerate() {
            if n % STRIDE == 0 {
                checkpoints.push(i as u32);
            }
        }
        CharToByte {
            text,
            checkpoints: Some(checkpoints),
        }
    }

    /// Byte offset of character index `index` (clamped to the text's end).
    pub(crate) fn byte(&self, index: usize) -> u32 {
        let Some(cps) = &self.checkpoints else {
            return index.min(self.text.len()) as u32;
        };
        let k = index / STRIDE;
        let Some(&base) = cps.get(k) else {
            return self.text.len() as u32;
        };
        let rest = index % STRIDE;
        match self.text[base as usize..].char_indices().nth(rest) {
            Some((i, _)) => base + i as u32,
            None => self.text.len() as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_identity_and_clamps() {
        let c = CharToByte::new("abc");
        assert_eq!(c.byte(2), 2);
        assert_eq!(c.byte(9), 3);
    }

    #[test]
    fn non_ascii_walks_from_checkpoints() {
        let text: String = "ä😀x".repeat(100);
        let c = CharToByte::new(&text);
        for (n, (i, _)) in text.char_indices().enumerate() {
            assert_eq!(c.byte(n), i as u32, "char {n}");
        }
        assert_eq!(c.byte(300), text.len() as u32);
        assert_eq!(c.byte(10_000), text.len() as u32);
    }
}
