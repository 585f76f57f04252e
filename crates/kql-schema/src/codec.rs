//! The compact form of the bundled catalogue (`schemas/catalog.kqs`).
//!
//! ```text
//! KQLINT-SCHEMA-CATALOG 1
//! <kind>\t<name>\t<start>\t<length>      one index line per record,
//! ...                                     sorted by kind, then name
//!                                         (a blank line ends the index)
//! <record>\n<record>\n...                 one JSON record per line
//! ```
//!
//! `start`/`length` are byte offsets into the record area (after the blank
//! line). Kinds: `t` Sentinel (Log Analytics) table, `d` Defender XDR
//! table, `f` built-in function, `u` Sentinel stored function, `v` Defender
//! XDR function, `a` ActionType catalogue (named by its table), `c`
//! connectors (one record, `*`), `m` catalogue information (one record, `*`).
//! A table both platforms have, with other columns or types on each, has a
//! record of each kind.
//!
//! Start-up reads only the index (about 1,400 short lines); a record is
//! parsed the first time it is looked up. The writer is used by the
//! generator (`tests/generate.rs`); it is public for that reason only.

use serde::Serialize;

pub(crate) const MAGIC: &str = "KQLINT-SCHEMA-CATALOG 1";

pub(crate) const KIND_TABLE: char = 't';
pub(crate) const KIND_DEFENDER_TABLE: char = 'd';
pub(crate) const KIND_FUNCTION: char = 'f';
pub(crate) const KIND_STORED: char = 'u';
pub(crate) const KIND_DEFENDER_STORED: char = 'v';
pub(crate) const KIND_ACTION_TYPES: char = 'a';
pub(crate) const KIND_CONNECTORS: char = 'c';
pub(crate) const KIND_INFO: char = 'm';

/// One index entry: a record's name and where its JSON text is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub name: &'static str,
    pub start: u32,
    pub len: u32,
}

/// The parsed index, one sorted list per kind.
#[derive(Debug, Default)]
pub(crate) struct Index {
    pub tables: Vec<Entry>,
    pub defender_tables: Vec<Entry>,
    pub functions: Vec<Entry>,
    pub stored: Vec<Entry>,
    pub defender_stored: Vec<Entry>,
    pub action_types: Vec<Entry>,
    pub connectors: Option<Entry>,
    pub info: Option<Entry>,
}

/// Splits the catalogue text into its index and its record area.
pub(crate) fn parse_index(text: &'static str) -> Result<(Index, &'static str), String> {
    let rest = text
        .strip_prefix(MAGIC)
        .and_then(|r| r.strip_prefix('\n'))
        .ok_or("not a kqlint schema catalogue (bad first line)")?;
    // The index ends at the first empty line.
    let end = if rest.starts_with('\n') {
        0
    } else {
        rest.find("\n\n")
            .ok_or("the catalogue index has no end (blank line)")?
            + 1
    };
    let (index_text, data) = (&rest[..end], &rest[end + 1..]);
    let mut index = Index::default();
    for line in index_text.lines() {
        let mut parts = line.split('\t');
        let (Some(kind), Some(name), Some(start), Some(len), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(format!("bad catalogue index line `{line}`"));
        };
        let start: u32 = start
            .parse()
            .map_err(|_| format!("bad offset in `{line}`"))?;
        let len: u32 = len.parse().map_err(|_| format!("bad length in `{line}`"))?;
        if start as usize + len as usize > data.len() {
            return Err(format!("record out of range in `{line}`"));
        }
        let entry = Entry { name, start, len };
        match kind.chars().next() {
            Some(KIND_TABLE) => index.tables.push(entry),
            Some(KIND_DEFENDER_TABLE) => index.defender_tables.push(entry),
            Some(KIND_FUNCTION) => index.functions.push(entry),
            Some(KIND_STORED) => index.stored.push(entry),
            Some(KIND_DEFENDER_STORED) => index.defender_stored.push(entry),
            Some(KIND_ACTION_TYPES) => index.action_types.push(entry),
            Some(KIND_CONNECTORS) => index.connectors = Some(entry),
            Some(KIND_INFO) => index.info = Some(entry),
            _ => return Err(format!("unknown record kind in `{line}`")),
        }
    }
    Ok((index, data))
}

impl Entry {
    pub fn text(&self, data: &'static str) -> &'static str {
        &data[self.start as usize..(self.start + self.len) as usize]
    }
}

/// Builds a catalogue text. Records of one kind are sorted by name
/// (ordinal), then by insertion order.
#[doc(hidden)]
#[derive(Default)]
pub struct CatalogWriter {
    records: Vec<(char, String, usize, String)>,
}

impl CatalogWriter {
    pub fn new() -> Self {
        Self::default()
    }

    fn push<T: Serialize>(&mut self, kind: char, name: &str, value: &T) {
        assert!(
            !name.contains(['\t', '\n', '\r']) && !name.is_empty(),
            "record name {name:?} cannot be written to the index"
        );
        let json = serde_json::to_string(value).expect("records serialise");
        debug_assert!(!json.contains('\n'));
        let seq = self.records.len();
        self.records.push((kind, name.to_owned(), seq, json));
    }

    /// A Sentinel (Log Analytics) table.
    pub fn table(&mut self, t: &crate::Table) {
        self.push(KIND_TABLE, &t.name, t);
    }

    /// A Defender XDR advanced hunting table.
    pub fn defender_table(&mut self, t: &crate::Table) {
        self.push(KIND_DEFENDER_TABLE, &t.name, t);
    }

    pub fn function(&mut self, f: &crate::Function) {
        self.push(KIND_FUNCTION, &f.name, f);
    }

    /// A Sentinel (workspace) function.
    pub fn stored_function(&mut self, f: &crate::StoredFunction) {
        self.push(KIND_STORED, &f.name, f);
    }

    /// A Defender XDR advanced hunting function.
    pub fn defender_function(&mut self, f: &crate::StoredFunction) {
        self.push(KIND_DEFENDER_STORED, &f.name, f);
    }

    pub fn action_types(&mut self, c: &crate::ActionTypeCatalog) {
        self.push(KIND_ACTION_TYPES, &c.table, c);
    }

    pub fn connectors(&mut self, c: &crate::ConnectorData) {
        self.push(KIND_CONNECTORS, "*", c);
    }

    pub fn info(&mut self, i: &crate::CatalogInfo) {
        self.push(KIND_INFO, "*", i);
    }

    pub fn finish(mut self) -> String {
        self.records
            .sort_by(|a, b| (a.0, a.1.as_bytes(), a.2).cmp(&(b.0, b.1.as_bytes(), b.2)));
        let mut index = String::new();
        let mut data = String::new();
        for (kind, name, _, json) in &self.records {
            let start = data.len();
            data.push_str(json);
            index.push_str(&format!("{kind}\t{name}\t{start}\t{}\n", json.len()));
            data.push('\n');
        }
        format!("{MAGIC}\n{index}\n{data}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, Provenance, ScalarType, Table};

    #[test]
    fn write_then_read() {
        let mut w = CatalogWriter::new();
        for name in ["B", "A"] {
            w.table(&Table {
                name: name.into(),
                description: None,
                columns: vec![Column::new("x", ScalarType::Long)],
                connectors: vec![],
                provenance: Provenance::bundled("test"),
                extensible: false,
                retired: Vec::new(),
                preview: false,
                formerly_preview: false,
            });
        }
        let text: &'static str = Box::leak(w.finish().into_boxed_str());
        let (index, data) = parse_index(text).unwrap();
        assert_eq!(
            index.tables.iter().map(|e| e.name).collect::<Vec<_>>(),
            ["A", "B"]
        );
        let t: Table = serde_json::from_str(index.tables[1].text(data)).unwrap();
        assert_eq!(t.name, "B");
        assert!(parse_index("nope").is_err());
    }
}
