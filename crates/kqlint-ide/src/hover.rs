//! Hover: names, tables, columns, functions, ActionTypes and the rule docs of a diagnostic.

use crate::Ide;
use crate::query::{QueryIde, Symbol, SymbolKind};
use crate::scope::{self, PopulatedBy};
use kql_schema::{ActionType, ActionTypeFields, Catalog, Function, StoredFunction, Table};
use kql_syntax::{Span, TokenKind};
use kqlint_core::{Diagnostic, registry};
use std::collections::HashSet;
use std::fmt::Write;

/// What the cursor is on, as Markdown, and the file span it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub markdown: String,
    /// The name or string hovered (`None` when only rule documentation is shown).
    pub span: Option<Span>,
}

impl Ide {
    /// The hover at a file offset: the name, table, column, function or
    /// ActionType under the cursor, then the documentation of each rule
    /// whose finding in `diagnostics` (file spans) touches it. A client that
    /// shows rule pages itself passes no diagnostics.
    pub fn hover(&self, offset: u32, diagnostics: &[Diagnostic]) -> Option<Hover> {
        let ide = self.at(offset);
        let mut parts: Vec<String> = Vec::new();
        let mut span = None;
        if let Some(q) = ide.to_query(offset)
            && let Some((md, s)) = hover_query(ide, q)
        {
            parts.push(md);
            span = Some(ide.to_file(s));
        }
        let mut seen = HashSet::new();
        for d in diagnostics {
            if d.span.touches(offset)
                && seen.insert(d.code)
                && let Some(meta) = registry::lookup(d.code)
            {
                parts.push(rule_doc(meta));
            }
        }
        if parts.is_empty() {
            return None;
        }
        Some(Hover {
            markdown: parts.join("\n\n---\n\n"),
            span,
        })
    }
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

fn hover_query(ide: &QueryIde, q: u32) -> Option<(String, Span)> {
    let cat = ide.catalog();
    let text = ide.text();
    let tok = ide.token_at(q)?;
    match tok.kind {
        TokenKind::String => {
            let value = scope::string_content(tok, text).text(text);
            let sc = scope::scope_at(ide, cat, q);
            let table = sc.table.map_or("DeviceNetworkEvents", |t| t.name.as_str());
            let at = cat.action_types(table)?.get(value)?;
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
                if let Some(f) = cat.function(name) {
                    return Some((function_doc(cat, f), tok.span));
                }
                if let Some(f) = cat.stored_function(name) {
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
                            .and_then(|t| cat.table(t))
                            .and_then(|t| t.column(name).map(|c| (t, c)));
                        return Some(match col {
                            Some((t, c)) => (column_doc(cat, t, c), tok.span),
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
                        if let Some(t) = cat.table(name) {
                            return Some((table_doc(cat, t), tok.span));
                        }
                    }
                    _ => {}
                }
            }
            let sc = scope::scope_at(ide, cat, q);
            if let Some(t) = sc.table
                && let Some(c) = scope::column(t, name)
            {
                return Some((column_doc(cat, t, c), tok.span));
            }
            if let Some(t) = cat.table(name) {
                return Some((table_doc(cat, t), tok.span));
            }
            if let Some(f) = cat.stored_function(name) {
                return Some((stored_function_doc(f), tok.span));
            }
            None
        }
        _ => None,
    }
}

/// What a `let` or parameter is, for hover and completion.
pub(crate) fn symbol_what(sym: &Symbol) -> &'static str {
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

pub(crate) fn symbol_doc(ide: &QueryIde, sym: &Symbol) -> String {
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

#[cfg(test)]
mod tests {
    use crate::testing::{file, report};
    use kqlint_testkit::TempDir;

    #[test]
    fn a_column_in_rule_yaml_is_described_at_its_place_in_the_file() {
        let yaml = "id: x\nquery: |\n  DeviceNetworkEvents\n  | where RemotePort == 443\n";
        let ide = file("r.yaml", yaml);
        let at = yaml.find("RemotePort").unwrap() as u32 + 3;
        let h = ide.hover(at, &[]).unwrap();
        assert!(
            h.markdown.starts_with("(column) **RemotePort**: `int`"),
            "{}",
            h.markdown
        );
        assert_eq!(h.span.unwrap().text(yaml), "RemotePort");
        // outside the query: nothing
        assert_eq!(ide.hover(2, &[]), None);
    }

    #[test]
    fn the_rule_of_a_finding_under_the_cursor_is_documented_once() {
        let text = "Syslog\n| where SyslogMessage matches regex \"Accepted password\"";
        let (ide, diagnostics) = report("q.kql", text);
        assert_eq!(diagnostics.iter().filter(|d| d.code == "KQL312").count(), 1);
        let at = text.find("regex").unwrap() as u32;
        let h = ide.hover(at, &diagnostics).unwrap();
        assert_eq!(
            h.markdown.matches("**KQL312**").count(),
            1,
            "{}",
            h.markdown
        );
        // a client that shows rule pages itself passes no findings
        assert!(
            !ide.hover(at, &[])
                .is_some_and(|h| h.markdown.contains("KQL312"))
        );
    }

    #[test]
    fn a_table_of_the_configured_schema_dirs_and_its_columns() {
        let dir = TempDir::new("ide-hover-schema-dirs");
        dir.write(
            "schemas/Zebra_CL.json",
            r#"{"Name":"Zebra_CL","Properties":[{"Name":"TimeGenerated","Type":"datetime"},{"Name":"ZebraStripe_s","Type":"string"}]}"#,
        );
        dir.write("kqlint.toml", "[schema]\ndirs = [\"schemas\"]\n");
        let text = "Zebra_CL\n| where ZebraStripe_s == \"x\"\n| where ";
        let (ide, diagnostics) = report(dir.path().join("q.kql").to_str().unwrap(), text);
        assert!(
            diagnostics.iter().all(|d| d.code != "KQL101"),
            "{diagnostics:?}"
        );
        let table = ide.hover(3, &[]).unwrap().markdown;
        assert!(table.starts_with("(table) **Zebra_CL**"), "{table}");
        let at = text.find("Stripe").unwrap() as u32;
        let column = ide.hover(at, &[]).unwrap().markdown;
        assert!(column.contains("**ZebraStripe_s**: `string`"), "{column}");
        let labels: Vec<String> = ide
            .completion(text.len() as u32)
            .unwrap()
            .into_iter()
            .map(|c| c.label)
            .collect();
        assert!(labels.iter().any(|l| l == "ZebraStripe_s"), "{labels:?}");
    }
}
