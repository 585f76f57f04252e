//! The binder: scopes, name resolution, expression types and the row schema
//! through every operator.
//!
//! Modelled on Kusto.Language's binder (`Binder_*.cs`): a query is bound
//! statement by statement; `let` functions are bound once where they are
//! declared (with their declared parameter types, for diagnostics) and
//! again at each call with the arguments' types (expansion, for the result
//! schema), memoised and guarded against recursion.

mod expr;
mod fuzzy;
mod knowledge;
mod tabular;

pub(crate) use expr::suggest;

use crate::budget::Budget;
use crate::fx::FxMap;
use crate::names::Ids;
use crate::ty::{Column, Openness, Origin, Schema, Ty};
use crate::{
    Analysis, LetInfo, LetKind, NameRef, Narrowing, OperatorInfo, Options, QueryResult, Resolved,
};
use kql_schema::Catalog;
use kql_syntax::Parse;
use kql_syntax::Span;
use kql_syntax::ast::{self, Expr, FunctionDef, LetValue, ParamType, Statement};
use kqlint_diagnostics::{Diagnostic, RuleMeta, Severity};
use smol_str::SmolStr;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;

/// A tabular value: its row schema and the ActionType narrowing of its rows.
#[derive(Clone, Debug)]
pub(crate) struct Tab {
    pub schema: Schema,
    pub narrow: Option<Arc<Narrowing>>,
}

impl Tab {
    pub fn new(schema: Schema) -> Tab {
        Tab {
            schema,
            narrow: None,
        }
    }

    pub fn open() -> Tab {
        Tab::new(Schema::unknown())
    }
}

/// The value of an expression.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    Scalar(Ty),
    Table(Tab),
    /// Several values at once (`arg_max(...)`, `percentiles(...)`,
    /// `series_stats(...)`): one column each.
    Tuple(Vec<Column>),
    /// Could not be bound (a syntax error, an unknown name already
    /// reported): anything goes, nothing more is reported.
    Any,
}

impl Val {
    pub fn ty(&self) -> Ty {
        match self {
            Val::Scalar(t) => *t,
            Val::Tuple(cols) => cols.first().map_or(Ty::Unknown, |c| c.ty),
            _ => Ty::Unknown,
        }
    }
}

/// What binding an expression yields.
#[derive(Clone, Debug)]
pub(crate) struct Out {
    pub val: Val,
    /// The column the expression refers to directly (a name, `$left.x`).
    pub col: Option<Column>,
    /// The column the expression stands for (through parentheses and no-op
    /// conversions such as `tostring(StringColumn)`): Kusto's `GetResultColumn`.
    pub result_col: Option<Column>,
    /// A literal (or literal-valued `let`) string.
    pub string: Option<SmolStr>,
    /// A constant expression (for `int` folding).
    pub constant: bool,
}

impl Out {
    pub fn val(val: Val) -> Out {
        Out {
            val,
            col: None,
            result_col: None,
            string: None,
            constant: false,
        }
    }
    pub fn scalar(t: Ty) -> Out {
        Out::val(Val::Scalar(t))
    }
    pub fn any() -> Out {
        Out::val(Val::Any)
    }
    pub fn ty(&self) -> Ty {
        self.val.ty()
    }
}

/// A user function (`let f = (...) {...}` or a view).
pub(crate) struct FuncSym<'a> {
    pub name: SmolStr,
    pub def: &'a FunctionDef,
    pub env: Env<'a>,
    pub id: usize,
}

#[derive(Clone)]
pub(crate) enum Sym<'a> {
    Scalar {
        ty: Ty,
        string: Option<SmolStr>,
    },
    Table(Tab, Rc<BTreeSet<SmolStr>>),
    Func(Rc<FuncSym<'a>>),
    /// A declared pattern, or a value that could not be bound.
    Unknown,
}

/// Where a name in scope comes from.
#[derive(Clone, Copy)]
pub(crate) enum Decl {
    Let {
        span: Span,
        id: usize,
    },
    Param {
        span: Span,
        id: Option<usize>,
    },
    /// Introduced by the binder itself (a function parameter during expansion).
    Hidden,
}

pub(crate) struct Node<'a> {
    pub name: SmolStr,
    pub sym: Sym<'a>,
    pub decl: Decl,
    /// Scope depth: names of the same depth clash (duplicate `let`).
    pub depth: u32,
    pub next: Env<'a>,
}

/// A persistent scope chain (function closures keep theirs).
pub(crate) type Env<'a> = Option<Rc<Node<'a>>>;

pub(crate) fn env_push<'a>(
    env: &Env<'a>,
    name: SmolStr,
    sym: Sym<'a>,
    decl: Decl,
    depth: u32,
) -> Env<'a> {
    Some(Rc::new(Node {
        name,
        sym,
        decl,
        depth,
        next: env.clone(),
    }))
}

pub(crate) fn env_lookup<'e, 'a>(env: &'e Env<'a>, name: &str) -> Option<&'e Node<'a>> {
    let mut cur = env.as_deref();
    while let Some(n) = cur {
        if n.name == name {
            return Some(n);
        }
        cur = n.next.as_deref();
    }
    None
}

pub(crate) fn env_names<'e>(env: &'e Env<'_>) -> Vec<&'e str> {
    let mut out = Vec::new();
    let mut cur = env.as_deref();
    while let Some(n) = cur {
        if !matches!(n.decl, Decl::Hidden) {
            out.push(n.name.as_str());
        }
        cur = n.next.as_deref();
    }
    out
}

/// The binding context of an expression.
#[derive(Clone)]
pub(crate) struct Cx<'a> {
    pub env: Env<'a>,
    /// The current row (columns in scope).
    pub row: Option<Tab>,
    /// The right side of a `join`/`lookup` (for `$right`).
    pub right: Option<Tab>,
    /// Aggregates are allowed (`summarize`, `make-series`, `top-nested`).
    pub agg: bool,
    /// The columns of the `summarize ... by` clause (ids), for `arg_max(x, *)`.
    pub by_ids: Rc<Vec<u32>>,
    /// Scope depth for `let`s.
    pub depth: u32,
    /// Unknown names are not reported (search predicates, ...).
    pub lenient: bool,
}

impl<'a> Cx<'a> {
    pub fn new(env: Env<'a>) -> Cx<'a> {
        Cx {
            env,
            row: None,
            right: None,
            agg: false,
            by_ids: Rc::new(Vec::new()),
            depth: 0,
            lenient: false,
        }
    }

    pub fn with_row(&self, row: &Tab) -> Cx<'a> {
        Cx {
            row: Some(row.clone()),
            right: None,
            agg: false,
            ..self.clone()
        }
    }

    pub fn no_row(&self) -> Cx<'a> {
        Cx {
            row: None,
            right: None,
            agg: false,
            ..self.clone()
        }
    }
}

/// Facts kept for naming output columns after the fact (Kusto reads them
/// from the bound tree).
#[derive(Clone, Debug)]
pub(crate) enum Fact {
    /// A call of a built-in function, with its naming rule.
    Call {
        kind: kql_schema::ResultNameKind,
        prefix: Option<SmolStr>,
        name: SmolStr,
    },
}

type MemoKey = (usize, Vec<ArgKey>);

#[derive(Clone, PartialEq, Eq, Hash)]
enum ArgKey {
    Ty(Ty, Option<SmolStr>),
    Table(usize, usize),
    Any,
}

pub(crate) struct Binder<'a> {
    pub src: &'a str,
    pub catalog: &'a Catalog,
    pub opts: &'a Options,
    pub diags: Vec<Diagnostic>,
    /// Past `opts.max_diagnostics`: how many more, and the worst severity.
    dropped: usize,
    dropped_worst: Option<Severity>,
    pub names: Vec<NameRef>,
    pub operators: Vec<OperatorInfo>,
    pub lets: Vec<LetInfo>,
    pub ids: Ids,
    /// Tables read, one set per binding frame (a `let` value, a function
    /// declaration, the query).
    pub frames: Vec<BTreeSet<SmolStr>>,
    table_cache: FxMap<SmolStr, Schema>,
    pub facts: FxMap<Span, Fact>,
    /// The type of the receiver of each `x.y` / `x[...]`, by the receiver's
    /// span (apart from `facts`: a receiver may be a call, `parse_json(x).y`,
    /// whose naming fact must survive).
    pub recv: FxMap<Span, Ty>,
    /// >0 while expanding a function call: nothing is reported or recorded.
    pub quiet: u32,
    expanding: Vec<usize>,
    memo: FxMap<MemoKey, (Val, BTreeSet<SmolStr>, Vec<Tab>)>,
    next_func: usize,
    depth: u32,
    /// Spans already reported as not populated (one warning per place).
    pub reported: std::collections::HashSet<(u32, u32)>,
    /// Words of the text the parser could not parse: an unknown name among
    /// them is most likely declared there (a cascade of the syntax error),
    /// so it is not reported.
    pub broken_words: std::collections::HashSet<&'a str>,
    /// Where the parser's errors start: a `let` whose text holds one has a
    /// guessed value, so its type and columns are not trusted downstream.
    error_starts: Vec<u32>,
    /// Names bound by the `as` operator: its input, where the name is
    /// declared and the tables read by then. Kusto makes them visible to
    /// everything bound after it, later statements included.
    pub as_names: FxMap<SmolStr, (Tab, Span, Rc<BTreeSet<SmolStr>>)>,
    /// The query, for [`Binder::declared_in_query`].
    query: &'a ast::Query,
    /// Every name a `let` or `as` declares anywhere in the query, computed
    /// the first time an unknown name is reported.
    declared: std::cell::OnceCell<std::collections::HashSet<SmolStr>>,
    /// The `isfuzzy=true` of each `union` whose leg is being bound,
    /// innermost last ([`fuzzy`]).
    fuzzy: Vec<Span>,
    /// The `let` names used only as legs of fuzzy unions, with the union's
    /// `isfuzzy=true`.
    fuzzy_names: FxMap<SmolStr, Span>,
    /// The limits on row width and work, and the interrupt.
    pub budget: Budget,
    /// Where binding is (the statement, then the operator), for the place
    /// of an `analysis-limit` diagnostic.
    pub cursor: Span,
}

/// Collects the spans of the parser's `Error` nodes.
struct ErrorSpans(Vec<Span>);

impl kql_syntax::visit::Visitor<'_> for ErrorSpans {
    fn visit_statement(&mut self, s: &Statement) {
        if let Statement::Error(sp) = s {
            self.0.push(*sp);
        }
        kql_syntax::visit::walk_statement(self, s);
    }
    fn visit_expr(&mut self, e: &Expr) {
        if let ast::ExprKind::Error = e.kind {
            self.0.push(e.span);
        }
        kql_syntax::visit::walk_expr(self, e);
    }
    fn visit_operator(&mut self, op: &ast::Operator) {
        if let ast::OperatorKind::Error = op.kind {
            self.0.push(op.span);
        }
        kql_syntax::visit::walk_operator(self, op);
    }
}

fn broken_words<'s>(parse: &Parse, src: &'s str) -> std::collections::HashSet<&'s str> {
    let mut words = std::collections::HashSet::new();
    if parse.errors.is_empty() {
        return words;
    }
    let mut v = ErrorSpans(Vec::new());
    kql_syntax::visit::Visitor::visit_query(&mut v, &parse.query);
    for e in &parse.errors {
        v.0.push(e.span);
        // `... | parse x with "a" b\n\nlet Name = ...`: the operator before
        // took `let Name` as more of its own text and the parser stopped at
        // `=`. The word before an unexpected `=` is a name being declared.
        let at = e.span.start as usize;
        let rest = src.get(at..).unwrap_or("");
        if rest.starts_with('=') && !rest.starts_with("==") {
            let before = src.get(..at).unwrap_or("").trim_end();
            let start = before
                .char_indices()
                .rev()
                .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |(i, c)| i + c.len_utf8());
            if start < before.len() {
                words.insert(&before[start..]);
            }
        }
    }
    for sp in v.0 {
        let text = sp.text(src);
        for w in text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')) {
            if !w.is_empty() {
                words.insert(w);
            }
        }
    }
    words
}

impl Binder<'_> {
    /// Whether a `let` or `as` of the query declares `n` somewhere: a name
    /// used out of its scope (before its statement, or inside its own body)
    /// is a mistake, not a workspace function kqlint does not know.
    pub(super) fn declared_in_query(&self, n: &str) -> bool {
        self.declared
            .get_or_init(|| {
                let mut v = Declared::default();
                kql_syntax::visit::Visitor::visit_query(&mut v, self.query);
                v.0
            })
            .contains(n)
    }
}

/// Collects the names `let` statements (nested ones included) and `as`
/// operators declare.
#[derive(Default)]
struct Declared(std::collections::HashSet<SmolStr>);

impl kql_syntax::visit::Visitor<'_> for Declared {
    fn visit_statement(&mut self, s: &Statement) {
        if let Statement::Let(l) = s {
            self.0.insert(l.name.name.clone());
        }
        kql_syntax::visit::walk_statement(self, s);
    }
    fn visit_operator(&mut self, op: &ast::Operator) {
        if let ast::OperatorKind::As { name, .. } = &op.kind {
            self.0.insert(name.name.clone());
        }
        kql_syntax::visit::walk_operator(self, op);
    }
}

/// How deep expressions may nest in the binder before it stops looking
/// (the parser bounds trees well below this).
const MAX_BIND_DEPTH: u32 = 4000;

impl<'a> Binder<'a> {
    pub fn run(
        parse: &'a Parse,
        src: &'a str,
        catalog: &'a Catalog,
        opts: &'a Options,
    ) -> Analysis {
        let mut b = Binder {
            src,
            catalog,
            opts,
            diags: Vec::new(),
            dropped: 0,
            dropped_worst: None,
            names: Vec::new(),
            operators: Vec::new(),
            lets: Vec::new(),
            ids: Ids::default(),
            frames: vec![BTreeSet::new()],
            table_cache: FxMap::default(),
            facts: FxMap::default(),
            recv: FxMap::default(),
            quiet: 0,
            expanding: Vec::new(),
            memo: FxMap::default(),
            next_func: 0,
            depth: 0,
            reported: Default::default(),
            broken_words: broken_words(parse, src),
            error_starts: parse.errors.iter().map(|e| e.span.start).collect(),
            as_names: FxMap::default(),
            query: &parse.query,
            declared: std::cell::OnceCell::new(),
            fuzzy: Vec::new(),
            fuzzy_names: if src.contains("isfuzzy") {
                fuzzy::fuzzy_only_names(&parse.query)
            } else {
                FxMap::default()
            },
            budget: Budget::new(opts.max_row_width, opts.max_work, opts.interrupt.clone()),
            cursor: Span::empty(0),
        };
        let result = b.statements(&parse.query.statements, &Cx::new(None), true);
        let tables: Vec<SmolStr> = b.frames.pop().unwrap_or_default().into_iter().collect();
        let mut diags = b.diags;
        // Past the cap and while expanding functions too: it says what the
        // analysis did not check.
        diags.extend(b.budget.diagnostic());
        kqlint_diagnostics::sort_diagnostics(&mut diags);
        diags.dedup_by(|a, b| a.span == b.span && a.code == b.code && a.message == b.message);
        let result = match result {
            Some(Val::Table(t)) => QueryResult::Table(t.schema),
            Some(Val::Scalar(t)) => QueryResult::Scalar(t),
            Some(Val::Tuple(cols)) => {
                QueryResult::Scalar(cols.first().map_or(Ty::Unknown, |c| c.ty))
            }
            Some(Val::Any) => QueryResult::Table(Schema::unknown()),
            None => QueryResult::None,
        };
        // Both are mostly recorded in source order: sort (which allocates
        // scratch space for half of them) only when they are not.
        let mut names = b.names;
        if !names.is_sorted_by_key(|n| (n.span.start, n.span.end)) {
            names.sort_by_key(|n| (n.span.start, n.span.end));
        }
        names.dedup_by(|a, b| a.span == b.span);
        let mut operators = b.operators;
        if !operators.is_sorted_by_key(|o| (o.span.start, o.span.end)) {
            operators.sort_by_key(|o| (o.span.start, o.span.end));
        }
        Analysis {
            diagnostics: diags,
            result,
            tables,
            names,
            operators,
            lets: b.lets,
            dropped: b.dropped,
            dropped_worst: b.dropped_worst,
            limit: b.budget.hit.map(|(l, _)| l),
        }
    }

    // ----------------------------------------------------------- reporting

    pub fn report(&mut self, d: Diagnostic) {
        if self.quiet > 0 {
            return;
        }
        let d = self.soften_in_fuzzy_leg(d);
        if self.diags.len() < self.opts.max_diagnostics {
            self.diags.push(d);
        } else {
            self.dropped += 1;
            self.dropped_worst = self.dropped_worst.max(Some(d.severity));
        }
    }

    pub fn diag(&mut self, meta: &'static RuleMeta, span: Span, msg: impl Into<String>) {
        self.report(Diagnostic::new(meta, span, msg));
    }

    pub fn record(&mut self, span: Span, name: &SmolStr, resolved: Resolved) {
        if self.quiet == 0 && self.opts.record {
            self.names.push(NameRef {
                span,
                name: name.clone(),
                resolved,
            });
        }
    }

    pub fn reference_let(&mut self, decl: Decl, span: Span) {
        if self.quiet > 0 {
            return;
        }
        let id = match decl {
            Decl::Let { id, .. } => Some(id),
            Decl::Param { id, .. } => id,
            Decl::Hidden => None,
        };
        if let Some(l) = id.and_then(|i| self.lets.get_mut(i)) {
            l.references.push(span);
        }
    }

    pub fn read_table(&mut self, name: &str) {
        if let Some(f) = self.frames.last_mut()
            && !f.contains(name)
        {
            f.insert(name.into());
        }
    }

    /// Runs `f` one level deeper, growing the stack when needed; `None`
    /// past the depth limit, and once the budget is spent or the analysis
    /// is interrupted (see [`crate::budget`]).
    pub fn deeper<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> Option<T> {
        if self.depth >= MAX_BIND_DEPTH || !self.budget.step(self.cursor) {
            return None;
        }
        self.depth += 1;
        let r = stacker::maybe_grow(64 * 1024, 1024 * 1024, || f(self));
        self.depth -= 1;
        Some(r)
    }

    // -------------------------------------------------------------- tables

    /// The row schema of a catalogue table (columns keep the table as origin).
    pub fn table_schema(&mut self, name: &str) -> Option<Schema> {
        if let Some(s) = self.table_cache.get(name) {
            return Some(s.clone());
        }
        let t = self.catalog.table(name)?;
        // With the platform only assumed, a column typed differently on the
        // other platform (Defender XDR's `AdditionalFields` is a string,
        // Sentinel's is dynamic) gets no type: neither is certain.
        let other = if self.opts.platform_assumed && !self.catalog.is_user_table(name) {
            knowledge::other(self.catalog.platform())
                .and_then(|p| self.catalog.bundled_table_on(p, name))
        } else {
            None
        };
        let cols = t
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                ty: match other.and_then(|o| o.column(&c.name)) {
                    Some(oc) if oc.ty != c.ty => Ty::Unknown,
                    _ => Ty::from_scalar(c.ty),
                },
                origin: Some(Arc::new(Origin {
                    table: t.name.clone(),
                    column: c.name.clone(),
                })),
                hidden: c.hidden,
                id: self.ids.next(),
            })
            .collect();
        let s = Schema::new(cols, Self::table_openness(t));
        self.table_cache.insert(name.into(), s.clone());
        Some(s)
    }

    pub fn new_col(&mut self, name: impl Into<SmolStr>, ty: Ty) -> Column {
        Column {
            name: name.into(),
            ty,
            origin: None,
            hidden: false,
            id: self.ids.next(),
        }
    }

    /// A schema of fresh columns from `name: type` declarations.
    pub fn decl_schema(&mut self, decls: &[ast::ColumnDecl]) -> Vec<Column> {
        let mut cols: Vec<Column> = Vec::new();
        for d in decls {
            if cols.iter().any(|c| c.name == d.name.name) {
                self.diag(
                    &crate::rules::DUPLICATE_COLUMN,
                    d.name.span,
                    format!("the column `{}` is declared twice", d.name.name),
                );
                continue;
            }
            let ty = Ty::parse(&d.ty.name).unwrap_or(Ty::Unknown);
            let c = self.new_col(d.name.name.clone(), ty);
            cols.push(c);
        }
        cols
    }

    // ---------------------------------------------------------- statements

    /// Binds a statement list (a query or a function body); returns the
    /// value of the last expression statement.
    pub fn statements(&mut self, stmts: &'a [Statement], cx: &Cx<'a>, top: bool) -> Option<Val> {
        let mut env = cx.env.clone();
        let mut result = None;
        let mut depth = cx.depth + 1;
        let mut after_query = false;
        for s in stmts {
            // After a query statement of a file's top level, the `let`s that
            // follow start the next query (a query file holds several,
            // separated by blank lines): they may declare the same names
            // again. The earlier ones stay visible, as in a batch.
            if top && after_query && matches!(s, Statement::Let(_)) {
                depth += 1;
            }
            after_query = matches!(s, Statement::Expr(_));
            if self.depth == 0 {
                self.cursor = s.span();
            }
            let scx = Cx {
                env: env.clone(),
                depth,
                ..cx.clone()
            };
            match s {
                Statement::Let(l) => {
                    env = self.let_stmt(l, &scx);
                }
                Statement::DeclareQueryParameters(d) => {
                    for p in &d.params {
                        let (sym, ty) = self.param_sym(p, &scx);
                        let id = self.lets.len();
                        if self.quiet == 0 {
                            self.lets.push(LetInfo {
                                name: p.name.name.clone(),
                                name_span: p.name.span,
                                span: p.span,
                                kind: LetKind::QueryParameter,
                                ty,
                                references: Vec::new(),
                            });
                        }
                        let decl = Decl::Param {
                            span: p.name.span,
                            id: (self.quiet == 0).then_some(id),
                        };
                        env = env_push(&env, p.name.name.clone(), sym, decl, depth);
                    }
                }
                Statement::DeclarePattern(p) => {
                    env = env_push(
                        &env,
                        p.name.name.clone(),
                        Sym::Unknown,
                        Decl::Param {
                            span: p.name.span,
                            id: None,
                        },
                        depth,
                    );
                }
                Statement::Expr(e) => {
                    // A bare name as a whole statement is a table or a
                    // function (there are no columns here): an unknown one is
                    // reported as such.
                    let unknown_name = match &e.kind {
                        ast::ExprKind::Name(id) => {
                            cx.row.is_none()
                                && env_lookup(&scx.env, &id.name).is_none()
                                && !self.as_names.contains_key(&id.name)
                        }
                        _ => false,
                    };
                    let out = if unknown_name {
                        Out::val(Val::Table(self.tabular(e, &scx)))
                    } else {
                        self.value(e, &scx)
                    };
                    // a statement the parser could not make sense of (`| extend`
                    // after a stray `;`) does not replace the query's result
                    if !is_broken_statement(e) {
                        result = Some(out.val);
                    }
                }
                Statement::Set(_)
                | Statement::Alias(_)
                | Statement::Restrict(_)
                | Statement::Error(_) => {}
            }
        }
        result
    }

    fn let_stmt(&mut self, l: &'a ast::LetStmt, cx: &Cx<'a>) -> Env<'a> {
        let name = l.name.name.clone();
        // duplicate in the same scope
        if let Some(n) = env_lookup(&cx.env, &name)
            && n.depth == cx.depth
            && !matches!(n.decl, Decl::Hidden)
        {
            let mut d = Diagnostic::new(
                &crate::rules::DUPLICATE_LET,
                l.name.span,
                format!("`{name}` is already declared in this scope"),
            );
            if let Decl::Let { span, .. } | Decl::Param { span, .. } = n.decl {
                d = d.with_label(span, "first declared here");
            }
            self.report(d);
        }
        let id = self.lets.len();
        let recorded = self.quiet == 0;
        if recorded {
            self.lets.push(LetInfo {
                name: name.clone(),
                name_span: l.name.span,
                span: l.span,
                kind: LetKind::Scalar,
                ty: Ty::Unknown,
                references: Vec::new(),
            });
        }
        let decl = if recorded {
            Decl::Let {
                span: l.name.span,
                id,
            }
        } else {
            Decl::Hidden
        };
        // a `let` used only as a leg of `union isfuzzy=true`
        let fuzzy = self.fuzzy_names.get(&name).copied();
        if let Some(f) = fuzzy {
            self.fuzzy.push(f);
        }
        let (sym, kind, ty) = match &l.value {
            LetValue::Function(def) | LetValue::View(def) => {
                let view = matches!(l.value, LetValue::View(_));
                let fid = self.next_func;
                self.next_func += 1;
                let f = Rc::new(FuncSym {
                    name: name.clone(),
                    def,
                    env: cx.env.clone(),
                    id: fid,
                });
                // bind the body once with the declared parameter types
                self.declare_function(&f, cx);
                (
                    Sym::Func(f),
                    if view {
                        LetKind::View
                    } else {
                        LetKind::Function
                    },
                    Ty::Unknown,
                )
            }
            LetValue::Expr(e) => {
                self.frames.push(BTreeSet::new());
                let mut out = self.value(e, cx);
                let tables = self.frames.pop().unwrap_or_default();
                if self.error_starts.iter().any(|&at| l.span.touches(at)) {
                    out.val = match out.val {
                        Val::Table(mut t) => {
                            t.schema = t.schema.with_open(Openness::Open);
                            Val::Table(t)
                        }
                        _ => Val::Any,
                    };
                }
                match out.val {
                    Val::Table(t) => (
                        Sym::Table(t, Rc::new(tables)),
                        LetKind::Tabular,
                        Ty::Unknown,
                    ),
                    Val::Scalar(ty) => {
                        // a scalar computed from tables (toscalar) reads them
                        for t in &tables {
                            self.read_table(t);
                        }
                        (
                            Sym::Scalar {
                                ty,
                                string: out.string,
                            },
                            LetKind::Scalar,
                            ty,
                        )
                    }
                    Val::Tuple(cols) => {
                        let ty = cols.first().map_or(Ty::Unknown, |c| c.ty);
                        (Sym::Scalar { ty, string: None }, LetKind::Scalar, ty)
                    }
                    Val::Any => (Sym::Unknown, LetKind::Scalar, Ty::Unknown),
                }
            }
        };
        if fuzzy.is_some() {
            self.fuzzy.pop();
        }
        if recorded && let Some(li) = self.lets.get_mut(id) {
            li.kind = kind;
            li.ty = ty;
        }
        env_push(&cx.env, name, sym, decl, cx.depth)
    }

    /// The symbol of a parameter declared with a type (and its scalar type).
    pub fn param_sym(&mut self, p: &ast::Param, _cx: &Cx<'a>) -> (Sym<'a>, Ty) {
        match &p.ty {
            ParamType::Scalar(t) => {
                let ty = Ty::parse(&t.name).unwrap_or(Ty::Unknown);
                (Sym::Scalar { ty, string: None }, ty)
            }
            ParamType::Tabular { columns, open, .. } => {
                let cols = self.decl_schema(columns);
                (
                    Sym::Table(Tab::new(Schema::new(cols, *open)), Rc::new(BTreeSet::new())),
                    Ty::Unknown,
                )
            }
        }
    }

    fn declare_function(&mut self, f: &Rc<FuncSym<'a>>, cx: &Cx<'a>) {
        let depth = cx.depth + 1;
        let mut env = f.env.clone();
        // the function itself is not in scope in its body (no recursion)
        for p in &f.def.params {
            let (sym, _) = self.param_sym(p, cx);
            if let Some(d) = &p.default {
                // defaults are literals; bind them for names and types
                let _ = self.value(d, &cx.no_row());
            }
            env = env_push(
                &env,
                p.name.name.clone(),
                sym,
                Decl::Param {
                    span: p.name.span,
                    id: None,
                },
                depth,
            );
        }
        self.frames.push(BTreeSet::new());
        let bcx = Cx {
            env,
            depth,
            ..Cx::new(None)
        };
        let _ = self.statements(&f.def.body, &bcx, false);
        self.frames.pop();
    }

    /// Calls a user function: binds its body with the arguments' types
    /// (memoised), returning the result value. `args` are the bound
    /// arguments in parameter order (`None`: left out, the default applies).
    pub fn expand(&mut self, f: &Rc<FuncSym<'a>>, args: &[Option<Out>]) -> Val {
        if self.expanding.contains(&f.id) || self.expanding.len() as u32 >= self.opts.max_call_depth
        {
            return Val::Any;
        }
        let key: MemoKey = (
            f.id,
            args.iter()
                .map(|a| match a.as_ref().map(|o| (&o.val, &o.string)) {
                    Some((Val::Scalar(t), s)) => ArgKey::Ty(*t, s.clone()),
                    Some((Val::Table(t), _)) => ArgKey::Table(
                        t.schema.addr(),
                        t.narrow.as_ref().map_or(0, |n| Arc::as_ptr(n) as usize),
                    ),
                    _ => ArgKey::Any,
                })
                .collect(),
        );
        if let Some((v, tables, _)) = self.memo.get(&key) {
            let (v, tables) = (v.clone(), tables.clone());
            for t in &tables {
                self.read_table(t);
            }
            return v;
        }
        let depth = 1000 + self.expanding.len() as u32;
        let mut env = f.env.clone();
        let mut keep = Vec::new();
        for (i, p) in f.def.params.iter().enumerate() {
            let arg = args.get(i).cloned().flatten();
            let sym = match (arg, &p.ty) {
                (Some(o), _) => match o.val {
                    Val::Table(t) => {
                        keep.push(t.clone());
                        Sym::Table(t, Rc::new(BTreeSet::new()))
                    }
                    Val::Scalar(ty) => Sym::Scalar {
                        ty,
                        string: o.string,
                    },
                    Val::Tuple(c) => Sym::Scalar {
                        ty: c.first().map_or(Ty::Unknown, |c| c.ty),
                        string: None,
                    },
                    Val::Any => Sym::Unknown,
                },
                (None, ParamType::Scalar(t)) => Sym::Scalar {
                    ty: Ty::parse(&t.name).unwrap_or(Ty::Unknown),
                    string: None,
                },
                (None, ParamType::Tabular { .. }) => Sym::Unknown,
            };
            env = env_push(&env, p.name.name.clone(), sym, Decl::Hidden, depth);
        }
        self.expanding.push(f.id);
        self.quiet += 1;
        self.frames.push(BTreeSet::new());
        let bcx = Cx {
            env,
            depth,
            ..Cx::new(None)
        };
        let v = self
            .statements(&f.def.body, &bcx, false)
            .unwrap_or(Val::Any);
        let tables = self.frames.pop().unwrap_or_default();
        self.quiet -= 1;
        self.expanding.pop();
        for t in &tables {
            self.read_table(t);
        }
        self.memo.insert(key, (v.clone(), tables, keep));
        v
    }
}

/// An expression statement that starts with what could not be parsed.
fn is_broken_statement(e: &Expr) -> bool {
    match &e.kind {
        ast::ExprKind::Error => true,
        ast::ExprKind::Pipeline(p) => p
            .source
            .as_ref()
            .is_none_or(|s| matches!(s.kind, ast::ExprKind::Error)),
        _ => false,
    }
}

/// The text of a string literal expression, if it is one.
pub(crate) fn literal_string(e: &Expr) -> Option<&str> {
    match &e.kind {
        ast::ExprKind::Literal(ast::Literal {
            kind: ast::LitKind::String(s),
            ..
        }) => Some(&s.value),
        ast::ExprKind::Paren(inner) => literal_string(inner),
        _ => None,
    }
}
