//! How Kusto names output columns: unique-name tables, the projection
//! builder, and the default name of an expression.

use crate::fx::{FxMap, FxSet};
use crate::ty::Column;
use smol_str::{SmolStr, format_smolstr};

/// A set of names in use that hands out `name1`, `name2`, ... for repeats
/// (Kusto's `UniqueNameTable`).
#[derive(Default)]
pub(crate) struct UniqueNames {
    map: FxMap<SmolStr, u32>,
}

impl UniqueNames {
    pub fn with_capacity(n: usize) -> UniqueNames {
        UniqueNames {
            map: FxMap::with_capacity_and_hasher(n, Default::default()),
        }
    }

    pub fn add(&mut self, name: &str) {
        if !name.is_empty() && !self.map.contains_key(name) {
            self.map.insert(name.into(), 0);
        }
    }

    /// `name` if unused, else `base` (or `name`) followed by the first free
    /// number after the last one handed out for `name`.
    pub fn get_or_add(&mut self, name: &str, base: Option<&str>) -> SmolStr {
        if let Some(&last) = self.map.get(name) {
            let mut suffix = last + 1;
            loop {
                let candidate = format_smolstr!("{}{}", base.unwrap_or(name), suffix);
                if !self.map.contains_key(candidate.as_str()) {
                    self.map.insert(name.into(), suffix);
                    self.map.insert(candidate.clone(), 0);
                    return candidate;
                }
                suffix += 1;
            }
        }
        self.map.insert(name.into(), 0);
        name.into()
    }
}

/// Fresh column identities.
#[derive(Default)]
pub(crate) struct Ids(u32);

impl Ids {
    pub fn next(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }

    /// A copy of `c` under another name: a new column for Kusto.
    pub fn renamed(&mut self, c: &Column, name: SmolStr) -> Column {
        Column {
            name,
            id: self.next(),
            ..c.clone()
        }
    }
}

/// Builds the column list of `project`, `extend`, `summarize`, ... with
/// Kusto's rules (`ProjectionBuilder`): declared names must be unique,
/// undeclared ones are made unique with a numeric suffix, some columns
/// replace earlier ones of the same name, some may not be added twice.
#[derive(Default)]
pub(crate) struct ProjBuilder {
    pub cols: Vec<Column>,
    index: FxMap<SmolStr, usize>,
    declared: FxSet<SmolStr>,
    unique: UniqueNames,
    do_not_add: FxSet<u32>,
}

impl ProjBuilder {
    /// A builder that starts with `cols` (Kusto's `AddRange` of an input
    /// row set), without re-checking names that are already unique.
    pub fn with_columns(
        cols: &[Column],
        declare: bool,
        do_not_repeat: bool,
        ids: &mut Ids,
    ) -> ProjBuilder {
        let n = cols.len();
        let mut b = ProjBuilder {
            cols: Vec::with_capacity(n + 4),
            index: FxMap::with_capacity_and_hasher(n + 4, Default::default()),
            declared: FxSet::default(),
            unique: UniqueNames::with_capacity(n + 4),
            do_not_add: FxSet::default(),
        };
        for c in cols {
            if b.index.contains_key(c.name.as_str()) || b.do_not_add.contains(&c.id) {
                // a repeated name: the general rules
                let added = b.add(c.clone(), None, false, do_not_repeat, ids);
                if declare {
                    b.declared.insert(added.name);
                }
                continue;
            }
            b.index.insert(c.name.clone(), b.cols.len());
            b.unique.add(&c.name);
            if declare {
                b.declared.insert(c.name.clone());
            }
            if do_not_repeat {
                b.do_not_add.insert(c.id);
            }
            b.cols.push(c.clone());
        }
        b
    }

    pub fn do_not_add(&mut self, id: u32) {
        self.do_not_add.insert(id);
    }

    pub fn do_not_add_all(&mut self) {
        let ids: Vec<u32> = self.cols.iter().map(|c| c.id).collect();
        self.do_not_add.extend(ids);
    }

    pub fn add(
        &mut self,
        col: Column,
        base: Option<&str>,
        replace: bool,
        do_not_repeat: bool,
        ids: &mut Ids,
    ) -> Column {
        if self.do_not_add.contains(&col.id) {
            return col;
        }
        let col = match (replace, self.index.get(col.name.as_str())) {
            (true, Some(&i)) => {
                self.cols[i] = col.clone();
                col
            }
            _ => {
                let name = self.unique.get_or_add(&col.name, base);
                let col = if name != col.name {
                    ids.renamed(&col, name)
                } else {
                    col
                };
                self.cols.push(col.clone());
                self.index.insert(col.name.clone(), self.cols.len() - 1);
                col
            }
        };
        if do_not_repeat {
            self.do_not_add.insert(col.id);
        }
        col
    }

    /// Declares a named column; `false` when the name is already declared
    /// (a duplicate-column error).
    pub fn declare(&mut self, col: Column, replace: bool, ids: &mut Ids) -> bool {
        if self.declared.contains(col.name.as_str()) {
            return false;
        }
        match (replace, self.index.get(col.name.as_str())) {
            (true, Some(&i)) => {
                self.declared.insert(col.name.clone());
                self.cols[i] = col;
            }
            _ => {
                let added = self.add(col, None, false, false, ids);
                self.declared.insert(added.name);
            }
        }
        true
    }

    /// `project-rename`: `Err` when `new` is already declared, `Ok(None)`
    /// when there is no column `old`.
    pub fn rename(
        &mut self,
        old: &str,
        new: &SmolStr,
        ids: &mut Ids,
    ) -> Result<Option<Column>, ()> {
        let Some(&i) = self.index.get(old) else {
            return Ok(None);
        };
        if self.declared.contains(new.as_str()) {
            return Err(());
        }
        let col = ids.renamed(&self.cols[i], new.clone());
        self.cols[i] = col.clone();
        self.index.remove(old);
        self.index.insert(new.clone(), i);
        self.declared.insert(new.clone());
        self.unique.add(new);
        Ok(Some(col))
    }
}

/// Kusto's `MakeColumnNamesUnique` (join, lookup): a repeated name gets a
/// numeric suffix, without letting renamed columns influence each other.
pub(crate) fn make_names_unique(cols: &mut [Column], ids: &mut Ids) {
    let mut first: FxMap<SmolStr, usize> = FxMap::default();
    for (i, c) in cols.iter().enumerate() {
        first.entry(c.name.clone()).or_insert(i);
    }
    let mut table = UniqueNames::default();
    for c in cols.iter() {
        table.add(&c.name);
    }
    for (i, col) in cols.iter_mut().enumerate() {
        if first.get(col.name.as_str()) != Some(&i) {
            let name = table.get_or_add(&col.name.clone(), None);
            if name != col.name {
                *col = ids.renamed(col, name);
            }
        }
    }
}

/// A valid name fragment from a literal value (`95.5` → `95_5`), as Kusto
/// makes `percentile_x_95_5`.
pub(crate) fn name_fragment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ty::Ty;

    fn col(ids: &mut Ids, n: &str) -> Column {
        Column {
            name: n.into(),
            ty: Ty::Long,
            origin: None,
            hidden: false,
            id: ids.next(),
        }
    }

    #[test]
    fn unique_names_count_per_base() {
        let mut u = UniqueNames::default();
        assert_eq!(u.get_or_add("Column1", Some("Column")), "Column1");
        assert_eq!(u.get_or_add("Column1", Some("Column")), "Column2");
        assert_eq!(u.get_or_add("a", None), "a");
        assert_eq!(u.get_or_add("a", None), "a1");
        assert_eq!(u.get_or_add("a", None), "a2");
    }

    #[test]
    fn join_style_uniqueness() {
        let mut ids = Ids::default();
        let mut cols = vec![col(&mut ids, "c"), col(&mut ids, "c"), col(&mut ids, "c1")];
        make_names_unique(&mut cols, &mut ids);
        let names: Vec<_> = cols.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["c", "c2", "c1"]);
    }
}
