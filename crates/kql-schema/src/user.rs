//! Reading schema files in Azure-Sentinel's CustomTables / CustomFunctions
//! JSON formats, as leniently as that repository's own loader (Newtonsoft.Json).
//!
//! - Keys are matched case-insensitively (`Name`/`name`/`NAME`,
//!   `Properties`/`properties`), as Newtonsoft does by default.
//! - `//` and `/* */` comments and trailing commas before `]`/`}` are
//!   accepted.
//! - A file may hold one object or a JSON array of objects.
//! - A table is `{"Name": .., "Properties": [{"Name": .., "Type": ..}, ...]}`
//!   (`TableName`/`Columns`/`ColumnName`/`DataType`/`ColumnType` are read too).
//! - A function is `{"FunctionName": .., "FunctionParameters": [{"Name",
//!   "Type", "DefaultValue"?, "IsRequired"?}], "FunctionResultColumns":
//!   [{"Name", "Type"}]}`; a parameter type `table:(a:string, b:long)` or
//!   `table:(*)` makes a tabular parameter. A parameter is required only
//!   with `"IsRequired": true`.
//! - Type names are normalised with [`ScalarType::normalize`]; an unknown or
//!   missing type becomes `dynamic` with a warning.
//!
//! Two exports of a workspace's own tables are read too, so a team can
//! import its custom tables in one step:
//! - `T | getschema` saved as CSV or JSON (`ColumnName`, `ColumnType` or
//!   `DataType`, ...): one table, named after the file (`MyTable_CL.csv`);
//! - `az monitor log-analytics workspace table list` (or `show`) JSON:
//!   objects with `name` and `schema: {name, columns, standardColumns}`
//!   (also under `properties`, as the REST API returns them).
//!
//! Problems never fail the whole load: each becomes a
//! [`SchemaLoadWarning`], and the rest of the file (and of the run) is used.

use crate::{
    Column, ColumnOrigin, Provenance, ScalarType, StoredFunction, StoredParamType, StoredParameter,
    Table,
};
use serde_json::Value;
use smol_str::SmolStr;
use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of problem a [`SchemaLoadWarning`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WarningKind {
    /// The file or directory could not be read.
    Io,
    /// The file is not JSON, even with comments and trailing commas allowed.
    Syntax,
    /// A JSON object that is neither a table nor a function, or one with a
    /// missing or bad field; it (or the bad part) is skipped.
    Invalid,
    /// A missing or unknown type name; `dynamic` is used.
    Type,
    /// A table, function or column defined again; the later definition of a
    /// table or function wins, the first of a repeated column is kept.
    Redefined,
}

/// A problem found while loading user schema files. Loading goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaLoadWarning {
    pub path: PathBuf,
    pub kind: WarningKind,
    pub message: String,
    /// 1-based line and column in the file, when known.
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl fmt::Display for SchemaLoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// The tables and functions of one schema file.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub tables: Vec<Table>,
    pub functions: Vec<StoredFunction>,
}

/// Removes what Newtonsoft.Json accepts and strict JSON does not: comments
/// and trailing commas. They are replaced by blanks (newlines kept), so
/// line and column numbers of the result are those of the input.
pub fn relax_json(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    };
    let mut i = 0;
    // Position of the last comma outside strings, still pending a decision.
    let mut pending_comma: Option<usize> = None;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                pending_comma = None;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                blank(&mut out, i, end);
                i = end;
            }
            b',' => {
                pending_comma = Some(i);
                i += 1;
            }
            b']' | b'}' => {
                if let Some(c) = pending_comma.take() {
                    out[c] = b' ';
                }
                i += 1;
            }
            b if b.is_ascii_whitespace() => i += 1,
            _ => {
                pending_comma = None;
                i += 1;
            }
        }
    }
    // Only ASCII bytes outside strings were replaced by ASCII blanks, so the
    // result is still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// Case-insensitive key lookup, exact match first.
fn get<'a>(obj: &'a serde_json::Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    for k in keys {
        if let Some(v) = obj.get(*k) {
            return Some(v);
        }
    }
    for k in keys {
        if let Some((_, v)) = obj.iter().find(|(name, _)| name.eq_ignore_ascii_case(k)) {
            return Some(v);
        }
    }
    None
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// 1-based line and column of the first occurrence of `"needle"` in the text.
fn locate(text: &str, needle: &str) -> (Option<u32>, Option<u32>) {
    let quoted = format!("\"{needle}\"");
    match text.find(&quoted) {
        Some(off) => line_col(text, off),
        None => (None, None),
    }
}

fn line_col(text: &str, off: usize) -> (Option<u32>, Option<u32>) {
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (Some(line as u32), Some(col as u32))
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    warnings: &'a mut Vec<SchemaLoadWarning>,
}

impl Ctx<'_> {
    fn warn(&mut self, kind: WarningKind, message: String, near: Option<&str>) {
        let (line, column) = near.map_or((None, None), |n| locate(self.text, n));
        self.warnings.push(SchemaLoadWarning {
            path: self.path.to_owned(),
            kind,
            message,
            line,
            column,
        });
    }

    fn scalar(&mut self, raw: Option<&Value>, what: &str, near: &str) -> ScalarType {
        let text = raw.and_then(as_text);
        let (t, note) = ScalarType::normalize(text.as_deref());
        if let Some(note) = note {
            self.warn(WarningKind::Type, format!("{what}: {note}"), Some(near));
        }
        t
    }
}

/// Parses one schema file's text. `path` is used in warnings and provenance.
pub(crate) fn load_text(path: &Path, text: &str, warnings: &mut Vec<SchemaLoadWarning>) -> Loaded {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut ctx = Ctx {
        path,
        text,
        warnings,
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => match serde_json::from_str(&relax_json(text)) {
            Ok(v) => v,
            Err(e) => {
                ctx.warnings.push(SchemaLoadWarning {
                    path: path.to_owned(),
                    kind: WarningKind::Syntax,
                    message: format!("not valid JSON: {e}; file skipped"),
                    line: Some(e.line() as u32).filter(|l| *l > 0),
                    column: Some(e.column() as u32).filter(|c| *c > 0),
                });
                return Loaded::default();
            }
        },
    };
    let mut loaded = Loaded::default();
    if is_getschema(&value) {
        let Value::Array(rows) = &value else {
            unreachable!()
        };
        let name = file_table_name(path);
        loaded.tables.push(load_table(&mut ctx, &name, rows));
        return loaded;
    }
    // `az ... table list` gives `{"value": [...]}` through the REST API.
    let value = match &value {
        Value::Object(o) if o.len() == 1 && matches!(o.get("value"), Some(Value::Array(_))) => {
            &o["value"]
        }
        v => v,
    };
    match value {
        Value::Array(items) => {
            for item in items {
                load_object(&mut ctx, item, &mut loaded);
            }
        }
        other => load_object(&mut ctx, other, &mut loaded),
    }
    loaded
}

/// The output of `T | getschema` exported as JSON: rows with `ColumnName`.
fn is_getschema(v: &Value) -> bool {
    let Value::Array(rows) = v else { return false };
    !rows.is_empty()
        && rows.iter().all(|r| {
            r.as_object().is_some_and(|o| {
                get(o, &["ColumnName"]).is_some()
                    && get(o, &["FunctionName", "Properties"]).is_none()
            })
        })
}

/// The table a one-table export describes: its file name without extension.
fn file_table_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "table".to_owned())
}

/// Reads `T | getschema` exported as CSV: a header row naming the columns
/// (`ColumnName` and `ColumnType` or `DataType`), one row per column.
pub(crate) fn load_csv(path: &Path, text: &str, warnings: &mut Vec<SchemaLoadWarning>) -> Loaded {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut ctx = Ctx {
        path,
        text,
        warnings,
    };
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines.next().map(csv_fields).unwrap_or_default();
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let (Some(name_at), Some(type_at)) = (
        find(&["ColumnName", "Name"]),
        find(&["ColumnType", "Type"]).or_else(|| find(&["DataType"])),
    ) else {
        ctx.warn(
            WarningKind::Invalid,
            "a CSV schema needs a header row with `ColumnName` and `ColumnType` (the output of \
             `T | getschema`); file skipped"
                .into(),
            None,
        );
        return Loaded::default();
    };
    let rows: Vec<Value> = lines
        .map(csv_fields)
        .filter_map(|f| {
            let n = f.get(name_at)?.trim().to_owned();
            let t = f
                .get(type_at)
                .map(|t| t.trim().to_owned())
                .unwrap_or_default();
            Some(serde_json::json!({ "Name": n, "Type": t }))
        })
        .collect();
    let mut loaded = Loaded::default();
    let name = file_table_name(path);
    loaded.tables.push(load_table(&mut ctx, &name, &rows));
    loaded
}

/// The fields of one CSV line (`"..."` quoting with `""` for a quote).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    out.push(field);
    out
}

fn load_object(ctx: &mut Ctx<'_>, value: &Value, out: &mut Loaded) {
    let Value::Object(obj) = value else {
        ctx.warn(
            WarningKind::Invalid,
            "expected a table or function object ({\"Name\":..,\"Properties\":[..]} or {\"FunctionName\":..}); skipped".into(),
            None,
        );
        return;
    };
    if let Some(fname) = get(obj, &["FunctionName"]) {
        match fname.as_str().map(str::trim).filter(|s| !s.is_empty()) {
            Some(name) => out.functions.push(load_function(ctx, name, obj)),
            None => ctx.warn(
                WarningKind::Invalid,
                "`FunctionName` is not a non-empty string; function skipped".into(),
                None,
            ),
        }
        return;
    }
    // `az monitor log-analytics workspace table list`: the columns are in
    // `schema.columns` and `schema.standardColumns` (under `properties`
    // in the REST form).
    let az_schema = get(obj, &["schema"])
        .or_else(|| get(obj, &["properties"]).and_then(|p| p.get("schema")))
        .and_then(Value::as_object);
    if let Some(schema) = az_schema {
        let name = get(schema, &["name"])
            .or_else(|| get(obj, &["name"]))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let mut cols: Vec<Value> = Vec::new();
        for key in ["columns", "standardColumns"] {
            if let Some(Value::Array(a)) = get(schema, &[key]) {
                cols.extend(a.iter().cloned());
            }
        }
        match name {
            Some(name) => out.tables.push(load_table(ctx, name, &cols)),
            None => ctx.warn(
                WarningKind::Invalid,
                "a table of the workspace's table list has no `name`; skipped".into(),
                None,
            ),
        }
        return;
    }
    let name = get(obj, &["Name", "TableName"]).and_then(Value::as_str);
    let props = get(obj, &["Properties", "Columns"]);
    match (name.map(str::trim).filter(|s| !s.is_empty()), props) {
        (Some(name), Some(Value::Array(props))) => {
            out.tables.push(load_table(ctx, name, props));
        }
        (Some(name), _) => ctx.warn(
            WarningKind::Invalid,
            format!("table `{name}` has no `Properties` array of columns; skipped"),
            Some(name),
        ),
        (None, _) => ctx.warn(
            WarningKind::Invalid,
            "object has neither `Name` + `Properties` (a table) nor `FunctionName` (a function); skipped".into(),
            None,
        ),
    }
}

fn load_columns(ctx: &mut Ctx<'_>, owner: &str, props: &[Value]) -> Vec<Column> {
    let mut columns: Vec<Column> = Vec::with_capacity(props.len());
    for p in props {
        let Value::Object(p) = p else {
            ctx.warn(
                WarningKind::Invalid,
                format!("`{owner}`: a column is not an object; skipped"),
                Some(owner),
            );
            continue;
        };
        let Some(cname) = get(p, &["Name", "ColumnName"])
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            ctx.warn(
                WarningKind::Invalid,
                format!("`{owner}`: a column has no `Name`; skipped"),
                Some(owner),
            );
            continue;
        };
        if columns.iter().any(|c| c.name == cname) {
            ctx.warn(
                WarningKind::Redefined,
                format!("`{owner}`: column `{cname}` appears twice; the first is kept"),
                Some(cname),
            );
            continue;
        }
        let ty = ctx.scalar(
            get(p, &["Type", "DataType", "ColumnType"]),
            &format!("`{owner}.{cname}`"),
            cname,
        );
        columns.push(Column::new(cname, ty).with_origin(ColumnOrigin::User));
    }
    columns
}

fn load_table(ctx: &mut Ctx<'_>, name: &str, props: &[Value]) -> Table {
    let columns = load_columns(ctx, name, props);
    Table {
        name: name.into(),
        description: None,
        columns,
        connectors: Vec::new(),
        provenance: Provenance::User {
            path: ctx.path.to_owned(),
        },
        extensible: false,
        retired: Vec::new(),
        preview: false,
        formerly_preview: false,
    }
}

/// Parses a `table:(a:string, b:long)` / `table:(*)` parameter type; `None`
/// when `raw` is not a tabular type.
pub(crate) fn parse_table_param(raw: &str) -> Option<Result<StoredParamType, String>> {
    let t = raw.trim();
    let lower = t.to_ascii_lowercase();
    if !lower.starts_with("table") {
        return None;
    }
    let rest = t[5..].trim_start();
    let rest = rest.strip_prefix(':').unwrap_or(rest).trim();
    if rest.is_empty() {
        return Some(Ok(StoredParamType::Table {
            columns: Vec::new(),
            open: true,
        }));
    }
    let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) else {
        return Some(Err(format!("cannot read the table type `{raw}`")));
    };
    let mut columns = Vec::new();
    let mut open = false;
    for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part == "*" {
            open = true;
            continue;
        }
        let Some((n, ty)) = part.split_once(':') else {
            return Some(Err(format!(
                "cannot read `{part}` in the table type `{raw}`"
            )));
        };
        let n = n.trim().trim_start_matches("['").trim_end_matches("']");
        let ty = ScalarType::parse_lenient(ty).unwrap_or(ScalarType::Dynamic);
        columns.push(Column::new(n, ty).with_origin(ColumnOrigin::User));
    }
    Some(Ok(StoredParamType::Table { columns, open }))
}

fn load_function(
    ctx: &mut Ctx<'_>,
    name: &str,
    obj: &serde_json::Map<String, Value>,
) -> StoredFunction {
    let mut parameters: Vec<StoredParameter> = Vec::new();
    match get(obj, &["FunctionParameters", "Parameters"]) {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                let Value::Object(p) = item else {
                    ctx.warn(
                        WarningKind::Invalid,
                        format!("`{name}`: a parameter is not an object; skipped"),
                        Some(name),
                    );
                    continue;
                };
                let Some(pname) = get(p, &["Name"])
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                else {
                    ctx.warn(
                        WarningKind::Invalid,
                        format!("`{name}`: a parameter has no `Name`; skipped"),
                        Some(name),
                    );
                    continue;
                };
                if parameters.iter().any(|q| q.name == pname) {
                    ctx.warn(
                        WarningKind::Redefined,
                        format!("`{name}`: parameter `{pname}` appears twice; the first is kept"),
                        Some(pname),
                    );
                    continue;
                }
                let raw_type = get(p, &["Type"]).and_then(as_text);
                let ty = match raw_type.as_deref().and_then(parse_table_param) {
                    Some(Ok(t)) => t,
                    Some(Err(msg)) => {
                        ctx.warn(
                            WarningKind::Type,
                            format!("`{name}({pname})`: {msg}; using table:(*)"),
                            Some(pname),
                        );
                        StoredParamType::Table {
                            columns: Vec::new(),
                            open: true,
                        }
                    }
                    None => StoredParamType::Scalar(ctx.scalar(
                        get(p, &["Type"]),
                        &format!("`{name}({pname})`"),
                        pname,
                    )),
                };
                let default = get(p, &["DefaultValue", "Default"])
                    .and_then(as_text)
                    .filter(|d| !d.is_empty());
                let required = matches!(get(p, &["IsRequired"]), Some(Value::Bool(true)))
                    || matches!(get(p, &["IsRequired"]).and_then(Value::as_str), Some(s) if s.eq_ignore_ascii_case("true"));
                parameters.push(StoredParameter {
                    name: SmolStr::new(pname),
                    ty,
                    default,
                    required,
                });
            }
        }
        Some(_) => ctx.warn(
            WarningKind::Invalid,
            format!("`{name}`: `FunctionParameters` is not an array; no parameters read"),
            Some(name),
        ),
    }
    let result_columns = match get(obj, &["FunctionResultColumns", "ResultColumns"]) {
        Some(Value::Array(items)) => load_columns(ctx, name, items),
        None | Some(Value::Null) => Vec::new(),
        Some(_) => {
            ctx.warn(
                WarningKind::Invalid,
                format!(
                    "`{name}`: `FunctionResultColumns` is not an array; no result columns read"
                ),
                Some(name),
            );
            Vec::new()
        }
    };
    StoredFunction {
        name: name.into(),
        description: get(obj, &["Description"])
            .and_then(Value::as_str)
            .map(str::to_owned),
        parameters,
        // Without declared result columns nothing is known of the result.
        open_result: result_columns.is_empty(),
        result_columns,
        form: crate::FunctionForm::Table,
        params_unknown: false,
        provenance: Provenance::User {
            path: ctx.path.to_owned(),
        },
    }
}

/// Reads one file.
pub(crate) fn load_file(path: &Path, warnings: &mut Vec<SchemaLoadWarning>) -> Loaded {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            if matches!(text, std::borrow::Cow::Owned(_)) {
                warnings.push(SchemaLoadWarning {
                    path: path.to_owned(),
                    kind: WarningKind::Io,
                    message: "not valid UTF-8; bad bytes replaced".into(),
                    line: None,
                    column: None,
                });
            }
            if is_csv(path) {
                load_csv(path, &text, warnings)
            } else {
                load_text(path, &text, warnings)
            }
        }
        Err(e) => {
            warnings.push(SchemaLoadWarning {
                path: path.to_owned(),
                kind: WarningKind::Io,
                message: format!("cannot read: {e}"),
                line: None,
                column: None,
            });
            Loaded::default()
        }
    }
}

fn is_json(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn is_csv(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

fn is_schema_file(p: &Path) -> bool {
    is_json(p) || is_csv(p)
}

/// The schema files of a directory: its `*.json` files, then those of its
/// `CustomTables` and `CustomFunctions` subdirectories (any case), each list
/// sorted by name. Other subdirectories are not read.
pub(crate) fn dir_files(dir: &Path, warnings: &mut Vec<SchemaLoadWarning>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut subdirs = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    let n = e.file_name().to_string_lossy().to_ascii_lowercase();
                    if n == "customtables" || n == "customfunctions" {
                        subdirs.push(p);
                    }
                } else if is_schema_file(&p) {
                    files.push(p);
                }
            }
        }
        Err(e) => {
            warnings.push(SchemaLoadWarning {
                path: dir.to_owned(),
                kind: WarningKind::Io,
                message: format!("cannot read the schema directory: {e}"),
                line: None,
                column: None,
            });
            return files;
        }
    }
    files.sort();
    subdirs.sort();
    for sd in subdirs {
        let mut inner: Vec<PathBuf> = std::fs::read_dir(&sd)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_file() && is_schema_file(p))
                    .collect()
            })
            .unwrap_or_default();
        inner.sort();
        files.extend(inner);
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relax_keeps_positions_and_strings() {
        let text = "{\"a\": \"x, // not a comment ]\", // c\n \"b\": [1, 2,], /* x\n */ }";
        let relaxed = relax_json(text);
        assert_eq!(relaxed.len(), text.len());
        assert_eq!(relaxed.matches('\n').count(), 2);
        let v: Value = serde_json::from_str(&relaxed).unwrap();
        assert_eq!(v["a"], "x, // not a comment ]");
        assert_eq!(v["b"], serde_json::json!([1, 2]));
    }

    #[test]
    fn table_param_types() {
        assert_eq!(
            parse_table_param("table:(*)"),
            Some(Ok(StoredParamType::Table {
                columns: vec![],
                open: true
            }))
        );
        let Some(Ok(StoredParamType::Table { columns, open })) =
            parse_table_param("table:(TimeGenerated:datetime, Computer:string)")
        else {
            panic!()
        };
        assert!(!open);
        assert_eq!(columns.len(), 2);
        assert_eq!(columns[1].ty, ScalarType::String);
        assert_eq!(parse_table_param("string"), None);
    }
}
