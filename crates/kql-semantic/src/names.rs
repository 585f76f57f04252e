//! How Kusto names output columns: unique-name tables, the projection
//! builder, and the default name of an expression.

use crate::fx::{FxMap, FxSet};
use crate::ty::{Column, NameIndex, Schema};
use smol_str::{SmolStr, format_smolstr};

/// A set of names in use that hands out `name1`, `name2`, ... for repeats
/// (Kusto's `UniqueNameTable`).
#[derive(Default)]
pub(crate) struct UniqueNames {
    map: FxMap<SmolStr, u32>,
}

impl UniqueNames {
    pub fn add(&mut self, name: &str) {
        if !name.is_empty() && !self.map.contains_key(name) {
            self.map.insert(name.into(), 0);
        }
    }

    /// `name` if unused, else `base` (or `name`) followed by the first free
    /// number after the last one handed out for `name`.
    pub fn get_or_add(&mut self, name: &str, base: Option<&str>) -> SmolStr {
        self.get_or_add_in(name, base, |_| false)
    }

    /// [`get_or_add`](Self::get_or_add) where the names `taken` answers
    /// for are in use too (an input row set's, not copied into the table).
    fn get_or_add_in(
        &mut self,
        name: &str,
        base: Option<&str>,
        taken: impl Fn(&str) -> bool,
    ) -> SmolStr {
        let last = self
            .map
            .get(name)
            .copied()
            .or_else(|| taken(name).then_some(0));
        if let Some(last) = last {
            let mut suffix = last + 1;
            loop {
                let candidate = format_smolstr!("{}{}", base.unwrap_or(name), suffix);
                if !self.map.contains_key(candidate.as_str()) && !taken(&candidate) {
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
    cols: Vec<Column>,
    index: NameIndex,
    /// The input row set the list started from, if its names are unique.
    base: Option<Base>,
    declared: FxSet<SmolStr>,
    unique: UniqueNames,
    do_not_add: FxSet<u32>,
}

/// The input row set of `extend`, `project-rename`, `mv-expand`: its names
/// count as used (and as declared, or its columns as not to be repeated,
/// when asked) by looking them up in its index, not by copying every name
/// into the builder's sets — an `extend` costs what it adds, not the width
/// of its input.
struct Base {
    schema: Schema,
    declared: bool,
    blocked: bool,
}

impl ProjBuilder {
    /// A builder that starts with the columns of `input` (Kusto's `AddRange`
    /// of an input row set), without re-checking names that are already unique.
    pub fn with_columns(
        input: &Schema,
        declare: bool,
        do_not_repeat: bool,
        ids: &mut Ids,
    ) -> ProjBuilder {
        let cols = input.columns();
        let index = input.index();
        if index.is_unique() {
            return ProjBuilder {
                cols: cols.to_vec(),
                index: index.clone(),
                base: Some(Base {
                    schema: input.clone(),
                    declared: declare,
                    blocked: do_not_repeat,
                }),
                ..ProjBuilder::default()
            };
        }
        // repeated names (a union of like tables): the general rules
        let mut b = ProjBuilder {
            cols: Vec::with_capacity(cols.len() + 4),
            ..ProjBuilder::default()
        };
        for c in cols {
            let added = b.add(c.clone(), None, false, do_not_repeat, ids);
            if declare {
                b.declared.insert(added.name);
            }
        }
        b
    }

    /// The row schema built.
    pub fn finish(self, open: impl Into<crate::ty::Openness>) -> Schema {
        Schema::with_index(self.cols, open, self.index)
    }

    pub fn do_not_add(&mut self, id: u32) {
        self.do_not_add.insert(id);
    }

    pub fn do_not_add_all(&mut self) {
        let ids: Vec<u32> = self.cols.iter().map(|c| c.id).collect();
        self.do_not_add.extend(ids);
    }

    fn is_declared(&self, name: &str) -> bool {
        self.declared.contains(name)
            || self
                .base
                .as_ref()
                .is_some_and(|b| b.declared && b.schema.position(name).is_some())
    }

    /// A column of the input kept from being added again. A column's id
    /// stands for one name (renaming makes a new id), so the input's
    /// column of that name tells whether it is the same column.
    fn is_blocked(&self, col: &Column) -> bool {
        self.do_not_add.contains(&col.id)
            || self.base.as_ref().is_some_and(|b| {
                b.blocked && b.schema.column(&col.name).is_some_and(|c| c.id == col.id)
            })
    }

    fn unique_name(&mut self, name: &str, base: Option<&str>) -> SmolStr {
        match &self.base {
            Some(b) => self.unique.get_or_add_in(name, base, |n| {
                !n.is_empty() && b.schema.position(n).is_some()
            }),
            None => self.unique.get_or_add(name, base),
        }
    }

    pub fn add(
        &mut self,
        col: Column,
        base: Option<&str>,
        replace: bool,
        do_not_repeat: bool,
        ids: &mut Ids,
    ) -> Column {
        if self.is_blocked(&col) {
            return col;
        }
        let col = match (replace, self.index.get(&self.cols, &col.name)) {
            (true, Some(i)) => {
                self.cols[i] = col.clone();
                col
            }
            _ => {
                let name = self.unique_name(&col.name, base);
                let col = if name != col.name {
                    ids.renamed(&col, name)
                } else {
                    col
                };
                self.cols.push(col.clone());
                self.index.insert(&self.cols, self.cols.len() - 1);
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
        if self.is_declared(&col.name) {
            return false;
        }
        match (replace, self.index.get(&self.cols, &col.name)) {
            (true, Some(i)) => {
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
        let Some(i) = self.index.get(&self.cols, old) else {
            return Ok(None);
        };
        if self.is_declared(new) {
            return Err(());
        }
        let col = ids.renamed(&self.cols[i], new.clone());
        self.index.remove(&self.cols, old);
        // an undeclared column of the new name gives up the name
        self.index.remove(&self.cols, new);
        self.cols[i] = col.clone();
        self.index.insert(&self.cols, i);
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

    fn names(s: &Schema) -> Vec<&str> {
        s.columns().iter().map(|c| c.name.as_str()).collect()
    }

    /// The builder of the general rules: every input column added one by one.
    fn general(input: &Schema, declare: bool, do_not_repeat: bool, ids: &mut Ids) -> ProjBuilder {
        let mut b = ProjBuilder::default();
        for c in input.columns() {
            let added = b.add(c.clone(), None, false, do_not_repeat, ids);
            if declare {
                b.declared.insert(added.name);
            }
        }
        b
    }

    /// What a scripted series of steps gives: every name handed out, every
    /// answer, then the columns of the schema built.
    fn script(mut b: ProjBuilder, cols: &[Column], ids: &mut Ids) -> Vec<String> {
        let mut got = Vec::new();
        let a_new = col(ids, "a");
        let renamed = |r: Result<Option<Column>, ()>| format!("{:?}", r.map(|c| c.map(|c| c.name)));
        got.push(
            b.add(cols[0].clone(), None, false, false, ids)
                .name
                .to_string(),
        );
        got.push(
            b.add(a_new.clone(), None, false, false, ids)
                .name
                .to_string(),
        );
        got.push(b.add(a_new, None, false, false, ids).name.to_string());
        let c1 = col(ids, "Column1");
        got.push(
            b.add(c1, Some("Column"), false, false, ids)
                .name
                .to_string(),
        );
        let b_new = col(ids, "b");
        got.push(b.declare(b_new, true, ids).to_string());
        got.push(renamed(b.rename("c", &"d".into(), ids)));
        got.push(renamed(b.rename("d", &"b".into(), ids)));
        got.push(renamed(b.rename("zz", &"y".into(), ids)));
        let c = col(ids, "c");
        got.push(b.add(c, None, false, false, ids).name.to_string());
        let schema = b.finish(false);
        for c in schema.columns() {
            // the index handed to the schema finds every column
            assert_eq!(schema.column(&c.name).map(|f| f.id), Some(c.id));
            got.push(format!("{}#{}", c.name, c.ty));
        }
        got
    }

    /// A builder that starts from its input by reference answers as one
    /// that copied every name in.
    #[test]
    fn starting_from_an_input_matches_the_general_rules() {
        let mut ids = Ids::default();
        let cols = ["a", "a1", "b", "Column1", "c"]
            .map(|n| col(&mut ids, n))
            .to_vec();
        let input = Schema::new(cols.clone(), false);
        for (declare, do_not_repeat) in [(false, false), (false, true), (true, false), (true, true)]
        {
            let fast = ProjBuilder::with_columns(&input, declare, do_not_repeat, &mut ids);
            assert!(fast.base.is_some());
            let slow = general(&input, declare, do_not_repeat, &mut ids);
            assert_eq!(
                script(fast, &cols, &mut ids),
                script(slow, &cols, &mut ids),
                "declare {declare}, do_not_repeat {do_not_repeat}"
            );
        }
    }

    #[test]
    fn extend_suffixes_skip_the_input_names() {
        let mut ids = Ids::default();
        let input = Schema::new(["a", "a1"].map(|n| col(&mut ids, n)).to_vec(), false);
        let mut b = ProjBuilder::with_columns(&input, false, true, &mut ids);
        let a = col(&mut ids, "a");
        assert_eq!(b.add(a.clone(), None, false, false, &mut ids).name, "a2");
        assert_eq!(b.add(a, None, false, false, &mut ids).name, "a3");
        // an input column is not repeated
        let first = input.columns()[0].clone();
        b.add(first, None, false, false, &mut ids);
        assert_eq!(names(&b.finish(false)), ["a", "a1", "a2", "a3"]);
    }

    #[test]
    fn rename_onto_an_input_name_is_a_duplicate() {
        let mut ids = Ids::default();
        let input = Schema::new(["a", "b"].map(|n| col(&mut ids, n)).to_vec(), false);
        let mut b = ProjBuilder::with_columns(&input, true, true, &mut ids);
        assert!(b.rename("a", &"b".into(), &mut ids).is_err());
        assert_eq!(
            b.rename("a", &"c".into(), &mut ids).unwrap().unwrap().name,
            "c"
        );
        assert!(
            b.rename("c", &"a".into(), &mut ids).is_err(),
            "a stays declared"
        );
        let out = b.finish(false);
        assert_eq!(names(&out), ["c", "b"]);
        assert_eq!(out.position("c"), Some(0));
        assert_eq!(out.position("a"), None);
    }

    #[test]
    fn an_input_with_repeated_names_takes_the_general_rules() {
        let mut ids = Ids::default();
        let input = Schema::new(["a", "a"].map(|n| col(&mut ids, n)).to_vec(), false);
        let b = ProjBuilder::with_columns(&input, false, true, &mut ids);
        assert!(b.base.is_none());
        assert_eq!(names(&b.finish(false)), ["a", "a1"]);
    }
}
