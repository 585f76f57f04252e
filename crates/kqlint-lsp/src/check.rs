//! Checking a document with the engine, and kqlint diagnostics as LSP
//! diagnostics.

use crate::client::Client;
use crate::document::{Checked, Document};
use crate::workspace::Workspace;
use kqlint_core::{Diagnostic, Severity};
use lsp_types as lsp;
use std::time::Instant;

/// Checks a document exactly as `kqlint check` checks a file
/// ([`kqlint_core::Engine::check_buffer`]). A YAML document that is not a
/// rule (no top-level `query`, `ParserQuery` or `FunctionQuery`) gets
/// nothing, as when `kqlint check` walks past it.
pub fn check(doc: &Document, ws: &Workspace, client: &Client) -> Checked {
    check_with(doc, ws, client, &kqlint_core::Interrupt::default())
}

/// [`check`] that `interrupt` can stop (the server's time budget and
/// cancellation): the analysis then ends early, with an `analysis-limit`
/// diagnostic where it stopped.
pub fn check_with(
    doc: &Document,
    ws: &Workspace,
    client: &Client,
    interrupt: &kqlint_core::Interrupt,
) -> Checked {
    let started = Instant::now();
    let (diagnostics, analyses) = match engine_report(doc, ws, interrupt) {
        Some(r) => (r.diagnostics, r.analyses),
        None => (Vec::new(), Vec::new()),
    };
    let lsp = diagnostics.iter().map(|d| to_lsp(d, doc, client)).collect();
    Checked {
        diagnostics,
        analyses,
        lsp,
        elapsed: started.elapsed(),
    }
}

/// The engine's report on a document snapshot (the workspace's engine keeps
/// each query's analysis in it); `None` for a document kqlint does not read
/// and for one `kqlint check` walks past (a YAML file that is not a rule).
pub fn engine_report(
    doc: &Document,
    ws: &Workspace,
    interrupt: &kqlint_core::Interrupt,
) -> Option<kqlint_core::FileReport> {
    ws.engine
        .check_buffer(&doc.path, doc.text.clone(), doc.kind?, interrupt)
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// The URI of a rule's documentation in the editor: served by the server
/// (`kqlint/explain`) and shown by the VS Code extension's content provider.
pub fn docs_uri(code: &str) -> Option<lsp::Uri> {
    format!("{}:/rules/{code}.md", crate::DOCS_SCHEME)
        .parse()
        .ok()
}

/// A rule's documentation in Markdown: its section of `docs/rules.md`
/// (generated from the same registry), headed by its code and name. Falls
/// back to `kqlint explain`'s text should that section not be found.
pub fn rule_markdown(m: &kqlint_core::RuleMeta) -> String {
    static DOCS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let docs = DOCS.get_or_init(kqlint_core::registry::markdown);
    let heading = format!("\n### {} `{}`\n", m.code, m.name);
    let Some(start) = docs.find(&heading) else {
        return format!(
            "# {} `{}`\n\n```text\n{}```\n",
            m.code,
            m.name,
            kqlint_core::registry::explain(m)
        );
    };
    let body = &docs[start + heading.len()..];
    let end = ["\n### ", "\n## "]
        .iter()
        .filter_map(|h| body.find(h))
        .min()
        .unwrap_or(body.len());
    format!(
        "# {} `{}`\n{}\n\n---\n\nIn a terminal: `kqlint explain {}`.\n",
        m.code,
        m.name,
        body[..end].trim_end(),
        m.code
    )
}

pub fn to_lsp(d: &Diagnostic, doc: &Document, client: &Client) -> lsp::Diagnostic {
    let lines = doc.lines(client.encoding);
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related = (client.related_information && !d.labels.is_empty()).then(|| {
        d.labels
            .iter()
            .map(|l| lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(doc.uri.clone(), lines.range(l.span)),
                message: l.message.clone(),
            })
            .collect()
    });
    // The rule's page: shown by the editor itself (`kqlint-docs:`, the VS
    // Code extension) or on the web.
    let code_description = if client.docs_scheme {
        docs_uri(d.code)
    } else {
        kqlint_core::registry::lookup(d.code)
            .and_then(|m| kqlint_core::registry::docs_url(m).parse().ok())
    }
    .map(|href| lsp::CodeDescription { href });
    lsp::Diagnostic {
        range: lines.range(d.span),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.to_owned())),
        code_description,
        source: Some("kqlint".to_owned()),
        message,
        related_information: related,
        tags: None,
        data: Some(serde_json::json!({ "name": d.name, "fixable": d.fix.is_some() })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_its_markdown_section() {
        for m in kqlint_core::registry::all() {
            let md = rule_markdown(m);
            assert!(
                md.starts_with(&format!("# {} `{}`\n\n{}", m.code, m.name, m.summary)),
                "{} has no section of its own in the generated docs:\n{md}",
                m.code
            );
            assert!(md.contains("**How to fix.**"), "{md}");
            assert_eq!(md.matches("\n### ").count(), 0, "{md}");
        }
    }
}
