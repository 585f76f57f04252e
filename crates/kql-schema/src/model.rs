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

/// What kind of source a bundled definition was read from, which says how
/// much of it kqlint knows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A Microsoft reference page lists the columns (or a Microsoft product
    /// package defines them): complete.
    #[default]
    Documented,
    /// Only a test stub of Azure-Sentinel's KQL-validation CI: partial.
    CiStub,
    /// A parser's (function's) output as read from its source: partial.
    Parser,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Documented => "documented",
            SourceKind::CiStub => "ci-stub",
            SourceKind::Parser => "parser",
        }
    }
}

/// Where a table or a stored function definition comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Bundled with kqlint. `source` names the set it was taken from (see
    /// `schemas/README.md`), e.g. `azure-monitor-docs`, `defender-xdr-docs`,
    /// `sentinel/2023-11`; `kind` how complete that source is; `page` and
    /// `date` the reference page and its date, when there is one.
    Bundled {
        source: String,
        #[serde(default)]
        kind: SourceKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        date: Option<String>,
    },
    /// Loaded from a user schema file: complete, by the user's word.
    User { path: PathBuf },
}

impl Provenance {
    /// A bundled definition of a documented source, without page.
    pub fn bundled(source: impl Into<String>) -> Provenance {
        Provenance::Bundled {
            source: source.into(),
            kind: SourceKind::Documented,
            page: None,
            date: None,
        }
    }

    pub fn is_user(&self) -> bool {
        matches!(self, Provenance::User { .. })
    }

    /// The kind of a bundled source (`None` for a user file).
    pub fn kind(&self) -> Option<SourceKind> {
        match self {
            Provenance::Bundled { kind, .. } => Some(*kind),
            Provenance::User { .. } => None,
        }
    }

    /// The provenance in one line for users: `documented: Microsoft Learn
    /// page (2024-07-30)`, `ci-stub: sentinel/2023-11`, `user: path`.
    pub fn describe(&self) -> String {
        match self {
            Provenance::Bundled {
                source,
                kind,
                page,
                date,
            } => {
                let mut s = format!("{}: {source}", kind.as_str());
                if let Some(p) = page {
                    s.push_str(&format!(", {p}"));
                }
                if let Some(d) = date {
                    s.push_str(&format!(" ({d})"));
                }
                s
            }
            Provenance::User { path } => format!("user: {}", path.display()),
        }
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provenance::Bundled { source, .. } => write!(f, "bundled ({source})"),
            Provenance::User { path } => write!(f, "{}", path.display()),
        }
    }
}

/// How much of a row schema kqlint knows. Only a complete schema makes "not
/// a column" an error; with a partial one it is at most a warning that says
/// why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Completeness {
    /// Every column is known: documented by Microsoft, or given by the user.
    Complete,
    /// Some columns are known.
    Partial(PartialReason),
}

/// Why kqlint knows only part of a table's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PartialReason {
    /// The only definition is a test stub of Azure-Sentinel's CI.
    CiStub,
    /// The definition is a parser's output as read from its source.
    Parser,
    /// The table has resource- or solution-specific columns beyond the
    /// documented ones (`AzureDiagnostics`' `*_s`, `*_d`, `*_g` columns).
    Extensible,
    /// Microsoft documents the table as a preview, whose columns "may be
    /// substantially modified": queries written against an earlier preview
    /// use names today's page does not list.
    Preview,
    /// An earlier version of the page marked the table a preview: columns
    /// of that preview are still in use and the page may not list them.
    FormerlyPreview,
}

impl PartialReason {
    /// For messages: "`X` is not among the N columns kqlint knows for `T`
    /// ({why})".
    pub fn describe(self) -> &'static str {
        match self {
            PartialReason::CiStub => "from a test stub of Azure-Sentinel's CI",
            PartialReason::Parser => "read from a parser's source",
            PartialReason::Extensible => {
                "its documented columns; resources add their own columns to it"
            }
            PartialReason::Preview => {
                "Microsoft documents it as a preview table, whose columns still change"
            }
            PartialReason::FormerlyPreview => {
                "Microsoft documented it as a preview table until recently, and its page may not \
                 list every column the service has"
            }
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
    /// The table has columns beyond the documented ones (resource-specific
    /// columns of `AzureDiagnostics`): an unknown column is not certain to
    /// be a mistake.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub extensible: bool,
    /// Columns an earlier version of the table's reference page listed and
    /// the current one does not (renamed or removed): not columns of the
    /// table, but a name among them is not certain to be a mistake.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<Column>,
    /// Microsoft's reference page marks the table as a preview.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preview: bool,
    /// An earlier version of the page marked it a preview and the current
    /// one does not: the page's columns may still lag the service.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub formerly_preview: bool,
}

impl Table {
    /// Whether kqlint knows every column of the table.
    pub fn completeness(&self) -> Completeness {
        if self.extensible {
            return Completeness::Partial(PartialReason::Extensible);
        }
        if self.preview {
            return Completeness::Partial(PartialReason::Preview);
        }
        if self.formerly_preview {
            return Completeness::Partial(PartialReason::FormerlyPreview);
        }
        match self.provenance.kind() {
            None | Some(SourceKind::Documented) => Completeness::Complete,
            Some(SourceKind::CiStub) => Completeness::Partial(PartialReason::CiStub),
            Some(SourceKind::Parser) => Completeness::Partial(PartialReason::Parser),
        }
    }

    /// A column an earlier reference page listed and the current one does not.
    pub fn retired_column(&self, name: &str) -> Option<&Column> {
        self.retired.iter().find(|c| c.name == name)
    }

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

/// How a stored function is called.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionForm {
    /// A tabular source: `F(args)` or `F` alone; its result is `result_columns`.
    #[default]
    Table,
    /// Applied to the rows piped into it, `T | invoke F(args)` (Defender
    /// XDR's `FileProfile`): its result is the input's columns followed by
    /// `result_columns`.
    Invoke,
    /// A scalar function (`_ASIM_LookupDnsQueryType(x)`), called in an
    /// expression.
    Scalar,
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
    #[serde(default, skip_serializing_if = "is_default_form")]
    pub form: FunctionForm,
    /// The source names the function but not its parameters: any
    /// arguments are accepted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub params_unknown: bool,
    pub provenance: Provenance,
}

fn is_default_form(f: &FunctionForm) -> bool {
    *f == FunctionForm::Table
}

impl StoredFunction {
    /// Number of arguments a call must pass.
    pub fn min_args(&self) -> usize {
        if self.params_unknown {
            return 0;
        }
        self.parameters.iter().filter(|p| p.required).count()
    }

    pub fn max_args(&self) -> usize {
        if self.params_unknown {
            return usize::MAX;
        }
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
