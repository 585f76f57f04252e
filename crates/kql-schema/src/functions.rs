//! Built-in functions of KQL (scalar functions, aggregates, plug-ins), as
//! generated from the symbols of Kusto.Language by `tools/gen-functions`.
//!
//! The model follows Kusto.Language's: a function has one or more
//! signatures; a signature has parameters with a type constraint
//! ([`ParamType`]), an argument form ([`ArgumentKind`]) and an occurrence
//! range, and a rule for its result type ([`ReturnKind`]).

use crate::ScalarType;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// Scalar function, aggregate (summarize / make-series) or plug-in
/// (`evaluate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionKind {
    Scalar,
    Aggregate,
    Plugin,
}

impl FunctionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FunctionKind::Scalar => "scalar",
            FunctionKind::Aggregate => "aggregate",
            FunctionKind::Plugin => "plugin",
        }
    }
}

/// A built-in function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub name: SmolStr,
    pub kind: FunctionKind,
    /// Not offered by completion (internal, deprecated or rarely used); still valid.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hidden: bool,
    /// Deprecated; [`Function::alternative`] names the replacement.
    #[serde(default, skip_serializing_if = "is_false")]
    pub obsolete: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<String>,
    /// A faster function with the same meaning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimized_alternative: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub constant_foldable: bool,
    /// A window function: valid only on a serialized row set (after `sort`,
    /// `serialize`, `top`, ...).
    #[serde(default, skip_serializing_if = "is_false")]
    pub needs_serialized: bool,
    /// How the default name of a result column is made
    /// (`extend strlen(Name)` → `Name`; `summarize count()` → `count_`).
    #[serde(default)]
    pub result_name: ResultNameKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_name_prefix: Option<String>,
    /// One-line description for hover, in our own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Plug-ins: what is known of the output schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<PluginOutput>,
    pub signatures: Vec<Signature>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Function {
    /// The signatures a user may call (not hidden).
    pub fn visible_signatures(&self) -> impl Iterator<Item = &Signature> {
        self.signatures.iter().filter(|s| !s.hidden)
    }

    /// Smallest and largest argument counts over all signatures.
    pub fn arity(&self) -> (u32, u32) {
        let min = self
            .signatures
            .iter()
            .map(|s| s.min_args)
            .min()
            .unwrap_or(0);
        let max = self
            .signatures
            .iter()
            .map(|s| s.max_args)
            .max()
            .unwrap_or(0);
        (min, max)
    }

    /// The signatures that accept `n` arguments.
    pub fn signatures_for_arity(&self, n: u32) -> impl Iterator<Item = &Signature> {
        self.signatures
            .iter()
            .filter(move |s| s.min_args <= n && n <= s.max_args)
    }
}

/// How a result column produced by the function is named by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultNameKind {
    /// `Column1`, `print_0`, ... (Kusto's generic names).
    #[default]
    None,
    NameAndFirstArgument,
    NameAndOnlyArgument,
    PrefixAndFirstArgument,
    PrefixAndOnlyArgument,
    FirstArgumentValueIfColumn,
    PrefixOnly,
    FirstArgument,
    OnlyArgument,
    #[serde(other)]
    Other,
}

/// One way to call a function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub returns: ReturnKind,
    /// For [`ReturnKind::Declared`]: the declared type. For
    /// [`ReturnKind::Custom`] scalar functions whose result is always one
    /// type: that type (found by analysing a sample call with
    /// Kusto.Language).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub declared: Option<TypeRef>,
    /// For functions that return several values at once (`series_stats`,
    /// `series_fit_line`, ...): one result column per value, named
    /// `<default name>_<suffix>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tuple: Vec<TupleColumn>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub hidden: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub obsolete: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<String>,
    #[serde(default, skip_serializing_if = "is_fixed")]
    pub layout: Layout,
    pub min_args: u32,
    pub max_args: u32,
    pub parameters: Vec<Parameter>,
}

fn is_fixed(l: &Layout) -> bool {
    *l == Layout::Fixed
}

impl Signature {
    /// The result type when it does not depend on the arguments: a declared
    /// scalar type, `dynamic` for array-building aggregates
    /// (`make_set`/`make_list`: [`ReturnKind::Parameter0Array`]) and the
    /// probed type of custom scalar results. `None` when it depends on the
    /// arguments (see [`Signature::returns`]) or is tabular.
    pub fn fixed_result_type(&self) -> Option<ScalarType> {
        match (self.returns, &self.declared) {
            (ReturnKind::Parameter0Array, _) => Some(ScalarType::Dynamic),
            (ReturnKind::Declared | ReturnKind::Custom, Some(TypeRef::Scalar(t))) => Some(*t),
            _ => None,
        }
    }

    /// The parameters whose arguments take part in a common/widest result
    /// type ([`ReturnKind::Common`], [`ReturnKind::CommonNonDynamic`],
    /// [`ReturnKind::Widest`]): those with a `Common*` type constraint, or,
    /// when there are none, the numeric ones.
    pub fn common_type_parameters(&self) -> impl Iterator<Item = (usize, &Parameter)> {
        let any_common = self.parameters.iter().any(|p| p.ty.is_common());
        self.parameters.iter().enumerate().filter(move |(_, p)| {
            if any_common {
                p.ty.is_common()
            } else {
                matches!(
                    p.ty,
                    ParamType::Number | ParamType::Summable | ParamType::Orderable
                )
            }
        })
    }
}

/// One value of a multi-value result (see [`Signature::tuple`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TupleColumn {
    pub suffix: SmolStr,
    #[serde(rename = "type")]
    pub ty: ScalarType,
}

/// The result-type rule of a signature (Kusto.Language's `ReturnTypeKind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnKind {
    /// The declared type ([`Signature::declared`]).
    Declared,
    /// Computed by the analyser from the arguments (Kusto.Language code).
    Computed,
    /// Computed by the analyser in function-specific code; for scalar
    /// functions [`Signature::declared`] or [`Signature::tuple`] gives the
    /// result when it is always the same.
    Custom,
    /// The type of argument 0 / 1 / 2.
    Parameter0,
    Parameter1,
    Parameter2,
    /// The type of the last argument.
    ParameterN,
    /// The type named by the literal value of argument 0 / 1 / last
    /// (`typeof(long)`, a type-name string).
    Parameter0Literal,
    Parameter1Literal,
    ParameterNLiteral,
    /// The type of argument 0, with `int` promoted to `long`.
    Parameter0Promoted,
    Parameter0Cluster,
    Parameter0Database,
    Parameter0Table,
    Parameter0ExternalTable,
    /// A dynamic array of argument 0's values (`make_list`, `make_set`).
    Parameter0Array,
    /// The common type of the arguments of the `Common*` parameters.
    Common,
    /// Like `Common`, but a dynamic argument does not make the result dynamic.
    CommonNonDynamic,
    /// The widest numeric type of the arguments.
    Widest,
    Parameter0MaterializedView,
    Parameter0EntityGroup,
    Parameter0StoredQueryResult,
    Parameter0Graph,
    #[serde(other)]
    Other,
}

/// How the parameters of a signature line up with the arguments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One argument per parameter, in order; optional ones may be left off the end.
    #[default]
    Fixed,
    /// The repeatable parameters repeat (`strcat(a, b, c, ...)`).
    Repeating,
    RepeatingSkipping,
    /// A block of parameters repeats (`case(p1, v1, p2, v2, ..., else)`).
    BlockRepeating,
    /// Function-specific rules.
    Custom,
    #[serde(other)]
    Other,
}

/// A parameter of a built-in function's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    pub name: SmolStr,
    /// The type constraint.
    #[serde(rename = "type")]
    pub ty: ParamType,
    /// For [`ParamType::Declared`]: the accepted types.
    #[serde(default, rename = "types", skip_serializing_if = "Vec::is_empty")]
    pub declared: Vec<TypeRef>,
    /// The form the argument must take (any expression, a column, a constant, ...).
    pub argument: ArgumentKind,
    /// How many arguments this parameter takes: 0..1 for an optional one,
    /// up to a large number for a repeating one.
    pub min: u32,
    pub max: u32,
    /// Kusto.Language's marker for a default shown in signatures (`~`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Literal values the argument may take (`datetime_part('Hour', ...)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub case_sensitive: bool,
}

impl Parameter {
    pub fn is_optional(&self) -> bool {
        self.min == 0
    }

    pub fn is_repeatable(&self) -> bool {
        self.max > 1
    }

    /// Whether an argument of type `t` is acceptable, as far as the
    /// constraint alone says (`Parameter0`/`Common*` constraints, which
    /// depend on other arguments, accept every scalar type here).
    pub fn accepts(&self, t: ScalarType) -> bool {
        match self.ty {
            ParamType::Declared => self.declared.iter().any(|d| match d {
                TypeRef::Scalar(s) => *s == t || *s == ScalarType::Dynamic,
                _ => false,
            }),
            other => other.accepts(t),
        }
    }
}

/// A declared type: a scalar type, a table type, or `type` (the argument is
/// a type literal such as `typeof(long)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeRef {
    Scalar(ScalarType),
    Table {
        columns: Vec<(SmolStr, ScalarType)>,
        open: bool,
    },
    TypeLiteral,
    /// A type name this version does not know.
    Other(SmolStr),
}

impl Serialize for TypeRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TypeRef::Scalar(t) => s.serialize_str(t.as_str()),
            TypeRef::TypeLiteral => s.serialize_str("type"),
            TypeRef::Other(n) => s.serialize_str(n),
            TypeRef::Table { columns, open } => {
                #[derive(Serialize)]
                struct Col<'a> {
                    name: &'a str,
                    #[serde(rename = "type")]
                    ty: ScalarType,
                }
                #[derive(Serialize)]
                struct T<'a> {
                    table: Vec<Col<'a>>,
                    open: bool,
                }
                T {
                    table: columns
                        .iter()
                        .map(|(n, t)| Col { name: n, ty: *t })
                        .collect(),
                    open: *open,
                }
                .serialize(s)
            }
        }
    }
}

impl<'de> Deserialize<'de> for TypeRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Col {
            name: SmolStr,
            #[serde(rename = "type")]
            ty: ScalarType,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Name(String),
            Table {
                table: Vec<Col>,
                #[serde(default)]
                open: bool,
            },
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Name(n) if n == "type" => TypeRef::TypeLiteral,
            Raw::Name(n) => match ScalarType::parse(&n) {
                Some(t) => TypeRef::Scalar(t),
                None => TypeRef::Other(n.into()),
            },
            Raw::Table { table, open } => TypeRef::Table {
                columns: table.into_iter().map(|c| (c.name, c.ty)).collect(),
                open,
            },
        })
    }
}

/// The type constraint of a parameter (Kusto.Language's `ParameterTypeKind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    Any,
    /// One of [`Parameter::declared`].
    Declared,
    /// Any scalar type.
    Scalar,
    Tabular,
    Database,
    Cluster,
    /// `int` or `long`.
    Integer,
    RealOrDecimal,
    StringOrDynamic,
    StringOrArray,
    IntegerOrArray,
    DynamicArray,
    DynamicBag,
    /// `int`, `long`, `real` or `decimal`.
    Number,
    NumberOrBool,
    /// A number, `datetime` or `timespan`.
    Summable,
    /// A number, `string`, `datetime`, `timespan`, `bool` or `guid`.
    Orderable,
    NotRealOrBool,
    NotDynamic,
    NotBool,
    /// The same type as argument 0 / 1 / 2.
    Parameter0,
    Parameter1,
    Parameter2,
    /// Takes part in the common type of the call; the `Common*` variants
    /// restrict which types.
    CommonScalar,
    CommonNumber,
    CommonSummable,
    CommonOrderable,
    CommonScalarOrDynamic,
    #[serde(other)]
    Other,
}

impl ParamType {
    pub fn is_common(self) -> bool {
        matches!(
            self,
            ParamType::CommonScalar
                | ParamType::CommonNumber
                | ParamType::CommonSummable
                | ParamType::CommonOrderable
                | ParamType::CommonScalarOrDynamic
        )
    }

    /// Whether a scalar argument of type `t` meets the constraint.
    /// `dynamic` is accepted wherever Kusto lets a dynamic value convert
    /// implicitly at run time; constraints that cannot be judged from one
    /// argument accept everything.
    pub fn accepts(self, t: ScalarType) -> bool {
        use ScalarType as S;
        match self {
            ParamType::Tabular | ParamType::Database | ParamType::Cluster => false,
            ParamType::Integer => matches!(t, S::Int | S::Long | S::Dynamic),
            ParamType::RealOrDecimal => matches!(t, S::Real | S::Decimal | S::Dynamic),
            ParamType::StringOrDynamic => matches!(t, S::String | S::Dynamic),
            ParamType::StringOrArray => matches!(t, S::String | S::Dynamic),
            ParamType::IntegerOrArray => matches!(t, S::Int | S::Long | S::Dynamic),
            ParamType::DynamicArray | ParamType::DynamicBag => t == S::Dynamic,
            ParamType::Number | ParamType::CommonNumber => t.is_numeric() || t == S::Dynamic,
            ParamType::NumberOrBool => t.is_numeric() || matches!(t, S::Bool | S::Dynamic),
            ParamType::Summable | ParamType::CommonSummable => {
                t.is_numeric() || matches!(t, S::DateTime | S::TimeSpan | S::Dynamic)
            }
            ParamType::Orderable | ParamType::CommonOrderable => true,
            ParamType::NotRealOrBool => !matches!(t, S::Real | S::Bool),
            ParamType::NotDynamic => t != S::Dynamic,
            ParamType::NotBool => t != S::Bool,
            ParamType::Any
            | ParamType::Declared
            | ParamType::Scalar
            | ParamType::Parameter0
            | ParamType::Parameter1
            | ParamType::Parameter2
            | ParamType::CommonScalar
            | ParamType::CommonScalarOrDynamic
            | ParamType::Other => true,
        }
    }
}

/// The form an argument must take (Kusto.Language's `ArgumentKind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgumentKind {
    /// Any expression.
    Expression,
    /// An expression of the element type of argument 0's array.
    ExpressionParameter0Element,
    /// Only `*`.
    StarOnly,
    /// An expression or `*`.
    StarAllowed,
    /// An aggregate call.
    Aggregate,
    /// A column reference.
    Column,
    /// A column of the table given as argument 0.
    ColumnParameter0,
    ColumnParameter0Common,
    /// A literal.
    Literal,
    LiteralNotEmpty,
    /// A constant expression (literal, or computed from literals and `let` constants).
    Constant,
    /// A form this version does not name (treated as "any expression").
    #[serde(other)]
    Other,
}

/// What kind of output schema a plug-in has (see [`PluginOutput`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PluginOutputKind {
    /// Fixed columns: those of the declared table type of the signature.
    Declared,
    /// The input columns, unchanged.
    Input,
    /// The input columns (minus [`PluginOutput::removes`]) plus columns known
    /// only at run time: never report an unknown column after it.
    InputPlusOpen,
    /// The input columns followed by those of the tabular argument
    /// [`PluginOutput::table_argument`].
    InputPlusTable,
    /// [`PluginOutput::columns`] followed by the input columns.
    PrefixPlusInput,
    /// The schema of the `typeof(...)` argument [`PluginOutput::argument`]
    /// (`*` in it stands for the input columns).
    ArgumentSchema,
    /// Computed from the arguments in plug-in-specific ways (see
    /// [`PluginOutput::note`]); not modelled.
    Computed,
    /// Not known.
    Unknown,
    #[serde(other)]
    Other,
}

/// What is known of a plug-in's output schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginOutput {
    pub kind: PluginOutputKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<PluginColumn>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_argument: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argument: Option<u32>,
    /// The output may have columns that are not modelled.
    #[serde(default, skip_serializing_if = "is_false")]
    pub open: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl PluginOutput {
    /// Whether a column name that is not otherwise known may still exist
    /// after the plug-in (the schema is open or not modelled).
    pub fn is_open(&self) -> bool {
        self.open
            || matches!(
                self.kind,
                PluginOutputKind::InputPlusOpen
                    | PluginOutputKind::Computed
                    | PluginOutputKind::Unknown
                    | PluginOutputKind::Other
            )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginColumn {
    pub name: SmolStr,
    #[serde(rename = "type")]
    pub ty: ScalarType,
}
