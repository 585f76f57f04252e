//! The schema model: tables and columns, Sentinel (stored) functions.

use crate::ScalarType;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::fmt;
use std::path::PathBuf;

/// Where a column of a table comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnOrigin {
    /// In the Sentinel schema files the table was taken from (the columns
    /// Microsoft's analyzer knew in Azure-Sentinel's CI), in their order.
    Schema,
    /// Added from Microsoft's current documentation of the table; after the
    /// schema columns.
    Documented,
    /// A Log Analytics standard column (`TenantId`, `Type`, `_ResourceId`,
    /// ...) that the table's definition left out; after the others.
    Standard,
    /// From a user schema file.
    User,
}

impl ColumnOrigin {
    fn code(self) -> char {
        match self {
            ColumnOrigin::Schema => 's',
            ColumnOrigin::Documented => 'd',
            ColumnOrigin::Standard => 'x',
            ColumnOrigin::User => 'u',
        }
    }
    fn from_code(c: char) -> Option<Self> {
        Some(match c {
            's' => ColumnOrigin::Schema,
            'd' => ColumnOrigin::Documented,
            'x' => ColumnOrigin::Standard,
            'u' => ColumnOrigin::User,
            _ => return None,
        })
    }
}

/// A column of a table (or of a function's result).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: SmolStr,
    pub ty: ScalarType,
    pub origin: ColumnOrigin,
    /// Log Analytics leaves this column out of query results unless the
    /// query names it (`_ItemId`, `_TimeReceived`, `_BilledSize`,
    /// `_IsBillable`). It can always be referenced by name; it should not be
    /// part of what `*`, `project-away` or a bare table expand to.
    pub hidden: bool,
    /// A short description for hover, in our own words, when we have one.
    pub description: Option<Box<str>>,
}

impl Column {
    /// A column from a schema file (origin [`ColumnOrigin::Schema`]).
    pub fn new(name: impl Into<SmolStr>, ty: ScalarType) -> Column {
        Column {
            name: name.into(),
            ty,
            origin: ColumnOrigin::Schema,
            hidden: false,
            description: None,
        }
    }

    pub fn with_origin(mut self, origin: ColumnOrigin) -> Column {
        self.origin = origin;
        self
    }

    pub fn with_description(mut self, description: impl Into<Box<str>>) -> Column {
        self.description = Some(description.into());
        self
    }
}

// Compact form in the bundled catalogue: [name, type, flags(, description)],
// flags = origin code, followed by `h` when hidden.
impl Serialize for Column {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut flags = String::new();
        flags.push(self.origin.code());
        if self.hidden {
            flags.push('h');
        }
        let n = if self.description.is_some() { 4 } else { 3 };
        let mut seq = s.serialize_seq(Some(n))?;
        seq.serialize_element(self.name.as_str())?;
        seq.serialize_element(self.ty.as_str())?;
        seq.serialize_element(&flags)?;
        if let Some(d) = &self.description {
            seq.serialize_element(&**d)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Column {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Raw<'a>(
            #[serde(borrow)] std::borrow::Cow<'a, str>,
            ScalarType,
            #[serde(borrow)] std::borrow::Cow<'a, str>,
            #[serde(default)] Option<String>,
        );
        let Raw(name, ty, flags, description) = Raw::deserialize(d)?;
        let mut chars = flags.chars();
        let origin = chars
            .next()
            .and_then(ColumnOrigin::from_code)
            .ok_or_else(|| D::Error::custom(format!("bad column flags `{flags}`")))?;
        Ok(Column {
            name: SmolStr::new(name),
            ty,
            origin,
            hidden: chars.any(|c| c == 'h'),
            description: description.map(String::into_boxed_str),
        })
    }
}

/// Where a table or a stored function definition comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Bundled with kqlint. `source` names the set it was taken from (see
    /// `schemas/README.md`), e.g. `sentinel/2023-11`,
    /// `sentinel/builtin-kustoservices-5.0.1` or `defender-xdr-docs`.
    Bundled { source: String },
    /// Loaded from a user schema file.
    User { path: PathBuf },
}

impl Provenance {
    pub fn is_user(&self) -> bool {
        matches!(self, Provenance::User { .. })
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provenance::Bundled { source } => write!(f, "bundled ({source})"),
            Provenance::User { path } => write!(f, "{}", path.display()),
        }
    }
}

/// A table: its columns in order, a short description, the data connectors
/// that feed it and where the definition comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub name: SmolStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub columns: Vec<Column>,
    /// Connector ids (`requiredDataConnectors[].connectorId`) known to feed
    /// this table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connectors: Vec<SmolStr>,
    pub provenance: Provenance,
}

impl Table {
    /// The column with this exact name (KQL names are case-sensitive).
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The first column whose name equals `name` ignoring ASCII case, for
    /// "did you mean `RemoteIP`? KQL names are case-sensitive".
    pub fn column_ignore_case(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Column names, in order (for did-you-mean).
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }

    /// The columns a bare reference to the table yields (`T`, `T | where`,
    /// `project *`): every column but the hidden ones.
    pub fn visible_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| !c.hidden)
    }
}

/// The type of a stored function's parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoredParamType {
    Scalar(ScalarType),
    /// A tabular parameter, `table:(a:string, b:long)`; `open` when the
    /// schema is `(*)` or ends with `*`: any table with at least these
    /// columns.
    Table {
        columns: Vec<Column>,
        open: bool,
    },
}

impl fmt::Display for StoredParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoredParamType::Scalar(t) => f.write_str(t.as_str()),
            StoredParamType::Table { columns, open } => {
                f.write_str("(")?;
                let mut first = true;
                for c in columns {
                    if !first {
                        f.write_str(", ")?;
                    }
                    first = false;
                    write!(f, "{}:{}", c.name, c.ty)?;
                }
                if *open {
                    if !first {
                        f.write_str(", ")?;
                    }
                    f.write_str("*")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// A parameter of a stored function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredParameter {
    pub name: SmolStr,
    pub ty: StoredParamType,
    /// The default value as KQL text, when the definition gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// A required parameter has no default: every call must pass it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

/// A stored (workspace) function: Sentinel's `_GetWatchlist`, the ASIM
/// parsers (`imDns`, `_Im_Dns`, `ASimDns`, ...), solution parsers and the
/// functions of user schema files. Only the signature and the result
/// columns are known, not the body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFunction {
    pub name: SmolStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub parameters: Vec<StoredParameter>,
    pub result_columns: Vec<Column>,
    /// The result may have columns beyond `result_columns` (a watchlist has
    /// the columns of its own file): never report an unknown column after it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub open_result: bool,
    pub provenance: Provenance,
}

impl StoredFunction {
    /// Number of arguments a call must pass.
    pub fn min_args(&self) -> usize {
        self.parameters.iter().filter(|p| p.required).count()
    }

    pub fn max_args(&self) -> usize {
        self.parameters.len()
    }

    pub fn parameter(&self, name: &str) -> Option<&StoredParameter> {
        self.parameters.iter().find(|p| p.name == name)
    }

    pub fn result_column(&self, name: &str) -> Option<&Column> {
        self.result_columns.iter().find(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_compact_form_round_trips() {
        let cols = vec![
            Column::new("A", ScalarType::String),
            Column::new("_ItemId", ScalarType::String).with_origin(ColumnOrigin::Standard),
            Column {
                hidden: true,
                ..Column::new("_BilledSize", ScalarType::Real).with_origin(ColumnOrigin::Standard)
            },
            Column::new("B", ScalarType::Long)
                .with_origin(ColumnOrigin::Documented)
                .with_description("a \"quoted\"\ttext"),
        ];
        let text = serde_json::to_string(&cols).unwrap();
        assert_eq!(
            text,
            r#"[["A","string","s"],["_ItemId","string","x"],["_BilledSize","real","xh"],["B","long","d","a \"quoted\"\ttext"]]"#
        );
        let back: Vec<Column> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, cols);
    }

    #[test]
    fn table_param_display() {
        let t = StoredParamType::Table {
            columns: vec![Column::new("TimeGenerated", ScalarType::DateTime)],
            open: true,
        };
        assert_eq!(t.to_string(), "(TimeGenerated:datetime, *)");
    }
}
