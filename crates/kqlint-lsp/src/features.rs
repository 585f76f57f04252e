//! Hover, completion, go to definition, references, document symbols and
//! code actions. Every function takes a document snapshot and returns the
//! LSP result in file positions.

use crate::check::Checked;
use crate::client::Client;
use crate::document::Document;
use crate::ide::{Ide, Symbol, SymbolKind};
use crate::scope::{self, PopulatedBy};
use crate::workspace::Workspace;
use kql_schema::{ActionType, ActionTypeFields, Catalog, Function, StoredFunction, Table};
use kql_syntax::{PIPE_OPERATORS, Span, TokenKind};
use kqlint_core::registry;
use lsp_types as lsp;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// Everything a feature needs about one snapshot.
pub struct Ctx<'a> {
    pub doc: &'a Document,
    pub ide: &'a Ide,
    pub ws: &'a Workspace,
    pub client: &'a Client,
}

impl Ctx<'_> {
    fn cat(&self) -> &Catalog {
        self.ide.catalog()
    }

    /// The query offset of an LSP position.
    fn query_offset(&self, p: lsp::Position) -> Option<u32> {
        let file = self.doc.lines(self.client.encoding).offset(p);
        self.ide.to_query(file)
    }

    fn range(&self, query_span: Span) -> lsp::Range {
        self.doc
            .lines(self.client.encoding)
            .range(self.ide.to_file(query_span))
    }

    fn markup(&self, md: String) -> lsp::MarkupContent {
        if self.client.markdown_hover {
            lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: md,
            }
        } else {
            lsp::MarkupContent {
                kind: lsp::MarkupKind::PlainText,
                value: md.replace("**", "").replace('`', ""),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Hover
// ---------------------------------------------------------------------------

pub fn hover(cx: &Ctx, pos: lsp::Position, checked: Option<&Checked>) -> Option<lsp::Hover> {
    let file_offset = cx.doc.lines(cx.client.encoding).offset(pos);
    let mut parts: Vec<String> = Vec::new();
    let mut range = None;
    if let Some(q) = cx.ide.to_query(file_offset)
        && let Some((md, span)) = hover_query(cx, q)
    {
        parts.push(md);
        range = Some(cx.range(span));
    }
    // The documentation of the rules reported under the cursor; a client
    // that shows `kqlint-docs:` documents links each diagnostic's code to
    // them instead (its diagnostic hover shows the link).
    if let Some(checked) = checked.filter(|_| !cx.client.docs_scheme) {
        let mut seen = HashSet::new();
        for d in &checked.diagnostics {
            if d.span.touches(file_offset)
                && seen.insert(d.code)
                && let Some(meta) = registry::lookup(d.code)
            {
                parts.push(rule_doc(meta));
            }
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(cx.markup(parts.join("\n\n---\n\n"))),
        range,
    })
}

/// A rule's documentation, short: what `kqlint explain CODE` opens with.
pub fn rule_doc(m: &kqlint_core::RuleMeta) -> String {
    format!(
        "**{}** `{}` ({}): {}\n\n{}\n\n**How to fix:** {}\n\nFull documentation: `kqlint explain {}`",
        m.code,
        m.name,
        m.category,
        m.summary,
        m.why.trim(),
        m.fix.trim(),
        m.code
    )
}

fn hover_query(cx: &Ctx, q: u32) -> Option<(String, Span)> {
    let ide = cx.ide;
    let text = ide.text();
    let tok = ide.token_at(q)?;
    match tok.kind {
        TokenKind::String => {
            let value = scope::string_content(tok, text).text(text);
            let sc = scope::scope_at(ide, cx.cat(), q);
            let table = sc.table.map_or("DeviceNetworkEvents", |t| t.name.as_str());
            let at = cx.cat().action_types(table)?.get(value)?;
            Some((action_type_doc(table, at), tok.span))
        }
        TokenKind::Ident => {
            let name = tok.span.text(text);
            // `let` names and parameters
            if let Some(sym) = ide.symbol_at(q) {
                return Some((symbol_doc(ide, &sym), tok.span));
            }
            let next = ide.significant().find(|t| t.span.start >= tok.span.end);
            let is_call = next.is_some_and(|t| t.kind == TokenKind::LParen);
            if is_call {
                if let Some(f) = cx.cat().function(name) {
                    return Some((function_doc(cx.cat(), f), tok.span));
                }
                if let Some(f) = cx.cat().stored_function(name) {
                    return Some((stored_function_doc(f), tok.span));
                }
            }
            if let Some(n) = ide.semantic().and_then(|a| a.name_at(q))
                && n.span == tok.span
            {
                match &n.resolved {
                    kql_semantic::Resolved::Column { ty, table } => {
                        let col = table
                            .as_deref()
                            .and_then(|t| cx.cat().table(t))
                            .and_then(|t| t.column(name).map(|c| (t, c)));
                        return Some(match col {
                            Some((t, c)) => (column_doc(cx.cat(), t, c), tok.span),
                            None => (
                                format!(
                                    "(column) **{name}**: `{}`\n\ncomputed in the query",
                                    ty.as_str()
                                ),
                                tok.span,
                            ),
                        });
                    }
                    kql_semantic::Resolved::Table => {
                        if let Some(t) = cx.cat().table(name) {
                            return Some((table_doc(cx.cat(), t), tok.span));
                        }
                    }
                    _ => {}
                }
            }
            let sc = scope::scope_at(ide, cx.cat(), q);
            if let Some(t) = sc.table
                && let Some(c) = scope::column(t, name)
            {
                return Some((column_doc(cx.cat(), t, c), tok.span));
            }
            if let Some(t) = cx.cat().table(name) {
                return Some((table_doc(cx.cat(), t), tok.span));
            }
            if let Some(f) = cx.cat().stored_function(name) {
                return Some((stored_function_doc(f), tok.span));
            }
            None
        }
        _ => None,
    }
}

/// What a `let` or parameter is, for hover and completion.
fn symbol_what(sym: &Symbol) -> &'static str {
    use kql_semantic::LetKind;
    match sym.kind {
        SymbolKind::Let(LetKind::Scalar) => "let",
        SymbolKind::Let(LetKind::Tabular) => "let table",
        SymbolKind::Let(LetKind::Function) => "let function",
        SymbolKind::Let(LetKind::View) => "view",
        SymbolKind::Let(LetKind::QueryParameter) => "query parameter",
        SymbolKind::Parameter => "parameter",
    }
}

fn symbol_doc(ide: &Ide, sym: &Symbol) -> String {
    let text = ide.text();
    let shown = sym.span.text(text);
    let shown: String = shown.lines().take(8).collect::<Vec<_>>().join("\n");
    let ty = sym
        .ty
        .map(|t| format!(": `{}`", t.as_str()))
        .unwrap_or_default();
    format!(
        "({}) `{}`{ty}\n\n```kql\n{}\n```\n\n{} reference{}",
        symbol_what(sym),
        sym.name,
        shown.trim_end_matches(';'),
        sym.references.len(),
        if sym.references.len() == 1 { "" } else { "s" }
    )
}

pub fn table_doc(cat: &Catalog, t: &Table) -> String {
    let mut s = format!("(table) **{}**", t.name);
    if let Some(d) = &t.description {
        let _ = write!(s, "\n\n{d}");
    }
    let connectors: Vec<&str> = if t.connectors.is_empty() {
        cat.connectors_for_table(&t.name)
            .iter()
            .map(|c| c.as_str())
            .collect()
    } else {
        t.connectors.iter().map(|c| c.as_str()).collect()
    };
    if !connectors.is_empty() {
        let _ = write!(
            s,
            "\n\nData connector{}: {}",
            if connectors.len() == 1 { "" } else { "s" },
            connectors
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let visible = t.visible_columns().count();
    let _ = write!(s, "\n\n{visible} columns");
    if let Some(at) = cat.action_types(&t.name) {
        let _ = write!(s, ", {} ActionTypes", at.action_types.len());
    }
    let _ = write!(
        s,
        " ({})\n\nSource: {}",
        cat.platform().label(),
        kqlint_core::knowledge::provenance_line(&t.provenance, Some(t.completeness()))
    );
    s
}

pub fn column_doc(cat: &Catalog, t: &Table, c: &kql_schema::Column) -> String {
    let mut s = format!(
        "(column) **{}**: `{}`\n\nin table `{}`",
        c.name,
        c.ty.as_str(),
        t.name
    );
    if let Some(d) = &c.description {
        let _ = write!(s, "\n\n{d}");
    }
    match scope::populated_by(cat, &t.name, &c.name) {
        Some(PopulatedBy::Every) => {
            let _ = write!(s, "\n\nFilled for every ActionType.");
        }
        Some(PopulatedBy::Some(names)) if names.is_empty() => {
            let _ = write!(s, "\n\nNo documented ActionType is known to fill it.");
        }
        Some(PopulatedBy::Some(names)) => {
            let _ = write!(
                s,
                "\n\nFilled by ActionType{}: {}",
                if names.len() == 1 { "" } else { "s" },
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        None => {}
    }
    s
}

pub fn action_type_doc(table: &str, at: &ActionType) -> String {
    let mut s = format!(
        "(ActionType of {table}) **{}**: {}\n\n{}",
        at.name, at.title, at.description
    );
    match &at.fields {
        ActionTypeFields::Documented {
            populated,
            not_populated,
        } => {
            let _ = write!(
                s,
                "\n\nFills: {}",
                populated
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if !not_populated.is_empty() {
                let _ = write!(
                    s,
                    "\n\nNever fills: {}",
                    not_populated
                        .iter()
                        .map(|n| format!("`{}`", n.column))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        ActionTypeFields::Undocumented => {
            let _ = write!(s, "\n\nIts fields are not documented.");
        }
    }
    s
}

fn param_type(p: &kql_schema::Parameter) -> String {
    if !p.declared.is_empty() {
        return p
            .declared
            .iter()
            .map(|t| match t {
                kql_schema::TypeRef::Scalar(s) => s.as_str().to_owned(),
                kql_schema::TypeRef::Table { .. } => "table".to_owned(),
                kql_schema::TypeRef::TypeLiteral => "type".to_owned(),
                kql_schema::TypeRef::Other(o) => o.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" | ");
    }
    serde_json::to_value(p.ty)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_else(|| "any".into())
}

pub fn signature(f: &Function, sig: &kql_schema::Signature) -> String {
    let params: Vec<String> = sig
        .parameters
        .iter()
        .map(|p| {
            let mut s = format!("{}: {}", p.name, param_type(p));
            if p.is_repeatable() {
                s.push_str(", ...");
            }
            if p.is_optional() {
                s = format!("[{s}]");
            }
            s
        })
        .collect();
    let ret = sig
        .fixed_result_type()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_else(|| match sig.returns {
            kql_schema::ReturnKind::Parameter0 | kql_schema::ReturnKind::Parameter0Promoted => {
                "type of the first argument".into()
            }
            _ => "depends on the arguments".into(),
        });
    format!("{}({}): {}", f.name, params.join(", "), ret)
}

pub fn function_doc(_cat: &Catalog, f: &Function) -> String {
    let sigs: Vec<String> = f
        .visible_signatures()
        .take(4)
        .map(|s| signature(f, s))
        .collect();
    let mut s = format!(
        "({} function)\n```kql\n{}\n```",
        f.kind.as_str(),
        sigs.join("\n")
    );
    if let Some(doc) = &f.doc {
        let _ = write!(s, "\n\n{doc}");
    }
    if f.obsolete {
        let _ = write!(s, "\n\nObsolete");
        if let Some(alt) = &f.alternative {
            let _ = write!(s, ": use `{alt}`");
        }
    }
    s
}

fn stored_function_doc(f: &StoredFunction) -> String {
    let params: Vec<String> = f.parameters.iter().map(|p| p.name.to_string()).collect();
    let mut s = format!(
        "(stored function)\n```kql\n{}({})\n```",
        f.name,
        params.join(", ")
    );
    if let Some(d) = &f.description {
        let _ = write!(s, "\n\n{d}");
    }
    let _ = write!(
        s,
        "\n\nSource: {}",
        kqlint_core::knowledge::provenance_line(&f.provenance, None)
    );
    s
}

// ---------------------------------------------------------------------------
// Completion
// ---------------------------------------------------------------------------

pub fn completion(cx: &Ctx, pos: lsp::Position) -> Option<lsp::CompletionResponse> {
    let q = cx.query_offset(pos)?;
    let ide = cx.ide;
    let text = ide.text();
    // The token being typed: a name, or a string, that the cursor is in or right after.
    let typed = ide.token_at(q).filter(|t| {
        t.span.start < q
            && matches!(
                t.kind,
                TokenKind::Ident | TokenKind::String | TokenKind::UnterminatedString
            )
    });
    let where_ = scope::classify(ide, q, typed);
    let replace = typed
        .filter(|t| t.kind == TokenKind::Ident)
        .map(|t| t.span)
        .unwrap_or(Span::empty(q));
    let mut items: Vec<lsp::CompletionItem> = Vec::new();
    match where_ {
        scope::Position::ActionTypeValue { quoted } => {
            let sc = scope::scope_at(ide, cx.cat(), q);
            let table = sc
                .table
                .filter(|t| cx.cat().action_types(&t.name).is_some())
                .map_or("DeviceNetworkEvents", |t| t.name.as_str());
            let ats = cx.cat().action_types(table)?;
            let (span, quote) = match (quoted, typed) {
                (true, Some(t)) => (scope::string_content(t, text), ""),
                _ => (replace, "\""),
            };
            for (i, at) in ats.action_types.iter().enumerate() {
                let new_text = format!("{quote}{}{quote}", at.name);
                items.push(lsp::CompletionItem {
                    label: at.name.to_string(),
                    kind: Some(lsp::CompletionItemKind::ENUM_MEMBER),
                    detail: Some(at.title.clone()),
                    documentation: Some(doc(cx, action_type_doc(table, at))),
                    sort_text: Some(format!("{i:03}")),
                    filter_text: Some(new_text.clone()),
                    text_edit: cx.edit(span, new_text),
                    ..Default::default()
                });
            }
        }
        scope::Position::AfterPipe => {
            for op in PIPE_OPERATORS {
                items.push(lsp::CompletionItem {
                    label: (*op).to_owned(),
                    kind: Some(lsp::CompletionItemKind::KEYWORD),
                    detail: Some("tabular operator".into()),
                    text_edit: cx.edit(replace, (*op).to_owned()),
                    ..Default::default()
                });
            }
        }
        scope::Position::StatementStart => {
            push_lets(cx, q, &mut items, replace, true);
            items.push(lsp::CompletionItem {
                label: "let".into(),
                kind: Some(lsp::CompletionItemKind::KEYWORD),
                sort_text: Some("0let".into()),
                text_edit: cx.edit(replace, "let".into()),
                ..Default::default()
            });
            for t in cx.cat().tables() {
                items.push(lsp::CompletionItem {
                    label: t.name.to_string(),
                    kind: Some(lsp::CompletionItemKind::CLASS),
                    detail: Some("table".into()),
                    documentation: Some(doc(cx, table_doc(cx.cat(), t))),
                    sort_text: Some(format!("2{}", t.name)),
                    text_edit: cx.edit(replace, t.name.to_string()),
                    ..Default::default()
                });
            }
            for f in cx.cat().stored_functions() {
                items.push(lsp::CompletionItem {
                    label: f.name.to_string(),
                    kind: Some(lsp::CompletionItemKind::FUNCTION),
                    detail: Some("stored function".into()),
                    sort_text: Some(format!("3{}", f.name)),
                    text_edit: cx.edit(replace, f.name.to_string()),
                    ..Default::default()
                });
            }
        }
        scope::Position::Expression => {
            let sc = scope::scope_at(ide, cx.cat(), q);
            let schema = ide
                .semantic()
                .and_then(|a| a.columns_at(q))
                .filter(|s| s.visible().next().is_some());
            if let Some(schema) = schema {
                for c in schema.visible() {
                    let table_col = c
                        .table()
                        .and_then(|t| cx.cat().table(t))
                        .and_then(|t| t.column(&c.name).map(|col| (t, col)));
                    let documentation = match table_col {
                        Some((t, col)) => column_doc(cx.cat(), t, col),
                        None => format!("(column) **{}**: `{}`", c.name, c.ty.as_str()),
                    };
                    items.push(lsp::CompletionItem {
                        label: c.name.to_string(),
                        kind: Some(lsp::CompletionItemKind::FIELD),
                        detail: Some(c.ty.as_str().to_owned()),
                        label_details: Some(lsp::CompletionItemLabelDetails {
                            detail: None,
                            description: Some(c.ty.as_str().to_owned()),
                        }),
                        documentation: Some(doc(cx, documentation)),
                        sort_text: Some(format!("0{}", c.name)),
                        text_edit: cx.edit(replace, c.name.to_string()),
                        ..Default::default()
                    });
                }
            } else if let Some(t) = sc.table {
                for c in t.visible_columns() {
                    items.push(lsp::CompletionItem {
                        label: c.name.to_string(),
                        kind: Some(lsp::CompletionItemKind::FIELD),
                        detail: Some(c.ty.as_str().to_owned()),
                        label_details: Some(lsp::CompletionItemLabelDetails {
                            detail: None,
                            description: Some(c.ty.as_str().to_owned()),
                        }),
                        documentation: Some(doc(cx, column_doc(cx.cat(), t, c))),
                        sort_text: Some(format!("0{}", c.name)),
                        text_edit: cx.edit(replace, c.name.to_string()),
                        ..Default::default()
                    });
                }
            }
            push_lets(cx, q, &mut items, replace, false);
            let aggregates = matches!(
                sc.operator.as_deref(),
                Some("summarize" | "make-series" | "top-nested")
            );
            for f in cx.cat().functions() {
                if f.hidden
                    || f.kind == kql_schema::FunctionKind::Plugin
                    || (f.kind == kql_schema::FunctionKind::Aggregate && !aggregates)
                {
                    continue;
                }
                let sig = f
                    .visible_signatures()
                    .next()
                    .map(|s| signature(f, s))
                    .unwrap_or_default();
                items.push(lsp::CompletionItem {
                    label: f.name.to_string(),
                    kind: Some(lsp::CompletionItemKind::FUNCTION),
                    detail: Some(sig),
                    documentation: f.doc.as_ref().map(|d| doc(cx, d.clone())),
                    sort_text: Some(format!(
                        "{}{}",
                        if f.kind == kql_schema::FunctionKind::Aggregate {
                            "2"
                        } else {
                            "3"
                        },
                        f.name
                    )),
                    text_edit: cx.edit(replace, f.name.to_string()),
                    ..Default::default()
                });
            }
        }
    }
    Some(lsp::CompletionResponse::List(lsp::CompletionList {
        is_incomplete: false,
        items,
    }))
}

fn push_lets(
    cx: &Ctx,
    q: u32,
    items: &mut Vec<lsp::CompletionItem>,
    replace: Span,
    tabular_only: bool,
) {
    // Innermost (latest declared) first, shadowed names left out.
    for sym in cx.ide.visible_at(q) {
        if tabular_only && !sym.is_tabular() {
            continue;
        }
        items.push(lsp::CompletionItem {
            label: sym.name.clone(),
            kind: Some(if sym.is_function() {
                lsp::CompletionItemKind::FUNCTION
            } else {
                lsp::CompletionItemKind::VARIABLE
            }),
            detail: Some(symbol_what(&sym).into()),
            documentation: Some(doc(cx, symbol_doc(cx.ide, &sym))),
            sort_text: Some(format!("1{}", sym.name)),
            text_edit: cx.edit(replace, sym.name.clone()),
            ..Default::default()
        });
    }
}

fn doc(cx: &Ctx, md: String) -> lsp::Documentation {
    if cx.client.markdown_completion_docs {
        lsp::Documentation::MarkupContent(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: md,
        })
    } else {
        lsp::Documentation::String(md.replace("**", "").replace('`', ""))
    }
}

impl Ctx<'_> {
    /// A text edit replacing a query span, when it maps to the file exactly
    /// (otherwise the client's own word range is used).
    fn edit(&self, span: Span, new_text: String) -> Option<lsp::CompletionTextEdit> {
        if !self.ide.exact() {
            return None;
        }
        Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
            range: self.range(span),
            new_text,
        }))
    }
}

// ---------------------------------------------------------------------------
// Definition and references
// ---------------------------------------------------------------------------

pub fn definition(cx: &Ctx, pos: lsp::Position) -> Option<lsp::Location> {
    let q = cx.query_offset(pos)?;
    let sym = cx.ide.symbol_at(q)?;
    Some(lsp::Location::new(
        cx.doc.uri.clone(),
        cx.range(sym.name_span),
    ))
}

pub fn references(
    cx: &Ctx,
    pos: lsp::Position,
    include_declaration: bool,
) -> Option<Vec<lsp::Location>> {
    let q = cx.query_offset(pos)?;
    let def = cx.ide.symbol_at(q)?;
    let mut out = Vec::new();
    if include_declaration {
        out.push(lsp::Location::new(
            cx.doc.uri.clone(),
            cx.range(def.name_span),
        ));
    }
    out.extend(
        def.references
            .iter()
            .map(|s| lsp::Location::new(cx.doc.uri.clone(), cx.range(*s))),
    );
    Some(out)
}

pub fn highlights(cx: &Ctx, pos: lsp::Position) -> Option<Vec<lsp::DocumentHighlight>> {
    let q = cx.query_offset(pos)?;
    let def = cx.ide.symbol_at(q)?;
    let mut out = vec![lsp::DocumentHighlight {
        range: cx.range(def.name_span),
        kind: Some(lsp::DocumentHighlightKind::WRITE),
    }];
    out.extend(def.references.iter().map(|s| lsp::DocumentHighlight {
        range: cx.range(*s),
        kind: Some(lsp::DocumentHighlightKind::READ),
    }));
    Some(out)
}

// ---------------------------------------------------------------------------
// Document symbols
// ---------------------------------------------------------------------------

/// The symbols of every query of a document (a Markdown or JSON file may
/// hold several), in file order.
pub fn all_symbols(
    doc: &Document,
    ides: &crate::ide::Ides,
    ws: &Workspace,
    client: &Client,
) -> lsp::DocumentSymbolResponse {
    let mut nested = Vec::new();
    let mut flat = Vec::new();
    for ide in &ides.queries {
        let cx = Ctx {
            doc,
            ide,
            ws,
            client,
        };
        match symbols(&cx) {
            lsp::DocumentSymbolResponse::Nested(n) => nested.extend(n),
            lsp::DocumentSymbolResponse::Flat(f) => flat.extend(f),
        }
    }
    if client.hierarchical_symbols {
        lsp::DocumentSymbolResponse::Nested(nested)
    } else {
        lsp::DocumentSymbolResponse::Flat(flat)
    }
}

#[allow(deprecated)] // DocumentSymbol::deprecated must be written out
pub fn symbols(cx: &Ctx) -> lsp::DocumentSymbolResponse {
    use kql_syntax::ast::{ExprKind, LetValue, Statement};
    let ide = cx.ide;
    let text = ide.text();
    let mut out: Vec<lsp::DocumentSymbol> = Vec::new();
    let sym = |name: String, detail: Option<String>, kind, span: Span, sel: Span, children| {
        lsp::DocumentSymbol {
            name,
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: cx.range(span),
            selection_range: cx.range(sel),
            children,
        }
    };
    for st in &ide.parse().query.statements {
        match st {
            Statement::Let(l) => {
                let kind = match l.value {
                    LetValue::Function(_) | LetValue::View(_) => lsp::SymbolKind::FUNCTION,
                    LetValue::Expr(_) => lsp::SymbolKind::VARIABLE,
                };
                out.push(sym(
                    l.name.name.to_string(),
                    Some("let".into()),
                    kind,
                    l.span,
                    l.name.span,
                    None,
                ));
            }
            Statement::Expr(e) => {
                let (head, ops) = match &e.kind {
                    ExprKind::Pipeline(p) => (
                        p.source.as_ref().map(|s| s.span),
                        p.ops.iter().map(|o| &o.op).collect::<Vec<_>>(),
                    ),
                    _ => (Some(e.span), Vec::new()),
                };
                let name = head.map_or_else(
                    || "query".to_owned(),
                    |h| {
                        let t = h.text(text);
                        let first: String =
                            t.lines().next().unwrap_or("").chars().take(60).collect();
                        first
                    },
                );
                let children: Vec<lsp::DocumentSymbol> = ops
                    .iter()
                    .map(|op| {
                        sym(
                            op.keyword_span.text(text).to_owned(),
                            None,
                            lsp::SymbolKind::OPERATOR,
                            op.span,
                            op.keyword_span,
                            None,
                        )
                    })
                    .collect();
                out.push(sym(
                    if name.is_empty() {
                        "query".into()
                    } else {
                        name
                    },
                    Some("query".into()),
                    lsp::SymbolKind::NAMESPACE,
                    e.span,
                    head.unwrap_or(e.span),
                    Some(children),
                ));
            }
            _ => {}
        }
    }
    if cx.client.hierarchical_symbols {
        lsp::DocumentSymbolResponse::Nested(out)
    } else {
        let mut flat = Vec::new();
        fn flatten(
            uri: &lsp::Uri,
            s: Vec<lsp::DocumentSymbol>,
            container: Option<String>,
            out: &mut Vec<lsp::SymbolInformation>,
        ) {
            for d in s {
                out.push(lsp::SymbolInformation {
                    name: d.name.clone(),
                    kind: d.kind,
                    tags: None,
                    deprecated: None,
                    location: lsp::Location::new(uri.clone(), d.range),
                    container_name: container.clone(),
                });
                if let Some(c) = d.children {
                    flatten(uri, c, Some(d.name), out);
                }
            }
        }
        flatten(&cx.doc.uri, out, None, &mut flat);
        lsp::DocumentSymbolResponse::Flat(flat)
    }
}

// ---------------------------------------------------------------------------
// Code actions
// ---------------------------------------------------------------------------

/// The kind of the "fix all" source action (`source.fixAll.kqlint`), which
/// editors run on save when asked to (`editor.codeActionsOnSave`).
pub const FIX_ALL_KIND: &str = "source.fixAll.kqlint";

/// Code actions at `range`: each finding's fix, "disable CODE for this
/// line" for each finding, and "fix all safe fixes in this file" (as a
/// quick fix where a finding under the cursor has a safe fix, and as the
/// `source.fixAll.kqlint` source action).
pub fn code_actions(
    doc: &Document,
    checked: &Checked,
    ws: &crate::workspace::Workspace,
    client: &Client,
    range: lsp::Range,
    only: Option<&[lsp::CodeActionKind]>,
) -> Vec<lsp::CodeActionOrCommand> {
    let wants = |kind: &str| {
        only.is_none_or(|only| {
            only.iter().any(|k| {
                k.as_str().is_empty()
                    || kind == k.as_str()
                    || kind.starts_with(&format!("{}.", k.as_str()))
            })
        })
    };
    let quickfix = wants(lsp::CodeActionKind::QUICKFIX.as_str());
    let fix_all = wants(FIX_ALL_KIND);
    let lines = doc.lines(client.encoding);
    let want = lines.span(range);
    let edit_of = |edits: Vec<lsp::TextEdit>| {
        let mut changes = HashMap::new();
        changes.insert(doc.uri.clone(), edits);
        lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }
    };
    let mut out = Vec::new();
    let mut disables = Vec::new();
    let mut safe_here = false;
    for (d, ld) in checked.diagnostics.iter().zip(&checked.lsp) {
        let overlaps = d.span.start <= want.end && want.start <= d.span.end;
        if !overlaps || !quickfix {
            continue;
        }
        if let Some(fix) = &d.fix {
            let edits: Vec<lsp::TextEdit> = fix
                .edits
                .iter()
                .map(|e| lsp::TextEdit {
                    range: lines.range(e.span),
                    new_text: e.replacement.clone(),
                })
                .collect();
            let safe = fix.applicability == kqlint_core::Applicability::Safe;
            safe_here |= safe;
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: fix.message.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![ld.clone()]),
                edit: Some(edit_of(edits)),
                is_preferred: Some(safe),
                ..Default::default()
            }));
        }
        if let Some(kind) = doc.kind
            && let Some(e) = kqlint_core::suppress::disable_line_edit(
                &doc.path,
                &doc.text,
                kind,
                d.code,
                d.span.start,
            )
        {
            disables.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: format!("Disable {} ({}) for this line", d.code, d.name),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![ld.clone()]),
                edit: Some(edit_of(vec![lsp::TextEdit {
                    range: lines.range(e.span),
                    new_text: e.replacement,
                }])),
                ..Default::default()
            }));
        }
    }
    // The fix-all action, when the file has a safe fix at all.
    let any_safe = checked
        .diagnostics
        .iter()
        .any(kqlint_core::report::is_fixable);
    if let Some(kind) = doc.kind.filter(|_| any_safe && (fix_all || safe_here)) {
        let display = doc.path.to_string_lossy();
        let fixed =
            kqlint_core::fix::fix_text(&ws.engine, &display, &doc.path, kind, doc.text.clone());
        if !fixed.applied.is_empty() && fixed.text != doc.text {
            let whole = lines.range(kqlint_core::Span::new(0, doc.text.len() as u32));
            let edit = edit_of(vec![lsp::TextEdit {
                range: whole,
                new_text: fixed.text,
            }]);
            let title = format!(
                "Fix all safe fixes in this file ({} fix{})",
                fixed.applied.len(),
                if fixed.applied.len() == 1 { "" } else { "es" }
            );
            if safe_here {
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: title.clone(),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    edit: Some(edit.clone()),
                    ..Default::default()
                }));
            }
            if fix_all {
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: format!("kqlint: {}", title.to_lowercase()),
                    kind: Some(lsp::CodeActionKind::from(FIX_ALL_KIND.to_owned())),
                    edit: Some(edit),
                    ..Default::default()
                }));
            }
        }
    }
    out.extend(disables);
    out
}
