#![allow(dead_code)]

//! Reader of the knowledge fact files, `schemas/facts/*.facts` (the format is
//! in `schemas/facts/README.md`). Strict: a line it does not understand is
//! an error naming the file and line, so an extractor that drifts from the
//! format fails the generator instead of losing facts.

use kql_schema::{FunctionForm, Platform, ScalarType, SourceKind};
use std::path::Path;

/// Where a record was read from.
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub path: String,
    pub date: Option<String>,
    pub commit: Option<String>,
}

#[derive(Clone, Debug)]
pub struct FactTable {
    pub name: String,
    pub pages: Vec<Page>,
    pub columns: Vec<(String, ScalarType)>,
    pub open: bool,
    /// The source marks the table as a preview (its columns still change).
    pub preview: bool,
}

#[derive(Clone, Debug)]
pub struct FactParam {
    pub name: String,
    /// A KQL scalar type, or a tabular type as written (`table:(...)`).
    pub ty: String,
    pub default: Option<String>,
    pub optional: bool,
}

#[derive(Clone, Debug)]
pub struct FactFunction {
    pub name: String,
    pub pages: Vec<Page>,
    pub form: FunctionForm,
    pub params: Vec<FactParam>,
    pub columns: Vec<(String, ScalarType)>,
    pub open: bool,
    pub params_unknown: bool,
    pub reads: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct FactConnector {
    pub id: String,
    pub pages: Vec<Page>,
    pub feeds: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Header {
    /// Each `@source` line's attributes as written (`repo=... commit=... path=...`).
    pub sources: Vec<String>,
    pub extractor: String,
    pub platform: Platform,
    pub provenance: SourceKind,
}

#[derive(Clone, Debug)]
pub struct FactFile {
    pub name: String,
    pub header: Header,
    pub tables: Vec<FactTable>,
    pub functions: Vec<FactFunction>,
    pub connectors: Vec<FactConnector>,
}

enum Rec {
    None,
    Table(FactTable),
    Function(FactFunction),
    Connector(FactConnector),
}

/// Splits a line into fields: single spaces separate, `"..."` quotes a
/// field with spaces (`""` inside is one `"`).
fn fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') || chars.peek() == Some(&'\t') {
            chars.next();
        }
        let Some(&c) = chars.peek() else { break };
        let mut f = String::new();
        if c == '"' {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        f.push('"');
                    }
                    Some('"') => break,
                    Some(c) => f.push(c),
                    None => return Err("unterminated quoted field".into()),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' || c == '\t' {
                    break;
                }
                f.push(c);
                chars.next();
            }
        }
        out.push(f);
    }
    Ok(out)
}

fn scalar(raw: &str) -> Result<ScalarType, String> {
    ScalarType::parse(raw).ok_or_else(|| format!("`{raw}` is not a KQL type"))
}

fn page(f: &[String]) -> Result<Page, String> {
    let mut p = Page {
        path: f.first().ok_or("`page` needs a path")?.clone(),
        ..Page::default()
    };
    for a in &f[1..] {
        match a.split_once('=') {
            Some(("date", v)) => p.date = Some(v.to_owned()),
            Some(("commit", v)) => p.commit = Some(v.to_owned()),
            _ => return Err(format!("unknown page attribute `{a}`")),
        }
    }
    Ok(p)
}

pub fn parse(path: &Path) -> FactFile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_text(&path.file_name().unwrap().to_string_lossy(), &text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn parse_text(name: &str, text: &str) -> Result<FactFile, String> {
    let mut sources = Vec::new();
    let (mut extractor, mut platform, mut provenance) = (None, None, None);
    let mut file = FactFile {
        name: name.to_owned(),
        header: Header {
            sources: Vec::new(),
            extractor: String::new(),
            platform: Platform::Sentinel,
            provenance: SourceKind::Documented,
        },
        tables: Vec::new(),
        functions: Vec::new(),
        connectors: Vec::new(),
    };
    let mut rec = Rec::None;
    let flush = |rec: &mut Rec, file: &mut FactFile| match std::mem::replace(rec, Rec::None) {
        Rec::None => {}
        Rec::Table(t) => file.tables.push(t),
        Rec::Function(f) => file.functions.push(f),
        Rec::Connector(c) => file.connectors.push(c),
    };
    for (i, raw) in text.lines().enumerate() {
        let at = |e: String| format!("line {}: {e}", i + 1);
        // A comment starts the line or follows a field after whitespace.
        let line = match raw.find(" #") {
            Some(n) if !raw[..n].contains('"') => &raw[..n],
            _ => raw,
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f = fields(line).map_err(at)?;
        let (kw, rest) = (f[0].as_str(), &f[1..]);
        let one = || -> Result<String, String> {
            match rest {
                [v] => Ok(v.clone()),
                _ => Err(format!("`{kw}` takes one value")),
            }
        };
        match kw {
            "@source" => sources.push(rest.join(" ")),
            "@extractor" => extractor = Some(one().map_err(at)?),
            "@platform" => platform = Some(one().map_err(at)?.parse::<Platform>().map_err(at)?),
            "@provenance" => {
                provenance = Some(match one().map_err(at)?.as_str() {
                    "documented" => SourceKind::Documented,
                    "ci-stub" => SourceKind::CiStub,
                    "parser" => SourceKind::Parser,
                    other => return Err(at(format!("unknown provenance `{other}`"))),
                })
            }
            "table" => {
                flush(&mut rec, &mut file);
                rec = Rec::Table(FactTable {
                    name: one().map_err(at)?,
                    pages: Vec::new(),
                    columns: Vec::new(),
                    open: false,
                    preview: false,
                });
            }
            "function" => {
                flush(&mut rec, &mut file);
                rec = Rec::Function(FactFunction {
                    name: one().map_err(at)?,
                    pages: Vec::new(),
                    form: FunctionForm::Table,
                    params: Vec::new(),
                    columns: Vec::new(),
                    open: false,
                    params_unknown: false,
                    reads: Vec::new(),
                });
            }
            "connector" => {
                flush(&mut rec, &mut file);
                rec = Rec::Connector(FactConnector {
                    id: one().map_err(at)?,
                    pages: Vec::new(),
                    feeds: Vec::new(),
                });
            }
            "page" => {
                let p = page(rest).map_err(at)?;
                match &mut rec {
                    Rec::Table(t) => t.pages.push(p),
                    Rec::Function(f) => f.pages.push(p),
                    Rec::Connector(c) => c.pages.push(p),
                    Rec::None => return Err(at("`page` outside a record".into())),
                }
            }
            "column" => {
                let [n, ty] = rest else {
                    return Err(at("`column` takes a name and a type".into()));
                };
                let c = (n.clone(), scalar(ty).map_err(at)?);
                match &mut rec {
                    Rec::Table(t) => t.columns.push(c),
                    Rec::Function(f) => f.columns.push(c),
                    _ => return Err(at("`column` outside a table or function".into())),
                }
            }
            "preview" => match &mut rec {
                Rec::Table(t) => t.preview = true,
                _ => return Err(at("`preview` outside a table".into())),
            },
            "open" => match &mut rec {
                Rec::Table(t) => t.open = true,
                Rec::Function(f) => f.open = true,
                _ => return Err(at("`open` outside a table or function".into())),
            },
            "form" => {
                let Rec::Function(func) = &mut rec else {
                    return Err(at("`form` outside a function".into()));
                };
                func.form = match one().map_err(at)?.as_str() {
                    "invoke" => FunctionForm::Invoke,
                    "table" => FunctionForm::Table,
                    "scalar" => FunctionForm::Scalar,
                    other => return Err(at(format!("unknown form `{other}`"))),
                };
            }
            "param" => {
                let Rec::Function(func) = &mut rec else {
                    return Err(at("`param` outside a function".into()));
                };
                let [n, ty, attrs @ ..] = rest else {
                    return Err(at("`param` takes a name and a type".into()));
                };
                let mut p = FactParam {
                    name: n.clone(),
                    ty: ty.clone(),
                    default: None,
                    optional: false,
                };
                for a in attrs {
                    match a.split_once('=') {
                        Some(("default", v)) => {
                            p.default = Some(v.to_owned());
                            p.optional = true;
                        }
                        None if a == "optional" => p.optional = true,
                        _ => return Err(at(format!("unknown param attribute `{a}`"))),
                    }
                }
                func.params.push(p);
            }
            "params" => {
                let Rec::Function(func) = &mut rec else {
                    return Err(at("`params` outside a function".into()));
                };
                match one().map_err(at)?.as_str() {
                    "unknown" => func.params_unknown = true,
                    other => return Err(at(format!("`params {other}`: only `params unknown`"))),
                }
            }
            "reads" => {
                let Rec::Function(func) = &mut rec else {
                    return Err(at("`reads` outside a function".into()));
                };
                func.reads.push(one().map_err(at)?);
            }
            "feeds" => {
                let Rec::Connector(c) = &mut rec else {
                    return Err(at("`feeds` outside a connector".into()));
                };
                c.feeds.push(one().map_err(at)?);
            }
            other => return Err(at(format!("unknown keyword `{other}`"))),
        }
    }
    flush(&mut rec, &mut file);
    if sources.is_empty() {
        return Err("no `@source` line".into());
    }
    file.header = Header {
        sources,
        extractor: extractor.ok_or("no `@extractor` line")?,
        platform: platform.ok_or("no `@platform` line")?,
        provenance: provenance.ok_or("no `@provenance` line")?,
    };
    Ok(file)
}

#[test]
fn parses_every_kind_of_record() {
    let f = parse_text(
        "x.facts",
        r#"@source repo=a/b commit=0123 path=x
@extractor tools/knowledge/x.py
@platform defender
@provenance documented
# a comment
table "Odd Name"
page p.md date=2024-01-02 commit=abc
column A string   # trailing comment
column B long
function F
form invoke
param x string
param y int default=100
column G long
open
connector C
feeds T
"#,
    )
    .unwrap();
    assert_eq!(f.header.platform, Platform::Defender);
    assert_eq!(f.tables[0].name, "Odd Name");
    assert_eq!(f.tables[0].columns.len(), 2);
    assert_eq!(f.tables[0].pages[0].date.as_deref(), Some("2024-01-02"));
    let func = &f.functions[0];
    assert_eq!(func.form, FunctionForm::Invoke);
    assert!(func.open && func.params[1].optional);
    assert_eq!(f.connectors[0].feeds, ["T"]);
    assert!(parse_text("y", "@source x\ncolumn A string\n").is_err());
    assert!(parse_text("y", "@source x\ntable T\ncolumn A nosuchtype\n").is_err());
}
