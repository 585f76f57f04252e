//! What kqlint knows, for users to see: `kqlint schema TABLE` and
//! `kqlint schema --list` (the CLI only prints what this returns).

use crate::engine::Engine;
use kql_schema::{Catalog, Completeness, Platform, Provenance, StoredFunction, Table};
use serde_json::{Value, json};
use std::fmt::Write;
use std::path::Path;

/// One line a user can read: where a definition comes from and how much of
/// it kqlint knows. Hover shows it too.
pub fn provenance_line(p: &Provenance, completeness: Option<Completeness>) -> String {
    let what = match completeness {
        Some(Completeness::Complete) | None => "complete".to_owned(),
        Some(Completeness::Partial(r)) => format!("partial: {}", r.describe()),
    };
    format!("{} — {what}", p.describe())
}

fn table_json(t: &Table, platform: Platform) -> Value {
    json!({
        "name": t.name.as_str(),
        "kind": "table",
        "platform": platform.as_str(),
        "provenance": t.provenance.describe(),
        "source_kind": t.provenance.kind().map_or("user", |k| k.as_str()),
        "complete": t.completeness() == Completeness::Complete,
        "description": t.description,
        "connectors": t.connectors.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "columns": t.columns.iter().map(|c| json!({
            "name": c.name.as_str(),
            "type": c.ty.as_str(),
            "hidden": c.hidden,
        })).collect::<Vec<_>>(),
    })
}

fn function_json(f: &StoredFunction, platform: Platform) -> Value {
    json!({
        "name": f.name.as_str(),
        "kind": "function",
        "platform": platform.as_str(),
        "provenance": f.provenance.describe(),
        "source_kind": f.provenance.kind().map_or("user", |k| k.as_str()),
        "form": format!("{:?}", f.form).to_lowercase(),
        "parameters": if f.params_unknown { Value::Null } else {
            f.parameters.iter().map(|p| json!({
                "name": p.name.as_str(),
                "type": p.ty.to_string(),
                "default": p.default,
                "required": p.required,
            })).collect::<Vec<_>>().into()
        },
        "result_columns": f.result_columns.iter().map(|c| json!({
            "name": c.name.as_str(), "type": c.ty.as_str()
        })).collect::<Vec<_>>(),
        "open_result": f.open_result,
    })
}

fn table_text(t: &Table, platform: Platform, other: Option<(&Table, Platform)>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} — {} table", t.name, platform.label());
    if let Some(d) = &t.description {
        let _ = writeln!(s, "  {d}");
    }
    let _ = writeln!(
        s,
        "  source: {}",
        provenance_line(&t.provenance, Some(t.completeness()))
    );
    if !t.connectors.is_empty() {
        let ids: Vec<&str> = t.connectors.iter().map(|c| c.as_str()).collect();
        let _ = writeln!(s, "  data connectors: {}", ids.join(", "));
    }
    let _ = writeln!(s, "  {} columns:", t.columns.len());
    let width = t.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in &t.columns {
        let _ = writeln!(
            s,
            "    {:<width$}  {}{}",
            c.name,
            c.ty.as_str(),
            if c.hidden { "  (hidden)" } else { "" }
        );
    }
    if let Some((o, op)) = other {
        let _ = writeln!(
            s,
            "  {} has a table of this name too, with {} columns (`kqlint schema {} --platform {}`)",
            op.label(),
            o.columns.len(),
            t.name,
            op.as_str()
        );
    }
    s
}

fn function_text(f: &StoredFunction, platform: Platform) -> String {
    let mut s = String::new();
    let params = if f.params_unknown {
        "...".to_owned()
    } else {
        f.parameters
            .iter()
            .map(|p| {
                let mut x = format!("{}: {}", p.name, p.ty);
                if let Some(d) = &p.default {
                    x.push_str(&format!(" = {d}"));
                } else if !p.required {
                    x.push_str(" (optional)");
                }
                x
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let call = match f.form {
        kql_schema::FunctionForm::Invoke => format!("T | invoke {}({params})", f.name),
        _ => format!("{}({params})", f.name),
    };
    let _ = writeln!(s, "{call} — {} function", platform.label());
    if let Some(d) = &f.description {
        let _ = writeln!(s, "  {d}");
    }
    let _ = writeln!(s, "  source: {}", provenance_line(&f.provenance, None));
    if f.result_columns.is_empty() {
        let _ = writeln!(s, "  result: not known");
    } else {
        let _ = writeln!(
            s,
            "  result{}: {}",
            if f.open_result { " (at least)" } else { "" },
            f.result_columns
                .iter()
                .map(|c| format!("{}:{}", c.name, c.ty))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    s
}

fn other(p: Platform) -> Option<Platform> {
    match p {
        Platform::Sentinel => Some(Platform::Defender),
        Platform::Defender => Some(Platform::Sentinel),
        Platform::Adx => None,
    }
}

/// The catalogue `kqlint schema` shows: the bundled data with the schema
/// directories of the configuration that applies in `dir` and `extra`.
pub fn catalog_for(engine: &Engine, dir: &Path, platform: Platform) -> Catalog {
    engine.catalog_at(dir, platform)
}

/// `kqlint schema NAME`: a table or function, as text or JSON; `None` when
/// kqlint knows no such name (on any platform).
pub fn describe(catalog: &Catalog, name: &str, json: bool) -> Option<String> {
    let platform = catalog.platform();
    let other_view = other(platform).map(|o| (catalog.with_platform(o), o));
    let out = if let Some(t) = catalog.table(name) {
        let twin = other_view
            .as_ref()
            .and_then(|(c, o)| c.bundled_table_on(*o, name).map(|t| (t, *o)))
            .filter(|(o, _)| o.columns != t.columns);
        if json {
            table_json(t, platform).to_string()
        } else {
            table_text(t, platform, twin)
        }
    } else if let Some(f) = catalog.stored_function(name) {
        if json {
            function_json(f, platform).to_string()
        } else {
            function_text(f, platform)
        }
    } else if let Some((c, o)) = &other_view
        && (c.table(name).is_some() || c.stored_function(name).is_some())
    {
        let mut s = describe(c, name, json)?;
        if !json {
            s.push_str(&format!(
                "  (not available in {}: this is a {} name)\n",
                platform.label(),
                o.label()
            ));
        }
        s
    } else {
        return None;
    };
    Some(if json { out + "\n" } else { out })
}

/// The nearest names kqlint knows, for "no such table or function".
pub fn suggest(catalog: &Catalog, name: &str) -> Option<String> {
    catalog
        .suggest_table(name)
        .or_else(|| catalog.suggest_stored_function(name))
        .map(str::to_owned)
}

/// `kqlint schema --list [FILTER]`: one line per table and function of the
/// platform (a filter is a case-insensitive substring of the name, or a
/// source kind: `documented`, `ci-stub`, `parser`, `user`).
pub fn list(catalog: &Catalog, filter: Option<&str>, json: bool) -> String {
    let f = filter.map(str::to_ascii_lowercase);
    let keep = |name: &str, p: &Provenance| match &f {
        None => true,
        Some(f) => {
            name.to_ascii_lowercase().contains(f.as_str())
                || p.kind().map_or("user", |k| k.as_str()) == f
        }
    };
    let platform = catalog.platform();
    let mut rows: Vec<Value> = Vec::new();
    let mut text = String::new();
    for t in catalog.tables() {
        if !keep(&t.name, &t.provenance) {
            continue;
        }
        if json {
            rows.push(json!({
                "name": t.name.as_str(), "kind": "table",
                "source_kind": t.provenance.kind().map_or("user", |k| k.as_str()),
                "columns": t.columns.len(),
                "complete": t.completeness() == Completeness::Complete,
                "provenance": t.provenance.describe(),
            }));
        } else {
            let _ = writeln!(
                text,
                "{:<48} table     {:<10} {:>4} columns  {}",
                t.name,
                t.provenance.kind().map_or("user", |k| k.as_str()),
                t.columns.len(),
                match &t.provenance {
                    Provenance::Bundled { source, .. } => source.clone(),
                    Provenance::User { path } => path.display().to_string(),
                }
            );
        }
    }
    for fun in catalog.stored_functions() {
        if !keep(&fun.name, &fun.provenance) {
            continue;
        }
        if json {
            rows.push(json!({
                "name": fun.name.as_str(), "kind": "function",
                "source_kind": fun.provenance.kind().map_or("user", |k| k.as_str()),
                "provenance": fun.provenance.describe(),
            }));
        } else {
            let _ = writeln!(
                text,
                "{:<48} function  {:<10} {:>4} params   {}",
                fun.name,
                fun.provenance.kind().map_or("user", |k| k.as_str()),
                if fun.params_unknown {
                    "?".to_owned()
                } else {
                    fun.parameters.len().to_string()
                },
                match &fun.provenance {
                    Provenance::Bundled { source, .. } => source.clone(),
                    Provenance::User { path } => path.display().to_string(),
                }
            );
        }
    }
    if json {
        let mut s = json!({ "platform": platform.as_str(), "entries": rows }).to_string();
        s.push('\n');
        s
    } else {
        text
    }
}
