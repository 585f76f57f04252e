//! The syntax tree of a KQL query.
//!
//! Design choices that the rest of kqlint relies on:
//! - Every node carries the byte [`Span`] of the text it was parsed from.
//! - Recovery never drops structure silently: what could not be parsed becomes
//!   an `Error` variant ([`ExprKind::Error`], [`OperatorKind::Error`],
//!   [`Statement::Error`]) whose span covers the skipped text, and a syntax
//!   diagnostic says why.
//! - Pipelines are flat ([`Pipeline::ops`] is a `Vec`), not nested binary
//!   nodes, so a query of ten thousand operators does not make a ten thousand
//!   deep tree that every visitor would have to recurse through.
//! - Keywords are soft: a name that happens to be a keyword (`count`, `type`,
//!   `kind`, ...) is an ordinary [`Ident`].
//! - Names are unescaped: `['Event ID']` is an [`Ident`] with `name` =
//!   `Event ID` and `quoted` = true.

use crate::Span;
use smol_str::SmolStr;

/// A whole query text: `;`-separated statements.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub statements: Vec<Statement>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `let name = expr`, `let f = (params) { body }`, `let v = view () { body }`.
    Let(LetStmt),
    /// `set option [= value]`.
    Set(SetStmt),
    /// `declare query_parameters (name: type [= default], ...)`.
    DeclareQueryParameters(DeclareQueryParameters),
    /// `declare pattern name [= (params) [path] { (args) [.path] = { body }; ... }]`.
    DeclarePattern(DeclarePattern),
    /// `alias database name = cluster(...).database(...)`.
    Alias(AliasStmt),
    /// `restrict access to (entity, ...)`.
    Restrict(RestrictStmt),
    /// A tabular (or, rarely, scalar) expression statement: the query itself.
    Expr(Expr),
    /// A statement that could not be parsed; the span covers the skipped text.
    Error(Span),
}

impl Statement {
    pub fn span(&self) -> Span {
        match self {
            Statement::Let(s) => s.span,
            Statement::Set(s) => s.span,
            Statement::DeclareQueryParameters(s) => s.span,
            Statement::DeclarePattern(s) => s.span,
            Statement::Alias(s) => s.span,
            Statement::Restrict(s) => s.span,
            Statement::Expr(e) => e.span,
            Statement::Error(s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LetStmt {
    pub name: Ident,
    pub value: LetValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LetValue {
    /// A scalar or tabular value; which one is for the binder to decide
    /// (`materialize(...)` is an ordinary call here).
    Expr(Expr),
    /// `(params) { body }`.
    Function(FunctionDef),
    /// `view (params) { body }`.
    View(FunctionDef),
}

/// The parameter list and body of a user-defined function or view.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDef {
    pub params: Vec<Param>,
    /// Statements inside `{ }`: zero or more `let`s followed by the result
    /// expression statement.
    pub body: Vec<Statement>,
    pub params_span: Span,
    pub body_span: Span,
    pub span: Span,
}

/// A function or query parameter: `x: long = 5`, `T: (a: string, *)`, `T: (*)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: ParamType,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParamType {
    Scalar(TypeRef),
    /// A tabular parameter. `open` is true when the schema ends in (or is) `*`.
    Tabular {
        columns: Vec<ColumnDecl>,
        open: bool,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct SetStmt {
    /// Option names may be dotted (`query_now`, `notruncation`, `hint.x`).
    pub name: Ident,
    pub value: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeclareQueryParameters {
    pub params: Vec<Param>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeclarePattern {
    pub name: Ident,
    /// Parameters of the pattern (`(a: string)`), if given.
    pub params: Vec<Param>,
    /// Optional path parameter (`[path: string]`).
    pub path_param: Option<Param>,
    pub definitions: Vec<PatternDefinition>,
    pub span: Span,
}

/// One `(args).path = { body };` mapping inside a pattern declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternDefinition {
    pub args: Vec<Expr>,
    pub path: Option<Expr>,
    pub body: Vec<Statement>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AliasStmt {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RestrictStmt {
    pub entities: Vec<Expr>,
    pub span: Span,
}

/// A name as written in the query, unescaped.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: SmolStr,
    pub span: Span,
    /// Written in brackets: `['x y']`, `["x"]`.
    pub quoted: bool,
}

impl Ident {
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

/// A column-name pattern with `*` wildcards (`project-away Initiating*`,
/// `union Device*`). A pattern without `*` is a plain name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NamePattern {
    pub pattern: SmolStr,
    pub span: Span,
}

impl NamePattern {
    pub fn has_wildcard(&self) -> bool {
        self.pattern.contains('*')
    }

    /// Whether `name` matches this pattern (`*` matches any run of characters).
    pub fn matches(&self, name: &str) -> bool {
        wildcard_match(&self.pattern, name)
    }
}

fn wildcard_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// A scalar type name as written (`string`, `long`, `int64`, `datetime`, ...).
/// Aliases are resolved by the semantic layer, not here.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypeRef {
    pub name: SmolStr,
    pub span: Span,
}

/// `name: type`, in `datatable`, `externaldata`, `parse-kv ... as (...)`,
/// tabular parameters and `evaluate ... : (schema)`.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDecl {
    pub name: Ident,
    pub ty: TypeRef,
    pub span: Span,
}

// ---------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Self { kind, span }
    }

    pub fn error(span: Span) -> Self {
        Self {
            kind: ExprKind::Error,
            span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// What could not be parsed (a syntax diagnostic was reported for it).
    Error,
    Literal(Literal),
    /// A column, variable, table or parameterless-function reference;
    /// `$left` and `$right` are names too.
    Name(Ident),
    /// A name with `*` wildcards where a table or column list is expected.
    NamePattern(NamePattern),
    /// `*` as an argument (`count(*)`, `arg_max(x, *)`, `pack(*)`), as a search
    /// target (`* has "x"`) or as all tables (`union *`).
    Star,
    Paren(Box<Expr>),
    Unary {
        op: UnaryOp,
        op_span: Span,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `x in ("a", "b")`, `x !in~ (T | project y)`, `x has_any (list)`.
    /// The list holds one element per comma-separated item; a single
    /// tabular expression or dynamic array is one element.
    InList {
        op: InOp,
        op_span: Span,
        lhs: Box<Expr>,
        list: Vec<Expr>,
        list_span: Span,
    },
    /// `x between (a .. b)`, `x !between (a .. b)`.
    Between {
        negated: bool,
        op_span: Span,
        lhs: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    /// `f(args)`, or `receiver.f(args)` for scoped calls such as
    /// `cluster("c").database("d")` and `database("d").MyFunction()`.
    Call {
        receiver: Option<Box<Expr>>,
        func: Ident,
        args: Vec<Arg>,
        args_span: Span,
    },
    /// `expr.name` (dynamic property, `$left.Col`, `database("d").Table`).
    Member {
        expr: Box<Expr>,
        name: Ident,
    },
    /// `expr[index]` (array index or dynamic property by string).
    Index {
        expr: Box<Expr>,
        index: Box<Expr>,
    },
    /// `source | op | op ...`, or the implicit-input body of `mv-apply`,
    /// `fork`, `partition` and `facet` (then `source` is `None`).
    Pipeline(Box<Pipeline>),
    /// `entity_group [T, U, database("d").V]` (`macro-expand`, `let`).
    EntityGroup(Vec<Expr>),
    /// An operator that starts a tabular expression on its own:
    /// `print`, `range`, `datatable`, `externaldata`, `union`, `search`,
    /// `find`, `evaluate` (no input), `materialized-view-combine`, ...
    Operator(Box<Operator>),
    /// `Name = expr` (or `(A, B) = expr`) where Kusto takes a named
    /// expression but the name makes no column: the predicate of `where`,
    /// the count of `take` / `sample` / `top`, a sort key. Kusto accepts
    /// the name and ignores it: `where IsBillable = true` keeps every row.
    Named(Box<NamedExpr>),
}

/// The parts of [`ExprKind::Named`].
#[derive(Clone, Debug, PartialEq)]
pub struct NamedExpr {
    /// [`ColumnNames::Single`] or [`ColumnNames::Tuple`].
    pub names: ColumnNames,
    /// The `=`.
    pub eq_span: Span,
    pub expr: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// `name = value` for named arguments of user functions.
    pub name: Option<Ident>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Plus,
}

/// Binary operators. The `!` and `_cs` variants are separate operators, as
/// in KQL; legacy spellings (`containscs`, `notcontains`, `notlike`, `<>`)
/// map onto their modern equivalents and the spelling stays in the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    // comparison
    Eq,
    NotEq,
    EqCi,
    NotEqCi,
    Lt,
    Le,
    Gt,
    Ge,
    // arithmetic
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    // string operators
    Has,
    NotHas,
    HasCs,
    NotHasCs,
    HasPrefix,
    NotHasPrefix,
    HasPrefixCs,
    NotHasPrefixCs,
    HasSuffix,
    NotHasSuffix,
    HasSuffixCs,
    NotHasSuffixCs,
    Contains,
    NotContains,
    ContainsCs,
    NotContainsCs,
    StartsWith,
    NotStartsWith,
    StartsWithCs,
    NotStartsWithCs,
    EndsWith,
    NotEndsWith,
    EndsWithCs,
    NotEndsWithCs,
    Like,
    NotLike,
    LikeCs,
    NotLikeCs,
    MatchesRegex,
    /// `Column : "term"` inside `search` / `find` predicates.
    SearchColon,
}

impl BinaryOp {
    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Or => "or",
            And => "and",
            Eq => "==",
            NotEq => "!=",
            EqCi => "=~",
            NotEqCi => "!~",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Has => "has",
            NotHas => "!has",
            HasCs => "has_cs",
            NotHasCs => "!has_cs",
            HasPrefix => "hasprefix",
            NotHasPrefix => "!hasprefix",
            HasPrefixCs => "hasprefix_cs",
            NotHasPrefixCs => "!hasprefix_cs",
            HasSuffix => "hassuffix",
            NotHasSuffix => "!hassuffix",
            HasSuffixCs => "hassuffix_cs",
            NotHasSuffixCs => "!hassuffix_cs",
            Contains => "contains",
            NotContains => "!contains",
            ContainsCs => "contains_cs",
            NotContainsCs => "!contains_cs",
            StartsWith => "startswith",
            NotStartsWith => "!startswith",
            StartsWithCs => "startswith_cs",
            NotStartsWithCs => "!startswith_cs",
            EndsWith => "endswith",
            NotEndsWith => "!endswith",
            EndsWithCs => "endswith_cs",
            NotEndsWithCs => "!endswith_cs",
            Like => "like",
            NotLike => "notlike",
            LikeCs => "likecs",
            NotLikeCs => "notlikecs",
            MatchesRegex => "matches regex",
            SearchColon => ":",
        }
    }

    pub fn is_logical(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or)
    }

    pub fn is_arithmetic(self) -> bool {
        use BinaryOp::*;
        matches!(self, Add | Sub | Mul | Div | Mod)
    }

    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | NotEq | EqCi | NotEqCi | Lt | Le | Gt | Ge)
    }

    /// The string operators (`has`, `contains`, `startswith`, `like`,
    /// `matches regex`, ... and their negated / case-sensitive forms).
    pub fn is_string_op(self) -> bool {
        !(self.is_logical()
            || self.is_arithmetic()
            || self.is_comparison()
            || self == BinaryOp::SearchColon)
    }

    /// True for the `!`/`not` forms.
    pub fn is_negated(self) -> bool {
        use BinaryOp::*;
        matches!(
            self,
            NotEq
                | NotEqCi
                | NotHas
                | NotHasCs
                | NotHasPrefix
                | NotHasPrefixCs
                | NotHasSuffix
                | NotHasSuffixCs
                | NotContains
                | NotContainsCs
                | NotStartsWith
                | NotStartsWithCs
                | NotEndsWith
                | NotEndsWithCs
                | NotLike
                | NotLikeCs
        )
    }
}

/// The list-taking membership operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InOp {
    In,
    NotIn,
    InCi,
    NotInCi,
    HasAny,
    HasAll,
}

impl InOp {
    pub fn as_str(self) -> &'static str {
        match self {
            InOp::In => "in",
            InOp::NotIn => "!in",
            InOp::InCi => "in~",
            InOp::NotInCi => "!in~",
            InOp::HasAny => "has_any",
            InOp::HasAll => "has_all",
        }
    }

    pub fn is_negated(self) -> bool {
        matches!(self, InOp::NotIn | InOp::NotInCi)
    }
}

// ---------------------------------------------------------------------------
// Literals
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    pub kind: LitKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LitKind {
    Bool(bool),
    /// Integer literals (`42`, `0x2A`, `long(42)`); KQL types a bare integer as `long`.
    Long(i64),
    /// `int(5)`.
    Int(i64),
    /// `1.5`, `1e3`, `real(1.5)`, `double(nan)`, `real(+inf)`: the value is
    /// kept as written because `nan`/`inf` have no portable `f64` spelling.
    Real(SmolStr),
    /// `decimal(1.5)`: the text inside the parentheses.
    Decimal(SmolStr),
    String(StringLit),
    /// `datetime(2020-01-01)` / `date(...)`: the text inside the parentheses.
    DateTime(SmolStr),
    /// `5d`, `1.5h`, `100ms`, `time(1.00:00:00)`, `timespan(2d)`: as written
    /// (for the bare forms, the whole token).
    TimeSpan(SmolStr),
    /// `guid(...)` / `uuid(...)` / `uniqueid(...)`: the text inside the parentheses.
    Guid(SmolStr),
    /// `dynamic(...)`.
    Dynamic(Box<DynamicValue>),
    /// A typed null: `long(null)`, `datetime(null)`, `dynamic(null)` is
    /// [`LitKind::Dynamic`] with a null value instead.
    TypedNull(TypeRef),
    /// `typeof(string)`, `typeof(a: string, b: long)`: a type as a value
    /// (used by `mv-expand ... to typeof(...)` and some plug-ins).
    TypeOf(Vec<TypeOfItem>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeOfItem {
    Type(TypeRef),
    Column(ColumnDecl),
}

/// A string literal, or several adjacent literals spliced into one
/// (`"a" 'b'` is `"ab"`).
#[derive(Clone, Debug, PartialEq)]
pub struct StringLit {
    /// The value after unescaping and splicing.
    pub value: String,
    /// One span per spliced piece, in order (one entry for a single literal).
    pub parts: Vec<Span>,
    /// Any piece written as `h"..."` / `h@'...'` (obfuscated: the value must
    /// not be echoed in logs).
    pub obfuscated: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DynamicValue {
    pub kind: DynamicKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DynamicKind {
    Null,
    Array(Vec<DynamicValue>),
    /// Keys are unescaped strings (quoted or bare in the source).
    Object(Vec<(Ident, DynamicValue)>),
    /// A scalar element: number, string, bool, `datetime(...)`, `timespan`, `guid(...)`, ...
    Scalar(Literal),
}

// ---------------------------------------------------------------------------
// Tabular expressions
// ---------------------------------------------------------------------------

/// `source | op | op ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    /// `None` for the implicit-input bodies of `mv-apply ... on (...)`,
    /// `fork (...)`, `partition by X (...)` and `facet ... with (...)`, whose
    /// first operator has no leading `|`.
    pub source: Option<Expr>,
    pub ops: Vec<PipeOp>,
    pub span: Span,
}

/// One operator in a pipeline with the `|` before it.
#[derive(Clone, Debug, PartialEq)]
pub struct PipeOp {
    /// `None` for the first operator of an implicit-input body.
    pub pipe: Option<Span>,
    pub op: Operator,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Operator {
    pub kind: OperatorKind,
    /// The operator's keyword(s): `where`, `project-away`, `mv-expand`, ...
    pub keyword_span: Span,
    pub span: Span,
}

/// `name = value` operator parameters: `kind=inner`, `hint.strategy=shuffle`,
/// `withsource=TableName`, `isfuzzy=true`, `with_itemindex=i`,
/// `bagexpansion=array`, `decodeblocks=true`, ... (the name keeps its dots).
#[derive(Clone, Debug, PartialEq)]
pub struct OpParam {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// A possibly named expression in `project`, `extend`, `summarize`, `print`,
/// `serialize`, `distinct` ...: `expr`, `Name = expr` or `(A, B) = expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnExpr {
    pub names: ColumnNames,
    pub expr: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ColumnNames {
    None,
    Single(Ident),
    /// `(A, B) = f(...)` for functions that return several values.
    Tuple(Vec<Ident>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NullsOrder {
    First,
    Last,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    pub order: Option<(SortOrder, Span)>,
    pub nulls: Option<(NullsOrder, Span)>,
    pub span: Span,
}

/// `project-rename New = Old`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rename {
    pub new: Ident,
    pub old: Ident,
    pub span: Span,
}

/// `project-reorder Pattern [asc | desc | granny-asc | granny-desc]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReorderItem {
    pub pattern: NamePattern,
    pub order: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JoinCondition {
    /// `on a, $left.b == $right.c, ...` (items may also be joined with `and`;
    /// each is one expression here).
    On(Vec<Expr>),
    /// `where predicate` (used by some join forms).
    Where(Box<Expr>),
}

/// One `top-nested` clause.
#[derive(Clone, Debug, PartialEq)]
pub struct TopNestedClause {
    pub count: Option<Expr>,
    pub of: ColumnExpr,
    pub others: Option<Expr>,
    pub by: ColumnExpr,
    pub order: Option<(SortOrder, Span)>,
    pub span: Span,
}

/// `[Name =] expr [to typeof(type)]` in `mv-expand` / `mv-apply`.
#[derive(Clone, Debug, PartialEq)]
pub struct MvItem {
    pub column: ColumnExpr,
    pub to_type: Option<TypeRef>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParsePart {
    /// `*`: skip anything.
    Star(Span),
    /// A literal string the input must contain (or, for `kind=regex`, a regex).
    Literal(Literal),
    /// A column to extract, with an optional `: type`.
    Column {
        name: Ident,
        ty: Option<TypeRef>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct MakeSeriesAgg {
    pub column: ColumnExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MakeSeriesRange {
    /// `[from start] [to end] step step`.
    FromTo {
        from: Option<Expr>,
        to: Option<Expr>,
        step: Expr,
    },
    /// `in range(start, stop, step)`.
    InRange { start: Expr, stop: Expr, step: Expr },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForkBranch {
    pub name: Option<Ident>,
    /// The implicit-input pipeline inside the parentheses.
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScanStep {
    pub name: Ident,
    pub optional: bool,
    /// `output = all | last | none`.
    pub params: Vec<OpParam>,
    pub predicate: Expr,
    /// `=> Col = expr, ...`.
    pub assignments: Vec<ColumnExpr>,
    pub span: Span,
}

/// What `find` projects.
#[derive(Clone, Debug, PartialEq)]
pub enum FindProject {
    /// No project clause: Kusto's default `project-smart`.
    Default,
    ProjectSmart(Span),
    /// `project Col[:type], ..., pack_all()`: names (`Col: type` is a
    /// `SearchColon` binary whose right side names the type), `*`, and the
    /// calls `pack(*)` / `pack_all()`.
    Project(Vec<Expr>),
}

/// One element of a graph pattern: `(n)`, `-[e]->`, `<-[e*1..3]-`, `--`, `-->`.
#[derive(Clone, Debug, PartialEq)]
pub enum GraphPatternElement {
    Node {
        name: Option<Ident>,
        span: Span,
    },
    Edge {
        name: Option<Ident>,
        direction: EdgeDirection,
        range: Option<(Expr, Expr)>,
        span: Span,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EdgeDirection {
    /// `-[...]->`, `-->`.
    Right,
    /// `<-[...]-`, `<--`.
    Left,
    /// `-[...]-`, `--`.
    Any,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GraphPattern {
    pub elements: Vec<GraphPatternElement>,
    pub span: Span,
}

/// `nodes [as Name] [with_node_id = Col]` / `edges [as Name]` in `graph-to-table`.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphToTableOutput {
    pub entity: Ident,
    pub as_name: Option<Ident>,
    pub params: Vec<OpParam>,
    pub span: Span,
}

/// What an operator does, with its clauses.
///
/// A pipeline stores its operators inline in one `Vec`, so every operator
/// costs the size of the largest variant: a clause that would make a
/// variant bigger than a `where` (one [`Expr`]) is boxed, which keeps a
/// million-operator pipeline in a few hundred bytes per operator.
#[derive(Clone, Debug, PartialEq)]
pub enum OperatorKind {
    /// An operator that could not be parsed; recovery skipped to the next `|`.
    Error,

    /// `where` / `filter`.
    Where(Expr),
    Project(Vec<ColumnExpr>),
    ProjectAway(Vec<NamePattern>),
    ProjectKeep(Vec<NamePattern>),
    ProjectRename(Vec<Rename>),
    ProjectReorder(Vec<ReorderItem>),
    /// `project-by-names` (rare, C# parser only).
    ProjectByNames(Vec<Expr>),
    Extend(Vec<ColumnExpr>),
    Summarize {
        params: Vec<OpParam>,
        aggregates: Vec<ColumnExpr>,
        by: Vec<ColumnExpr>,
        by_span: Option<Span>,
    },
    /// `distinct *` is a single `ExprKind::Star` column.
    Distinct {
        params: Vec<OpParam>,
        columns: Vec<ColumnExpr>,
    },
    Count {
        as_name: Option<Ident>,
    },
    /// `take` / `limit`.
    Take {
        params: Vec<OpParam>,
        count: Box<Expr>,
    },
    Top {
        params: Vec<OpParam>,
        count: Box<Expr>,
        by: Box<SortKey>,
    },
    TopNested(Vec<TopNestedClause>),
    TopHitters {
        count: Box<Expr>,
        of: Box<Expr>,
        by: Option<Box<Expr>>,
    },
    /// `sort by` / `order by`.
    Sort {
        params: Vec<OpParam>,
        keys: Vec<SortKey>,
    },
    Join {
        params: Vec<OpParam>,
        right: Box<Expr>,
        condition: Option<JoinCondition>,
    },
    Lookup {
        params: Vec<OpParam>,
        right: Box<Expr>,
        condition: Option<JoinCondition>,
    },
    /// As a pipe operator the input is the first table; as a source it is not.
    Union {
        params: Vec<OpParam>,
        tables: Vec<Expr>,
    },
    MvExpand {
        params: Vec<OpParam>,
        items: Vec<MvItem>,
        limit: Option<Box<Expr>>,
    },
    MvApply {
        params: Vec<OpParam>,
        items: Vec<MvItem>,
        limit: Option<Box<Expr>>,
        /// The implicit-input subquery after `on`.
        on: Box<Expr>,
    },
    /// `parse` and `parse-where` (`where_form` = true).
    Parse {
        where_form: bool,
        params: Vec<OpParam>,
        input: Box<Expr>,
        pattern: Vec<ParsePart>,
    },
    ParseKv {
        input: Box<Expr>,
        columns: Vec<ColumnDecl>,
        /// `with (pair_delimiter = ..., kv_delimiter = ..., quote = ..., ...)`.
        with: Vec<OpParam>,
    },
    Evaluate {
        params: Vec<OpParam>,
        /// Always an `ExprKind::Call` when well formed.
        call: Box<Expr>,
        /// `: (col: type, ...)`: the output schema some plug-ins accept.
        schema: Option<Vec<ColumnDecl>>,
        /// The `*` of `: (*, col: type)`: the plug-in's own columns come
        /// first.
        schema_star: Option<Span>,
    },
    MakeSeries {
        params: Vec<OpParam>,
        aggregates: Vec<MakeSeriesAgg>,
        on: Box<Expr>,
        range: Option<Box<MakeSeriesRange>>,
        by: Vec<ColumnExpr>,
    },
    Render {
        chart: Ident,
        /// The legacy properties in their order (`kind = stacked`,
        /// `title = "x"`, `accumulate = true`, `with "x"`, and `by a, b`: one
        /// `by` entry per column, whose value is the column's name), then
        /// those of `with (title = "x", ...)`.
        props: Vec<OpParam>,
    },
    As {
        params: Vec<OpParam>,
        name: Ident,
    },
    Invoke(Expr),
    Serialize(Vec<ColumnExpr>),
    Sample(Expr),
    SampleDistinct {
        count: Box<Expr>,
        of: Box<Expr>,
    },
    Search {
        params: Vec<OpParam>,
        /// `in (T1, T2, ...)`.
        tables: Option<Vec<Expr>>,
        predicate: Box<Expr>,
    },
    Find {
        params: Vec<OpParam>,
        tables: Option<Vec<Expr>>,
        predicate: Box<Expr>,
        project: FindProject,
    },
    Fork(Vec<ForkBranch>),
    Facet {
        columns: Vec<Ident>,
        /// `with (subquery)` or `with *` (then `ExprKind::Star`).
        with: Option<Box<Expr>>,
    },
    Partition {
        params: Vec<OpParam>,
        by: Ident,
        /// `( subquery )` (implicit input) or `{ subquery }`.
        body: Box<Expr>,
    },
    Scan {
        params: Vec<OpParam>,
        declare: Vec<Param>,
        steps: Vec<ScanStep>,
    },
    Reduce {
        by: Box<Expr>,
        params: Vec<OpParam>,
    },
    GetSchema,
    Consume(Vec<OpParam>),
    Print(Vec<ColumnExpr>),
    Range {
        name: Ident,
        from: Box<Expr>,
        to: Box<Expr>,
        step: Box<Expr>,
    },
    DataTable {
        params: Vec<OpParam>,
        schema: Vec<ColumnDecl>,
        values: Vec<Expr>,
    },
    ExternalData {
        params: Vec<OpParam>,
        schema: Vec<ColumnDecl>,
        uris: Vec<Expr>,
        with: Vec<OpParam>,
    },
    AssertSchema(Vec<ColumnDecl>),
    MakeGraph {
        params: Vec<OpParam>,
        source: Box<Expr>,
        direction: EdgeDirection,
        target: Box<Expr>,
        /// `with Nodes on Id, ...`.
        with: Vec<(Expr, Ident)>,
        partitioned_by: Option<Box<(Ident, Expr)>>,
    },
    GraphMatch {
        params: Vec<OpParam>,
        patterns: Vec<GraphPattern>,
        where_clause: Option<Box<Expr>>,
        project: Vec<ColumnExpr>,
    },
    GraphShortestPaths {
        params: Vec<OpParam>,
        patterns: Vec<GraphPattern>,
        where_clause: Option<Box<Expr>>,
        project: Vec<ColumnExpr>,
    },
    GraphToTable(Vec<GraphToTableOutput>),
    GraphMarkComponents(Vec<OpParam>),
    GraphWhereNodes(Expr),
    GraphWhereEdges(Expr),
    /// `macro-expand [params] EntityGroup as Name ( subquery )`.
    MacroExpand {
        params: Vec<OpParam>,
        entity_group: Box<Expr>,
        name: Ident,
        body: Box<Expr>,
    },
    /// `materialized-view-combine (...)`, `__executeAndCache` and other rare
    /// or internal operators kept as their arguments so nothing is lost.
    Other {
        name: SmolStr,
        args: Vec<Expr>,
    },
}

impl OperatorKind {
    /// The operator's name as users write it (`where`, `project-away`, ...).
    pub fn name(&self) -> &str {
        use OperatorKind::*;
        match self {
            Error => "<error>",
            Where(_) => "where",
            Project(_) => "project",
            ProjectAway(_) => "project-away",
            ProjectKeep(_) => "project-keep",
            ProjectRename(_) => "project-rename",
            ProjectReorder(_) => "project-reorder",
            ProjectByNames(_) => "project-by-names",
            Extend(_) => "extend",
            Summarize { .. } => "summarize",
            Distinct { .. } => "distinct",
            Count { .. } => "count",
            Take { .. } => "take",
            Top { .. } => "top",
            TopNested(_) => "top-nested",
            TopHitters { .. } => "top-hitters",
            Sort { .. } => "sort",
            Join { .. } => "join",
            Lookup { .. } => "lookup",
            Union { .. } => "union",
            MvExpand { .. } => "mv-expand",
            MvApply { .. } => "mv-apply",
            Parse {
                where_form: false, ..
            } => "parse",
            Parse {
                where_form: true, ..
            } => "parse-where",
            ParseKv { .. } => "parse-kv",
            Evaluate { .. } => "evaluate",
            MakeSeries { .. } => "make-series",
            Render { .. } => "render",
            As { .. } => "as",
            Invoke(_) => "invoke",
            Serialize(_) => "serialize",
            Sample(_) => "sample",
            SampleDistinct { .. } => "sample-distinct",
            Search { .. } => "search",
            Find { .. } => "find",
            Fork(_) => "fork",
            Facet { .. } => "facet",
            Partition { .. } => "partition",
            Scan { .. } => "scan",
            Reduce { .. } => "reduce",
            GetSchema => "getschema",
            Consume(_) => "consume",
            Print(_) => "print",
            Range { .. } => "range",
            DataTable { .. } => "datatable",
            ExternalData { .. } => "externaldata",
            AssertSchema(_) => "assert-schema",
            MakeGraph { .. } => "make-graph",
            GraphMatch { .. } => "graph-match",
            GraphShortestPaths { .. } => "graph-shortest-paths",
            GraphToTable(_) => "graph-to-table",
            GraphMarkComponents(_) => "graph-mark-components",
            GraphWhereNodes(_) => "graph-where-nodes",
            GraphWhereEdges(_) => "graph-where-edges",
            MacroExpand { .. } => "macro-expand",
            Other { name, .. } => name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(p: &str) -> NamePattern {
        NamePattern {
            pattern: p.into(),
            span: Span::default(),
        }
    }

    /// A pipeline holds its operators inline (`Vec<PipeOp>`) and the
    /// binder walks them in place, so these sizes are the memory per
    /// operator of a huge pipeline (and of its doubling reallocations):
    /// boxing a new variant's large clauses keeps them within bounds.
    #[test]
    fn operators_and_expressions_stay_small() {
        use std::mem::size_of;
        assert!(size_of::<Expr>() <= 88, "Expr: {}", size_of::<Expr>());
        assert!(
            size_of::<OperatorKind>() <= 96,
            "OperatorKind: {}",
            size_of::<OperatorKind>()
        );
        assert!(
            size_of::<Operator>() <= 112,
            "Operator: {}",
            size_of::<Operator>()
        );
        assert!(
            size_of::<PipeOp>() <= 128,
            "PipeOp: {}",
            size_of::<PipeOp>()
        );
    }

    #[test]
    fn wildcard_patterns_match_like_kusto() {
        assert!(pat("Initiating*").matches("InitiatingProcessId"));
        assert!(pat("*Id").matches("DeviceId"));
        assert!(pat("*Process*").matches("InitiatingProcessId"));
        assert!(pat("a*b*c").matches("abc"));
        assert!(pat("a*b*c").matches("aXXbYYc"));
        assert!(!pat("a*b*c").matches("acb"));
        assert!(!pat("ab*ba").matches("aba"));
        assert!(pat("Exact").matches("Exact"));
        assert!(!pat("Exact").matches("exact"));
        assert!(pat("*").matches(""));
    }
}
