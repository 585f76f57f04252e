//! Types, columns and row schemas.

use crate::fx::FxHasher;
use hashbrown::HashTable;
use kql_schema::{PartialReason, ScalarType};
use smol_str::SmolStr;
use std::fmt;
use std::hash::Hasher;
use std::sync::{Arc, OnceLock};

/// The type of a scalar value: one of KQL's ten scalar types, or `unknown`
/// when it cannot be known offline (a column of an unknown table, the result
/// of an unmodelled function). Nothing is ever reported about an `unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    Bool,
    Int,
    Long,
    Real,
    Decimal,
    String,
    DateTime,
    TimeSpan,
    Guid,
    Dynamic,
    Unknown,
}

impl Ty {
    /// The KQL type name (`string`, `long`, ...; `unknown`).
    pub fn as_str(self) -> &'static str {
        match self.scalar() {
            Some(t) => t.as_str(),
            None => "unknown",
        }
    }

    pub fn from_scalar(t: ScalarType) -> Ty {
        match t {
            ScalarType::Bool => Ty::Bool,
            ScalarType::Int => Ty::Int,
            ScalarType::Long => Ty::Long,
            ScalarType::Real => Ty::Real,
            ScalarType::Decimal => Ty::Decimal,
            ScalarType::String => Ty::String,
            ScalarType::DateTime => Ty::DateTime,
            ScalarType::TimeSpan => Ty::TimeSpan,
            ScalarType::Guid => Ty::Guid,
            ScalarType::Dynamic => Ty::Dynamic,
        }
    }

    pub fn scalar(self) -> Option<ScalarType> {
        Some(match self {
            Ty::Bool => ScalarType::Bool,
            Ty::Int => ScalarType::Int,
            Ty::Long => ScalarType::Long,
            Ty::Real => ScalarType::Real,
            Ty::Decimal => ScalarType::Decimal,
            Ty::String => ScalarType::String,
            Ty::DateTime => ScalarType::DateTime,
            Ty::TimeSpan => ScalarType::TimeSpan,
            Ty::Guid => ScalarType::Guid,
            Ty::Dynamic => ScalarType::Dynamic,
            Ty::Unknown => return None,
        })
    }

    /// A type name as KQL accepts it (`long`, `int64`, `double`, ...).
    pub fn parse(name: &str) -> Option<Ty> {
        ScalarType::parse(name).map(Ty::from_scalar)
    }

    pub fn is_known(self) -> bool {
        self != Ty::Unknown
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Ty::Int | Ty::Long | Ty::Real | Ty::Decimal)
    }

    pub fn is_integer(self) -> bool {
        matches!(self, Ty::Int | Ty::Long)
    }

    /// Known and not `dynamic`: a type about which a check can be certain.
    pub fn is_certain(self) -> bool {
        !matches!(self, Ty::Unknown | Ty::Dynamic)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a column's values come from: a column of a catalogue table,
/// unchanged (renaming keeps the origin; computing a new value drops it).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub table: SmolStr,
    pub column: SmolStr,
}

/// A column of a row schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: SmolStr,
    pub ty: Ty,
    /// The table column it is a copy of, if any (shared: every operator
    /// copies its input's columns, and this is half of a column's size).
    pub origin: Option<Arc<Origin>>,
    /// Kept out of `*`, result lists and `project-away` (Log Analytics'
    /// hidden standard columns `_ItemId`, `_BilledSize`, ...) but can be
    /// referenced by name.
    pub hidden: bool,
    /// Identity of the column "symbol", as Kusto tracks it: copies of a
    /// column through operators keep it; a renamed or new column gets a new one.
    pub(crate) id: u32,
}

impl Column {
    /// The source table of the column's values, if it is a table column.
    pub fn table(&self) -> Option<&str> {
        self.origin.as_ref().map(|o| o.table.as_str())
    }
}

/// Why a row set's columns are only partly known: the table or function
/// they come from, how many of its columns kqlint knows, and why it knows
/// no more. Carried along so a warning can say "`TlsVer_s` is not among the
/// 18 columns kqlint knows for `MimecastSIEM_CL` (from a test stub ...)".
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Partial {
    pub source: SmolStr,
    pub known: u32,
    pub reason: PartialReason,
}

/// How much of a row set's columns is known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Openness {
    /// Every column is listed: a name that is not is an error.
    #[default]
    Closed,
    /// The row set comes (in part) from a table or function kqlint knows
    /// only in part: a name that is not listed is at most a warning.
    Partial(Arc<Partial>),
    /// Nothing more is known (an unknown table, `evaluate bag_unpack`, a
    /// watchlist...): a name that is not listed is not reported.
    Open,
}

impl Openness {
    /// The less known of the two (a union or join of both).
    pub fn or(self, other: Openness) -> Openness {
        match (self, other) {
            (Openness::Open, _) | (_, Openness::Open) => Openness::Open,
            (p @ Openness::Partial(_), _) | (_, p @ Openness::Partial(_)) => p,
            _ => Openness::Closed,
        }
    }

    /// `self` when `cond` holds, else closed (`project *` keeps the input's
    /// unknown columns; `project a, b` does not).
    pub fn when(self, cond: bool) -> Openness {
        if cond { self } else { Openness::Closed }
    }

    pub fn is_open(&self) -> bool {
        matches!(self, Openness::Open)
    }

    pub fn partial(&self) -> Option<&Partial> {
        match self {
            Openness::Partial(p) => Some(p),
            _ => None,
        }
    }
}

impl From<bool> for Openness {
    fn from(open: bool) -> Openness {
        if open {
            Openness::Open
        } else {
            Openness::Closed
        }
    }
}

/// The columns of a row set, shared cheaply between operators.
///
/// Its [`Openness`] says whether the row set may have columns beyond those
/// listed (an unknown table, `evaluate bag_unpack`, a watchlist, a table
/// known only from a test stub...) and so how sure "not a column" is.
#[derive(Clone)]
pub struct Schema(Arc<SchemaInner>);

struct SchemaInner {
    columns: Vec<Column>,
    open: Openness,
    index: OnceLock<NameIndex>,
}

/// Column name → position in a column list. It holds positions only (the
/// names stay in the list), so the next operator's projection starts from a
/// copy of it — a memcpy — instead of hashing every name again: a pipeline
/// of many `extend`s would otherwise rehash the whole row at each one.
#[derive(Clone)]
pub(crate) struct NameIndex {
    table: HashTable<u32>,
    /// Every name is listed once (positions of repeats are not kept).
    unique: bool,
}

/// Empty, for a list built up one column at a time.
impl Default for NameIndex {
    fn default() -> NameIndex {
        NameIndex {
            table: HashTable::new(),
            unique: true,
        }
    }
}

fn name_hash(name: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(name.as_bytes());
    h.finish()
}

impl NameIndex {
    /// The index of `cols`, the first position of each name.
    pub fn build(cols: &[Column]) -> NameIndex {
        let mut ix = NameIndex {
            table: HashTable::with_capacity(cols.len()),
            unique: true,
        };
        for (i, c) in cols.iter().enumerate() {
            if ix.get(cols, &c.name).is_some() {
                ix.unique = false;
            } else {
                ix.insert(cols, i);
            }
        }
        ix
    }

    pub fn is_unique(&self) -> bool {
        self.unique
    }

    pub fn get(&self, cols: &[Column], name: &str) -> Option<usize> {
        self.table
            .find(name_hash(name), |&i| cols[i as usize].name == name)
            .map(|&i| i as usize)
    }

    /// Indexes `cols[pos]`, whose name must not be indexed yet.
    pub fn insert(&mut self, cols: &[Column], pos: usize) {
        let h = name_hash(&cols[pos].name);
        self.table
            .insert_unique(h, pos as u32, |&i| name_hash(&cols[i as usize].name));
    }

    /// Forgets `name`; call before the column at its position changes name.
    pub fn remove(&mut self, cols: &[Column], name: &str) {
        if let Ok(e) = self
            .table
            .find_entry(name_hash(name), |&i| cols[i as usize].name == name)
        {
            e.remove();
        }
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, c) in self.0.columns.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}:{}", c.name, c.ty)?;
            if c.hidden {
                f.write_str(" hidden")?;
            }
        }
        if self.0.open != Openness::Closed {
            f.write_str(if self.0.columns.is_empty() {
                "*"
            } else {
                ", *"
            })?;
        }
        f.write_str(")")
    }
}

impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.open == other.0.open
                && self.0.columns.len() == other.0.columns.len()
                && self
                    .0
                    .columns
                    .iter()
                    .zip(&other.0.columns)
                    .all(|(a, b)| a.name == b.name && a.ty == b.ty && a.hidden == b.hidden))
    }
}

const INDEX_MIN: usize = 24;

impl Schema {
    pub fn new(columns: Vec<Column>, open: impl Into<Openness>) -> Schema {
        Schema(Arc::new(SchemaInner {
            columns,
            open: open.into(),
            index: OnceLock::new(),
        }))
    }

    /// A schema whose name index is already built (by a projection).
    pub(crate) fn with_index(
        columns: Vec<Column>,
        open: impl Into<Openness>,
        index: NameIndex,
    ) -> Schema {
        Schema(Arc::new(SchemaInner {
            columns,
            open: open.into(),
            index: OnceLock::from(index),
        }))
    }

    /// The name index, built on first use.
    pub(crate) fn index(&self) -> &NameIndex {
        self.0
            .index
            .get_or_init(|| NameIndex::build(&self.0.columns))
    }

    /// An open schema with no known columns.
    pub fn unknown() -> Schema {
        Schema::new(Vec::new(), true)
    }

    pub fn empty() -> Schema {
        Schema::new(Vec::new(), false)
    }

    /// Every column, hidden ones included.
    pub fn columns(&self) -> &[Column] {
        &self.0.columns
    }

    /// The columns a result or `*` shows (hidden ones left out).
    pub fn visible(&self) -> impl Iterator<Item = &Column> {
        self.0.columns.iter().filter(|c| !c.hidden)
    }

    /// Whether nothing is known beyond the listed columns (a name not
    /// listed is not reported at all).
    pub fn is_open(&self) -> bool {
        self.0.open.is_open()
    }

    /// How much of the row set's columns is known.
    pub fn openness(&self) -> Openness {
        self.0.open.clone()
    }

    /// Why the columns are only partly known, when they are.
    pub fn partial(&self) -> Option<&Partial> {
        self.0.open.partial()
    }

    pub fn len(&self) -> usize {
        self.0.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.columns.is_empty()
    }

    pub fn with_open(&self, open: impl Into<Openness>) -> Schema {
        let open = open.into();
        if open == self.0.open {
            self.clone()
        } else {
            Schema::new(self.0.columns.clone(), open)
        }
    }

    /// The column with exactly this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.position(name).map(|i| &self.0.columns[i])
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        let cols = &self.0.columns;
        if cols.len() < INDEX_MIN && self.0.index.get().is_none() {
            return cols.iter().position(|c| c.name == name);
        }
        self.index().get(cols, name)
    }

    /// The first column whose name equals `name` ignoring ASCII case.
    pub fn column_ignore_case(&self, name: &str) -> Option<&Column> {
        self.0
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The schema's identity (for memo keys; kept alive by the memo).
    pub(crate) fn addr(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }
}
