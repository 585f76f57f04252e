//! Operators that bind other tables or subqueries: `union`, `join` and
//! `lookup`, `find`, `search`, `partition`.

use super::param_word;
use crate::binder::{Binder, Cx, Tab, Val, fuzzy};
use crate::fx::FxMap;
use crate::names::{UniqueNames, make_names_unique};
use crate::rules::*;
use crate::ty::{Column, Openness, Schema, Ty};
use kql_syntax::ast::{self, Expr, ExprKind, JoinCondition, OpParam};
use kqlint_diagnostics::{Applicability, Diagnostic, Fix};
use smol_str::SmolStr;

impl<'a> Binder<'a> {
    pub(super) fn union(
        &mut self,
        params: &[OpParam],
        tables: &'a [Expr],
        input: Option<&Tab>,
        cx: &Cx<'a>,
    ) -> Tab {
        let fuzzy_at = fuzzy::fuzzy_param(params);
        let fuzzy = fuzzy_at.is_some();
        let ucx = cx.no_row();
        let mut tabs = Vec::new();
        if let Some(i) = input {
            tabs.push(i.clone());
        }
        for t in tables {
            match &t.kind {
                ExprKind::NamePattern(p) => tabs.push(self.table_pattern(p, fuzzy)),
                // a fuzzy union ignores legs that do not exist
                ExprKind::Name(id) if fuzzy => {
                    let lcx = Cx {
                        lenient: true,
                        ..ucx.clone()
                    };
                    match self.name(id, &lcx, true).val {
                        Val::Table(t) => tabs.push(t),
                        _ => tabs.push(Tab::open()),
                    }
                }
                _ => {
                    let tab = match fuzzy_at {
                        Some(f) => self.in_fuzzy_leg(f, |b| b.tabular(t, &ucx)),
                        None => self.tabular(t, &ucx),
                    };
                    tabs.push(tab);
                }
            }
        }
        let ws = param_word(params, "withsource");
        let inner = param_word(params, "kind").is_some_and(|k| k == "inner");
        self.union_tables(&tabs, ws.as_deref(), inner)
    }

    pub(super) fn search(
        &mut self,
        tables: Option<&'a [Expr]>,
        predicate: &'a Expr,
        input: Option<&Tab>,
        cx: &Cx<'a>,
    ) -> Tab {
        let base = match tables {
            Some(ts) => {
                let mut tabs = Vec::new();
                for t in ts {
                    match &t.kind {
                        ExprKind::NamePattern(p) => tabs.push(self.table_pattern(p, false)),
                        _ => tabs.push(self.tabular(t, &cx.no_row())),
                    }
                }
                self.union_tables(&tabs, None, false)
            }
            None => match input {
                Some(i) => i.clone(),
                None => Tab::open(),
            },
        };
        let lcx = Cx {
            lenient: true,
            ..cx.with_row(&base)
        };
        let _ = self.value(predicate, &lcx);
        let mut cols = vec![self.new_col("$table", Ty::String)];
        cols.extend(base.schema.columns().iter().cloned());
        self.ended(Schema::new(cols, base.schema.openness()))
    }

    pub(super) fn partition(
        &mut self,
        by: &ast::Ident,
        body: &'a Expr,
        inp: &Tab,
        cx: &Cx<'a>,
        rcx: &Cx<'a>,
    ) -> Tab {
        if let Some(c) = self.column_ref_reported(by, inp, rcx)
            && c.ty == Ty::Dynamic
            && self.quiet == 0
        {
            let d = Diagnostic::new(
                &DYNAMIC_KEY,
                by.span,
                format!(
                    "`{}` is `dynamic`, and a `partition by` key cannot be `dynamic`",
                    by.name
                ),
            )
            .with_help(
                "partition by a column of another type (`extend Key = tostring(...)` first)",
            );
            self.report(d);
        }
        let out = self.implicit(body, inp, cx);
        self.ended(out.schema)
    }

    /// Unifies several tables' columns (Kusto's `union`): same name and type
    /// merge; same name, different types give `name_type` columns.
    pub fn union_tables(&mut self, tabs: &[Tab], withsource: Option<&str>, inner: bool) -> Tab {
        let open = tabs
            .iter()
            .fold(Openness::Closed, |o, t| o.or(t.schema.openness()));
        let mut all: Vec<&Column> = Vec::new();
        for t in tabs {
            all.extend(t.schema.columns());
        }
        // name -> [(type, [columns])] in order of appearance
        let mut map: FxMap<&str, Vec<(Ty, Vec<&Column>)>> = FxMap::default();
        for c in &all {
            let e = map.entry(c.name.as_str()).or_default();
            match e.iter_mut().find(|(t, _)| *t == c.ty) {
                Some((_, v)) => v.push(c),
                None => e.push((c.ty, vec![c])),
            }
        }
        // a column of unknown type (an unknown table's, a failed
        // expression's) joins the column of known type of the same name
        for groups in map.values_mut() {
            if groups.len() > 1
                && let Some(ui) = groups.iter().position(|(t, _)| !t.is_known())
            {
                let (_, cols) = groups.remove(ui);
                groups[0].1.extend(cols);
            }
        }
        let mut unique = UniqueNames::default();
        let mut cols = Vec::new();
        if let Some(ws) = withsource {
            cols.push(self.new_col(ws, Ty::String));
            unique.add(ws);
        }
        let mut done: crate::fx::FxSet<&str> = Default::default();
        for c in &all {
            if !done.insert(c.name.as_str()) {
                continue;
            }
            let groups = &map[c.name.as_str()];
            if inner {
                let present = tabs.iter().all(|t| t.schema.column(&c.name).is_some());
                if !present {
                    continue;
                }
                let types: Vec<Ty> = groups.iter().map(|(t, _)| *t).collect();
                let ty = if types.len() == 1 {
                    types[0]
                } else {
                    Ty::Dynamic
                };
                let srcs: Vec<&Column> =
                    groups.iter().flat_map(|(_, v)| v.iter().copied()).collect();
                let col = self.merged(&c.name, ty, &srcs);
                cols.push(col);
                continue;
            }
            if groups.len() > 1 {
                for (t, srcs) in groups {
                    let name = unique.get_or_add(&format!("{}_{}", c.name, t.as_str()), None);
                    let col = self.merged(&name, *t, srcs);
                    cols.push(col);
                }
            } else {
                let (t, srcs) = &groups[0];
                let name = unique.get_or_add(&c.name, None);
                let col = if srcs.len() == 1 && name == c.name {
                    (*srcs[0]).clone()
                } else {
                    self.merged(&name, *t, srcs)
                };
                cols.push(col);
            }
        }
        self.ended(Schema::new(cols, open))
    }

    pub(super) fn merged(&mut self, name: &str, ty: Ty, srcs: &[&Column]) -> Column {
        let mut c = self.new_col(name, ty);
        let first = srcs.first().and_then(|c| c.origin.clone());
        if srcs.iter().all(|s| s.origin == first) {
            c.origin = first;
        }
        c.hidden = srcs.iter().all(|s| s.hidden);
        c
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn join(
        &mut self,
        left: &Tab,
        params: &'a [OpParam],
        right_e: &'a Expr,
        cond: Option<&'a JoinCondition>,
        cx: &Cx<'a>,
        lookup: bool,
    ) -> Tab {
        let right = self.tabular(right_e, &cx.no_row());
        let kind = param_word(params, "kind").map(|k| k.to_ascii_lowercase());
        let kind = kind
            .as_deref()
            .unwrap_or(if lookup { "leftouter" } else { "innerunique" });
        let jcx = Cx {
            row: Some(left.clone()),
            right: Some(right.clone()),
            agg: false,
            ..cx.clone()
        };
        // (left id, right id) of the key columns
        let mut keys: Vec<(u32, u32)> = Vec::new();
        match cond {
            Some(JoinCondition::On(items)) => {
                for it in items {
                    self.join_key(it, left, &right, &jcx, &mut keys);
                }
            }
            Some(JoinCondition::Where(e)) => {
                // the predicate sees the columns of both sides by name
                let mut both: Vec<Column> = left.schema.columns().to_vec();
                for c in right.schema.columns() {
                    if left.schema.column(&c.name).is_none() {
                        both.push(c.clone());
                    }
                }
                let open = left.schema.openness().or(right.schema.openness());
                let wcx = Cx {
                    row: Some(Tab::new(Schema::new(both, open))),
                    ..jcx.clone()
                };
                let _ = self.scalar(e, &wcx);
            }
            None => {}
        }
        let right_only = matches!(kind, "rightanti" | "rightsemi" | "rightantisemi");
        let left_only = matches!(kind, "anti" | "leftanti" | "leftsemi" | "leftantisemi");
        let mut cols: Vec<Column> = Vec::new();
        if lookup {
            cols.extend(left.schema.columns().iter().cloned());
            cols.extend(
                right
                    .schema
                    .columns()
                    .iter()
                    .filter(|c| !keys.iter().any(|(_, r)| *r == c.id))
                    .cloned(),
            );
        } else {
            if !right_only {
                cols.extend(left.schema.columns().iter().cloned());
            }
            if !left_only {
                cols.extend(right.schema.columns().iter().cloned());
            }
        }
        make_names_unique(&mut cols, &mut self.ids);
        let open = left
            .schema
            .openness()
            .when(!right_only)
            .or(right.schema.openness().when(!left_only));
        self.ended(Schema::new(cols, open))
    }

    /// KQL115: a join equality compares `$left.A` with `$right.B`, in that
    /// order.
    pub(super) fn join_condition_form(&mut self, e: &Expr, lhs: &Expr, rhs: &Expr) {
        if self.quiet > 0 {
            return;
        }
        let side = |x: &Expr| match &x.kind {
            ExprKind::Member { expr, .. } => match &expr.kind {
                ExprKind::Name(s) if s.name == "$left" || s.name == "$right" => {
                    Some(s.name.clone())
                }
                _ => None,
            },
            _ => None,
        };
        let (l, r) = (side(lhs), side(rhs));
        if l.as_deref() == Some("$left") && r.as_deref() == Some("$right") {
            return;
        }
        if l.as_deref() == Some("$right") && r.as_deref() == Some("$left") {
            let text = |x: &Expr| self.src.get(x.span.range()).unwrap_or("").to_owned();
            let swapped = format!("{} == {}", text(rhs), text(lhs));
            let d = Diagnostic::new(
                &JOIN_CONDITION_FORM,
                e.span,
                "the `$right` column comes first: a join condition is written `$left.<column> == $right.<column>`",
            )
            .with_fix(Fix::replace(
                format!("Swap the operands: `{swapped}`"),
                e.span,
                swapped,
                Applicability::Safe,
            ));
            self.report(d);
            return;
        }
        for (x, got, want) in [(lhs, &l, "$left"), (rhs, &r, "$right")] {
            if got.as_deref() != Some(want) {
                let d = Diagnostic::new(
                    &JOIN_CONDITION_FORM,
                    x.span,
                    format!("this side of a join condition must be `{want}.<column>`"),
                )
                .with_help(
                    "a join condition is written `$left.<column> == $right.<column>`; `on Column` alone joins on a column both sides have",
                );
                self.report(d);
            }
        }
    }

    /// KQL114: Kusto compares join keys without converting them.
    pub(super) fn join_key_types(&mut self, key: &Expr, left: Ty, right: Ty) {
        if left == right || !left.is_known() || !right.is_known() || self.quiet > 0 {
            return;
        }
        // Id columns are `guid` in some schema files and `string` in Microsoft's
        // documentation of the same table (AzureActivity.SubscriptionId,
        // OfficeActivity's ids): a guid/string pair is most likely that.
        if matches!(
            (left, right),
            (Ty::Guid, Ty::String) | (Ty::String, Ty::Guid)
        ) {
            return;
        }
        let text = self
            .src
            .get(key.span.range())
            .unwrap_or("")
            .trim()
            .to_owned();
        let d = Diagnostic::new(
            &JOIN_KEY_TYPE_MISMATCH,
            key.span,
            format!(
                "the join key `{text}` is `{left}` on the left side and `{right}` on the right"
            ),
        )
        .with_help(format!(
            "convert one side before the join, e.g. `extend Key = to{}(...)`",
            if left == Ty::Dynamic { right } else { left }
        ));
        self.report(d);
    }

    /// A join key `on X` that a side lacks (one not open: nothing is known
    /// about an open side's columns).
    ///
    /// Where each side that lacks it is known only in part (a CI stub, a
    /// parser), the key may be there: `unverified-column`, a warning, unless
    /// it differs only in case from a column there (a mistake whatever else
    /// the side has). Where a side known in full lacks it, the join fails:
    /// a key neither side has is an unknown column (`unknown-column`, Kusto's
    /// "does not refer to any known column"), one the other side has is
    /// `join-column-not-on-both-sides`.
    pub(super) fn missing_join_key(
        &mut self,
        id: &ast::Ident,
        left: &Tab,
        right: &Tab,
        missing_left: bool,
        missing_right: bool,
    ) {
        let n = &id.name;
        let mut pool: Vec<&str> = Vec::new();
        for (missing, side) in [(missing_left, left), (missing_right, right)] {
            if missing {
                pool.extend(side.schema.columns().iter().map(|c| c.name.as_str()));
            }
        }
        let suggestion =
            crate::binder::expr::suggest_column(n, pool.iter().copied()).map(str::to_owned);
        let partial_left = left.schema.partial().is_some();
        let partial_right = right.schema.partial().is_some();
        let unsure = (!missing_left || partial_left) && (!missing_right || partial_right);
        // the side the open-world rules look at: one known in part when no
        // side known in full lacks the key, else one known in full
        let side = if missing_left && (unsure || !partial_left) {
            left
        } else {
            right
        };
        if self.unknown_column_open_world(id.span, n, side, suggestion.as_deref()) {
            return;
        }
        let keys_help = "keys named differently on the two sides are written `$left.A == $right.B`";
        let d = if missing_left && missing_right {
            let (l, r) = (
                if partial_left {
                    "a known column"
                } else {
                    "a column"
                },
                if partial_right {
                    "a known column"
                } else {
                    "a column"
                },
            );
            let what = if l == r {
                format!("`{n}` is not {l} of either side of the join")
            } else {
                format!("`{n}` is not {l} of the left side of the join, nor {r} of the right side")
            };
            match &suggestion {
                Some(s) => Diagnostic::new(
                    &UNKNOWN_COLUMN,
                    id.span,
                    if Self::case_hint(n, s) {
                        format!("{what}; did you mean `{s}`? KQL names are case-sensitive")
                    } else {
                        format!("{what}; did you mean `{s}`?")
                    },
                )
                .with_fix(self.fix_for(id, s)),
                None => Diagnostic::new(&UNKNOWN_COLUMN, id.span, what).with_help(keys_help),
            }
        } else {
            let side = if missing_left {
                "the left side"
            } else {
                "the right side"
            };
            let d = Diagnostic::new(
                &JOIN_COLUMN_NOT_ON_BOTH_SIDES,
                id.span,
                format!("the join key `{n}` is not a column of {side}"),
            );
            match &suggestion {
                Some(s) => d.with_help(format!(
                    "did you mean `{s}`? Keys named differently on the two sides are written \
                     `$left.A == $right.B`"
                )),
                None => d.with_help(keys_help),
            }
        };
        self.report(d);
    }

    pub(super) fn join_key(
        &mut self,
        e: &'a Expr,
        left: &Tab,
        right: &Tab,
        jcx: &Cx<'a>,
        keys: &mut Vec<(u32, u32)>,
    ) {
        match &e.kind {
            ExprKind::Paren(inner) => self.join_key(inner, left, right, jcx, keys),
            ExprKind::Name(id) => {
                let l = left.schema.column(&id.name).cloned();
                let r = right.schema.column(&id.name).cloned();
                if let Some(c) = &l {
                    self.record(
                        id.span,
                        &id.name,
                        crate::Resolved::Column {
                            ty: c.ty,
                            table: c.table().map(SmolStr::new),
                        },
                    );
                }
                match (&l, &r) {
                    (Some(a), Some(b)) => {
                        self.join_key_types(e, a.ty, b.ty);
                        keys.push((a.id, b.id));
                    }
                    _ => {
                        let missing_left = l.is_none() && !left.schema.is_open();
                        let missing_right = r.is_none() && !right.schema.is_open();
                        if missing_left || missing_right {
                            self.missing_join_key(id, left, right, missing_left, missing_right);
                        }
                    }
                }
            }
            ExprKind::Binary {
                op: ast::BinaryOp::And,
                lhs,
                rhs,
                ..
            } => {
                self.join_key(lhs, left, right, jcx, keys);
                self.join_key(rhs, left, right, jcx, keys);
            }
            ExprKind::Binary {
                op: ast::BinaryOp::Eq,
                lhs,
                rhs,
                ..
            } => {
                self.join_condition_form(e, lhs, rhs);
                let l = self.value(lhs, jcx);
                let r = self.value(rhs, jcx);
                if let (Some(a), Some(b)) = (&l.col, &r.col) {
                    self.join_key_types(e, a.ty, b.ty);
                    keys.push((a.id, b.id));
                }
            }
            _ => {
                let _ = self.value(e, jcx);
            }
        }
    }

    /// `find [withsource=S] [in (T1, T2)] where P [project ... | project-smart]`,
    /// as Kusto.Language binds it (`VisitFindOperator`): the predicate and the
    /// projection see the columns of all the tables, unified by name; the
    /// result has the source column, then (project-smart) the columns common
    /// to the tables the predicate can match, the columns it names, and
    /// `pack_` for the rest, or the columns projected. Without `in`, every
    /// table of the workspace is searched: open, nothing is reported.
    pub(super) fn find(
        &mut self,
        params: &'a [OpParam],
        tables: Option<&'a [Expr]>,
        predicate: &'a Expr,
        project: &'a ast::FindProject,
        cx: &Cx<'a>,
    ) -> Tab {
        let mut tabs = Vec::new();
        if let Some(ts) = tables {
            for t in ts {
                match &t.kind {
                    ExprKind::NamePattern(p) => tabs.push(self.table_pattern(p, false)),
                    _ => tabs.push(self.tabular(t, &cx.no_row())),
                }
            }
        }
        let row = match tables {
            Some(_) => self.columns_unified_by_name(&tabs),
            None => Tab::open(),
        };
        let fcx = cx.with_row(&row);
        let _ = self.value(predicate, &fcx);
        let src = param_word(params, "withsource").unwrap_or_else(|| "source_".into());
        let mut cols = vec![self.new_col(src, Ty::String)];
        let any_open = if tables.is_none() {
            Openness::Open
        } else {
            tabs.iter()
                .fold(Openness::Closed, |o, t| o.or(t.schema.openness()))
        };
        // the columns the predicate names, and the tables it can match
        let mut names = FindNames::default();
        kql_syntax::visit::Visitor::visit_expr(&mut names, predicate);
        let mut referenced: Vec<Column> = Vec::new();
        for n in &names.names {
            if let Some(c) = row.schema.column(n)
                && !referenced.iter().any(|r| r.name == c.name)
            {
                referenced.push(c.clone());
            }
        }
        let matched: Vec<&Tab> = if tabs.len() == 1 || names.all || search_term(predicate) {
            tabs.iter().collect()
        } else {
            tabs.iter()
                .filter(|t| {
                    referenced
                        .iter()
                        .any(|c| t.schema.is_open() || t.schema.column(&c.name).is_some())
                })
                .collect()
        };
        let pack_needed = |cols: &[Column]| {
            matched.iter().any(|t| {
                !t.schema.is_open()
                    && t.schema
                        .columns()
                        .iter()
                        .any(|c| !cols.iter().any(|p| p.name == c.name))
            })
        };
        match project {
            ast::FindProject::Default | ast::FindProject::ProjectSmart(_) => {
                if tables.is_some() {
                    cols.extend(self.common_columns(&matched));
                    for c in referenced {
                        if !cols.iter().any(|p| p.name == c.name) {
                            cols.push(c);
                        }
                    }
                    if pack_needed(&cols) {
                        cols.push(self.new_col("pack_", Ty::Dynamic));
                    }
                }
                self.ended(Schema::new(cols, any_open.clone()))
            }
            ast::FindProject::Project(items) => {
                let last = items.len().saturating_sub(1);
                for (i, it) in items.iter().enumerate() {
                    match &it.kind {
                        // `pack(*)` / `pack_all()`: Kusto takes it only last
                        ExprKind::Call { func, .. }
                            if (func.name == "pack" || func.name == "pack_all") && i == last =>
                        {
                            cols.push(self.new_col("pack_", Ty::Dynamic));
                        }
                        ExprKind::Name(id) => match self.column_ref_reported(id, &row, &fcx) {
                            Some(c) => cols.push(c),
                            None if row.schema.is_open() => {
                                cols.push(self.new_col(id.name.clone(), Ty::Unknown))
                            }
                            None => {}
                        },
                        ExprKind::Binary {
                            op: ast::BinaryOp::SearchColon,
                            lhs,
                            rhs,
                            ..
                        } => {
                            if let (ExprKind::Name(id), ExprKind::Name(ty)) = (&lhs.kind, &rhs.kind)
                                && (self.column_ref_reported(id, &row, &fcx).is_some()
                                    || row.schema.is_open())
                            {
                                let ty = Ty::parse(&ty.name).unwrap_or(Ty::Unknown);
                                cols.push(self.new_col(id.name.clone(), ty));
                            }
                        }
                        _ => {}
                    }
                }
                self.ended(Schema::new(cols, false))
            }
        }
    }

    /// All the columns of some tables, one per name; a name with several
    /// types gets their common type (`dynamic` for unrelated ones), as
    /// Kusto's `UnifyColumnsWithSameName`.
    pub(super) fn columns_unified_by_name(&mut self, tabs: &[Tab]) -> Tab {
        let open = tabs
            .iter()
            .fold(Openness::Closed, |o, t| o.or(t.schema.openness()));
        let mut order: Vec<&str> = Vec::new();
        let mut by_name: FxMap<&str, Vec<&Column>> = FxMap::default();
        for t in tabs {
            for c in t.schema.columns() {
                let e = by_name.entry(c.name.as_str()).or_default();
                if e.is_empty() {
                    order.push(c.name.as_str());
                }
                e.push(c);
            }
        }
        let mut cols = Vec::with_capacity(order.len());
        for n in order {
            let group = &by_name[n];
            if group.len() == 1 {
                cols.push(group[0].clone());
                continue;
            }
            let types: Vec<Ty> = group.iter().map(|c| c.ty).collect();
            let ty = if types.iter().all(|t| *t == types[0]) {
                types[0]
            } else {
                crate::builtins::common_type(&types, false)
            };
            let c = self.merged(n, ty, group);
            cols.push(c);
        }
        Tab::new(Schema::new(cols, open))
    }

    /// The columns (by name) that every table has.
    pub(super) fn common_columns(&mut self, tabs: &[&Tab]) -> Vec<Column> {
        let Some(first) = tabs.first() else {
            return Vec::new();
        };
        let common: Vec<&str> = first
            .schema
            .columns()
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| tabs.iter().all(|t| t.schema.column(n).is_some()))
            .collect();
        let owned: Vec<Tab> = tabs
            .iter()
            .map(|t| {
                let cols = t
                    .schema
                    .columns()
                    .iter()
                    .filter(|c| common.contains(&c.name.as_str()))
                    .cloned()
                    .collect();
                Tab::new(Schema::new(cols, false))
            })
            .collect();
        self.columns_unified_by_name(&owned)
            .schema
            .columns()
            .to_vec()
    }
}

/// The names a `find` predicate uses, and whether it searches every column
/// (`* has "x"`). Subqueries are not entered.
#[derive(Default)]
struct FindNames {
    names: Vec<SmolStr>,
    all: bool,
}

impl kql_syntax::visit::Visitor<'_> for FindNames {
    fn visit_expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Name(id) => self.names.push(id.name.clone()),
            ExprKind::Star => self.all = true,
            ExprKind::Pipeline(_) | ExprKind::Operator(_) => {}
            _ => kql_syntax::visit::walk_expr(self, e),
        }
    }
}

/// A stand-alone search term (`find "x"`, `find "x" and A == 1`): a string
/// that stands for `* has "x"`, so every table can match.
fn search_term(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(ast::Literal {
            kind: ast::LitKind::String(_),
            ..
        }) => true,
        ExprKind::Paren(i) => search_term(i),
        ExprKind::Binary {
            op: ast::BinaryOp::And | ast::BinaryOp::Or,
            lhs,
            rhs,
            ..
        } => search_term(lhs) || search_term(rhs),
        ExprKind::Call { func, args, .. } if func.name == "not" && args.len() == 1 => {
            search_term(&args[0].value)
        }
        _ => false,
    }
}
