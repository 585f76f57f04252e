//! Our hand-written fixtures (`fixtures/yaml/`): each is loaded, its query
//! mapping checked, and everything it yields snapshotted for review.

mod common;

use common::{check_mapping, fixture, fixtures_dir, pos, render};
use kqlint_diagnostics::Span;
use kqlint_source::{
    Chomping, Encoding, Limits, Precision, QueryStyle, ScalarTyping, Source, SourceKind,
};

#[test]
fn every_fixture_snapshot() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/yaml")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    assert!(names.len() >= 40, "{names:?}");
    for name in names {
        let src = fixture(&name);
        check_mapping(&src, &name);
        insta::assert_snapshot!(name.clone(), render(&src));
    }
}

fn text_of(src: &kqlint_source::Source) -> &str {
    src.text.as_deref().unwrap()
}

/// (code, 1-based line:column of the primary span's start).
fn diags(src: &kqlint_source::Source) -> Vec<(&'static str, String)> {
    let text = src.text.as_deref().unwrap_or("");
    src.diagnostics
        .iter()
        .map(|d| (d.name, pos(text, d.span.start)))
        .collect()
}

#[test]
fn literal_styles_are_exact_with_their_headers() {
    for (name, chomping, indicator, indent) in [
        ("literal-clip.yaml", Chomping::Clip, None, 2),
        ("literal-strip-comment.yaml", Chomping::Strip, None, 2),
        ("literal-keep.yaml", Chomping::Keep, None, 2),
        ("literal-indent-indicator.yaml", Chomping::Strip, Some(2), 2),
        ("literal-tabs.yaml", Chomping::Clip, None, 2),
        ("literal-non-ascii.yaml", Chomping::Clip, None, 2),
        ("indented-document.yaml", Chomping::Clip, None, 4),
        (
            "indented-document-indicator.yaml",
            Chomping::Clip,
            Some(2),
            4,
        ),
        ("crlf.yaml", Chomping::Clip, None, 2),
        ("parser-query.yaml", Chomping::Clip, None, 2),
        ("function-query.yaml", Chomping::Clip, None, 2),
    ] {
        let src = fixture(name);
        assert!(src.diagnostics.is_empty(), "{name}: {:?}", src.diagnostics);
        let q = src.query().unwrap();
        assert_eq!(q.style, QueryStyle::Literal, "{name}");
        assert!(q.is_exact(), "{name}");
        let b = q.block.unwrap();
        assert_eq!(
            (b.chomping, b.indent_indicator, b.indent),
            (chomping, indicator, indent),
            "{name}"
        );
    }
}

#[test]
fn literal_values_are_read_as_yaml_defines_them() {
    let q = |name| fixture(name).query().cloned().unwrap().text;
    assert_eq!(
        q("literal-strip-comment.yaml"),
        "\n\nSyslog\n| where SyslogMessage has \"BAD\""
    );
    assert_eq!(
        q("literal-keep.yaml"),
        "Syslog\n| where Computer == \"BAD\"\n\n\n"
    );
    assert_eq!(
        q("literal-indent-indicator.yaml"),
        "   // this comment starts with three spaces of content\n  SigninLogs\n    | where ResultType != 0 and UserPrincipalName == \"BAD\""
    );
    assert_eq!(
        q("indented-document-indicator.yaml"),
        " AuditLogs\n| where OperationName == \"BAD\"\n"
    );
    assert_eq!(
        q("crlf.yaml"),
        "SecurityEvent\n| where Account == \"BAD\" and Computer == \"äBAD\"\n\n| take 10\n"
    );
}

#[test]
fn leading_blank_lines_map_to_their_own_lines() {
    let src = fixture("literal-strip-comment.yaml");
    let text = text_of(&src);
    let q = src.query().unwrap();
    // Query line 1 is the empty line after the header (file line 4).
    assert_eq!(pos(text, q.map_offset(0)), "4:1");
    assert_eq!(pos(text, q.map_offset(1)), "5:3");
    assert_eq!(pos(text, q.map_offset(2)), "6:3");
}

#[test]
fn columns_count_characters() {
    let src = fixture("literal-non-ascii.yaml");
    let text = text_of(&src);
    let q = src.query().unwrap();
    let i = q.text.find("\"BAD\"").unwrap() as u32 + 1;
    // `  SecurityEvent | where Account == "äöü😀" and Computer == "BAD"`
    assert_eq!(pos(text, q.map_offset(i)), "6:60");
    let i = q.text.find("Größe !=").unwrap() as u32;
    assert_eq!(pos(text, q.map_offset(i)), "7:32");
}

#[test]
fn crlf_maps_line_breaks_to_the_whole_break() {
    let src = fixture("crlf.yaml");
    let text = text_of(&src);
    let q = src.query().unwrap();
    let nl = q.text.find('\n').unwrap() as u32;
    let span = q.map_span(Span::new(nl, nl + 1));
    assert_eq!(span.text(text), "\r\n");
    assert_eq!(pos(text, q.map_offset(nl + 1)), "5:3");
    // The end of the query is the end of its last line, not the next key.
    assert_eq!(pos(text, q.map_offset(q.text.len() as u32)), "7:12");
}

#[test]
fn folded_plain_and_quoted_map_every_character_to_its_source() {
    for (name, style) in [
        ("folded.yaml", QueryStyle::Folded),
        ("folded-keep.yaml", QueryStyle::Folded),
        ("crlf-folded.yaml", QueryStyle::Folded),
        ("plain-multiline.yaml", QueryStyle::Plain),
        ("plain-one-line.yaml", QueryStyle::Plain),
        ("single-quoted.yaml", QueryStyle::SingleQuoted),
        ("double-quoted.yaml", QueryStyle::DoubleQuoted),
    ] {
        let src = fixture(name);
        let q = src.query().unwrap();
        assert_eq!(q.style, style, "{name}");
        assert_eq!(q.precision(), Precision::Position, "{name}");
        assert!(!q.is_exact(), "{name}");
        assert!(q.text.matches("BAD").count() >= 1, "{name}");
    }
    let q = |name| fixture(name).query().cloned().unwrap().text;
    assert_eq!(
        q("folded.yaml"),
        "SecurityEvent | where EventID == 4625\n| where Account == \"BAD\"\n  and Computer == \"BAD\"\n| take 10\n"
    );
    assert_eq!(
        q("plain-multiline.yaml"),
        "SecurityEvent | where Account == \"BAD\" | where Computer == \"BAD\"\n| take 10"
    );
    assert_eq!(
        q("plain-one-line.yaml"),
        "Syslog | where Computer == \"BAD\" | take 5"
    );
    assert_eq!(
        q("single-quoted.yaml"),
        "SecurityEvent | where Account == 'BAD' and Computer has \"BAD\"\n| project Account, Note = 'it''s'"
    );
    assert_eq!(
        q("double-quoted.yaml"),
        "SecurityEvent | where Account == \"BAD\" and Path has @\"C:\\BAD\" | where x == \"ä\" and y == \"BAD\"\n| take 1\t | extend z = \"BAD\""
    );
}

#[test]
fn escapes_map_to_the_escape_sequence() {
    let src = fixture("double-quoted.yaml");
    let text = text_of(&src);
    let q = src.query().unwrap();
    let i = q.text.find('ä').unwrap() as u32;
    let span = q.map_span(Span::new(i, i + 'ä'.len_utf8() as u32));
    assert_eq!(span.text(text), "\\u00e4");
    let i = q.text.find("\\BAD").unwrap() as u32;
    assert_eq!(q.map_span(Span::new(i, i + 1)).text(text), "\\\\");
}

#[test]
fn broken_yaml_is_reported_at_the_exact_place() {
    assert_eq!(
        diags(&fixture("broken-tab-indent.yaml")),
        [("yaml-syntax-error", "4:1".to_owned())]
    );
    assert_eq!(
        diags(&fixture("broken-colon.yaml")),
        [("yaml-syntax-error", "2:20".to_owned())]
    );
    assert_eq!(
        diags(&fixture("broken-indentation.yaml")),
        [("yaml-syntax-error", "3:3".to_owned())]
    );
    let src = fixture("broken-unclosed-quote.yaml");
    assert_eq!(diags(&src), [("yaml-syntax-error", "2:7".to_owned())]);
    assert!(src.diagnostics[0].message.contains("closing quote"));
    let src = common::yaml("id: 1\nname: 'never closed\n  query: T\n");
    assert_eq!(diags(&src), [("yaml-syntax-error", "2:7".to_owned())]);
    assert!(src.diagnostics[0].message.contains("closing quote"));
    let src = fixture("broken-block-not-indented.yaml");
    assert_eq!(diags(&src), [("yaml-syntax-error", "4:1".to_owned())]);
    assert!(
        src.diagnostics[0]
            .message
            .contains("indented more than `query`")
    );
    let src = fixture("broken-block-less-indented.yaml");
    assert_eq!(diags(&src), [("yaml-syntax-error", "5:3".to_owned())]);
    assert!(
        src.diagnostics[0]
            .message
            .contains("indented less than the first line")
    );
    assert_eq!(src.query().unwrap().text, "SecurityEvent\n");
    let src = fixture("broken-unknown-alias.yaml");
    assert_eq!(diags(&src), [("yaml-syntax-error", "2:10".to_owned())]);
    assert!(src.diagnostics[0].message.contains("`*common_tactics`"));
    let d = diags(&fixture("broken-escape.yaml"));
    assert_eq!(d, [("yaml-syntax-error", "3:54".to_owned())]);
}

#[test]
fn a_query_read_before_the_syntax_error_is_still_given() {
    let src = fixture("broken-after-query.yaml");
    assert_eq!(diags(&src), [("yaml-syntax-error", "7:2".to_owned())]);
    assert!(
        src.yaml.is_none(),
        "a broken document has no tree for rule checks"
    );
    let q = src.query().unwrap();
    assert_eq!(q.text, "Syslog\n| where Computer == \"BAD\"\n");
    assert!(q.is_exact());
}

#[test]
fn duplicate_keys_warn_at_the_second_with_a_label_at_the_first() {
    let src = fixture("duplicate-keys.yaml");
    let text = text_of(&src);
    let dups: Vec<_> = src
        .diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d.name, "duplicate-key");
            assert_eq!(d.severity, kqlint_diagnostics::Severity::Warning);
            (pos(text, d.span.start), pos(text, d.labels[0].span.start))
        })
        .collect();
    assert_eq!(
        dups,
        [
            ("11:9".to_owned(), "10:9".to_owned()),
            ("12:1".to_owned(), "3:1".to_owned()),
            ("13:1".to_owned(), "4:1".to_owned()),
        ]
    );
    // The last value wins, as in Sentinel's loaders.
    let q = src.query().unwrap();
    assert!(q.text.starts_with("SecurityEvent"));
    let y = src.yaml.as_ref().unwrap();
    assert_eq!(y.to_json()["severity"], "High");
    assert_eq!(
        y.to_json()["entityMappings"][0]["fieldMappings"][0]["columnName"],
        "AccountName"
    );
}

#[test]
fn files_without_a_query() {
    assert_eq!(
        diags(&fixture("missing-query.yaml")),
        [("missing-query", "1:1".to_owned())]
    );
    let src = fixture("query-wrong-case.yaml");
    assert_eq!(diags(&src), [("missing-query", "3:1".to_owned())]);
    assert!(src.diagnostics[0].message.contains("`Query`"));
    assert_eq!(
        diags(&fixture("not-a-mapping.yaml")),
        [("not-a-mapping", "2:1".to_owned())]
    );
    assert_eq!(
        diags(&fixture("scalar-document.yaml")),
        [("not-a-mapping", "1:1".to_owned())]
    );
    assert_eq!(
        diags(&fixture("query-not-a-string.yaml")),
        [("query-not-a-string", "3:1".to_owned())]
    );
    assert_eq!(
        diags(&fixture("empty.yaml")),
        [("missing-query", "1:1".to_owned())]
    );
    for name in [
        "missing-query.yaml",
        "not-a-mapping.yaml",
        "query-not-a-string.yaml",
    ] {
        assert!(fixture(name).query().is_none(), "{name}");
    }
}

#[test]
fn an_empty_query_value_is_an_error() {
    // Kusto refuses an empty query, and YAML reads `query:` as null.
    let src = fixture("empty-query.yaml");
    assert!(src.query().is_none());
    assert_eq!(diags(&src), [("query-not-a-string", "3:1".to_owned())]);
    assert!(src.diagnostics[0].message.contains("has no value"));
}

#[test]
fn numbers_booleans_and_null_are_not_queries() {
    for (value, what) in [
        ("12345", "a number"),
        ("-1.5e3", "a number"),
        ("0x1F", "a number"),
        ("true", "a boolean"),
        ("False", "a boolean"),
        ("~", "null"),
        ("null", "null"),
    ] {
        let yaml = format!("id: 1\nquery: {value}\n");
        let src = Source::from_text("r.yaml", yaml, SourceKind::Yaml, &Limits::default());
        assert!(src.query().is_none(), "{value}");
        assert_eq!(
            diags(&src),
            [("query-not-a-string", "2:8".to_owned())],
            "{value}"
        );
        assert!(src.diagnostics[0].message.contains(what), "{value}");
        assert_eq!(
            src.diagnostics[0].severity,
            kqlint_diagnostics::Severity::Error
        );
    }
    // Text that looks like one is fine when it is quoted or a block.
    for yaml in [
        "query: '12345'\n",
        "query: \"true\"\n",
        "query: |\n  12345\n",
        "query: T\n",
    ] {
        let src = Source::from_text("r.yaml", yaml, SourceKind::Yaml, &Limits::default());
        assert!(src.query().is_some(), "{yaml}");
        assert!(src.diagnostics.is_empty(), "{yaml}");
    }
}

#[test]
fn an_aliased_query_takes_no_edits() {
    let plain = "id: 1\nquery: |\n  T\n  | take 1\n";
    let anchored_unused = "id: 1\nquery: &q |\n  T\n  | take 1\n";
    let anchored_used = "id: 1\nquery: &q |\n  T\n  | take 1\ndescription: *q\n";
    let an_alias = "x: &q |\n  T\n  | take 1\nquery: *q\n";
    let nested = "x: [&q \"T | take 1\"]\nquery: *q\n";
    for (yaml, refused) in [
        (plain, false),
        (anchored_unused, false),
        (anchored_used, true),
        (an_alias, true),
        (nested, false), // quoted: never exact anyway
    ] {
        let src = Source::from_text("r.yaml", yaml, SourceKind::Yaml, &Limits::default());
        let q = src.query().unwrap();
        assert!(
            q.text.starts_with("T") && q.text.contains("| take 1"),
            "{yaml}"
        );
        assert_eq!(q.edit_refusal().is_some(), refused, "{yaml}");
        if refused {
            assert!(!q.is_exact(), "{yaml}");
            let fix = kqlint_diagnostics::Fix::replace(
                "f",
                Span::new(0, 1),
                "U",
                kqlint_diagnostics::Applicability::Safe,
            );
            assert!(q.map_fix(&fix, text_of(&src)).is_none(), "{yaml}");
        }
    }
}

#[test]
fn only_the_first_document_is_checked() {
    let src = fixture("multiple-documents.yaml");
    assert_eq!(diags(&src), [("multiple-documents", "6:1".to_owned())]);
    assert_eq!(
        src.query().unwrap().text,
        "Syslog | where Computer == \"BAD\"\n"
    );
}

#[test]
fn aliases_expand_in_the_json_view() {
    let src = fixture("anchors.yaml");
    assert!(src.diagnostics.is_empty(), "{:?}", src.diagnostics);
    let y = src.yaml.as_ref().unwrap();
    let j = y.to_json();
    assert_eq!(j["relevantTechniques"], j["tactics"]);
    assert_eq!(
        j["entityMappings"][0]["fieldMappings"][0]["columnName"],
        "Account"
    );
    // The query under an anchor is mapped exactly too.
    let q = src.query().unwrap();
    assert!(q.is_exact());
}

#[test]
fn encodings() {
    let src = fixture("bom.yaml");
    assert_eq!(src.encoding, Encoding::Utf8Bom);
    assert!(src.diagnostics.is_empty());
    for (name, enc) in [
        ("utf16le.yaml", Encoding::Utf16Le),
        ("utf16be.yaml", Encoding::Utf16Be),
    ] {
        let src = fixture(name);
        assert_eq!(src.encoding, enc);
        assert!(src.diagnostics.is_empty(), "{name}");
        let q = src.query().unwrap();
        assert_eq!(q.text, "Syslog | where Computer == \"äBAD\"\n");
        assert!(q.is_exact());
    }
    let src = fixture("invalid-utf8.yaml");
    assert!(src.lossy);
    assert_eq!(diags(&src), [("invalid-utf8", "4:8".to_owned())]);
    let q = src.query().unwrap();
    assert_eq!(q.precision(), Precision::Exact);
    assert!(!q.is_exact(), "no fixes through a lossy text");
    let src = fixture("binary.yaml");
    assert!(src.text.is_none() && src.query().is_none());
    assert_eq!(src.diagnostics[0].name, "binary-file");
    let src = fixture("utf16-no-bom.yaml");
    assert_eq!(src.diagnostics[0].name, "binary-file");
    assert!(
        src.diagnostics[0]
            .help
            .as_deref()
            .unwrap()
            .contains("UTF-16")
    );
}

#[test]
fn kql_files_map_to_themselves() {
    let src = fixture("query.kql");
    assert!(src.diagnostics.is_empty());
    let q = src.query().unwrap();
    assert_eq!(q.style, QueryStyle::File);
    assert_eq!(&q.text, text_of(&src));
    assert!(q.is_exact());
    assert_eq!(q.map_span(Span::new(3, 9)), Span::new(3, 9));
    assert_eq!(q.map_offset(q.text.len() as u32), q.text.len() as u32);
}

#[test]
fn a_bom_left_in_an_editor_buffer_is_not_part_of_the_query() {
    let text = "\u{feff}T | take 1";
    let src = kqlint_source::Source::from_text(
        "b.kql",
        text,
        kqlint_source::SourceKind::Kql,
        &kqlint_source::Limits::default(),
    );
    let q = src.query().unwrap();
    assert_eq!(q.text, "T | take 1");
    assert!(q.is_exact());
    assert_eq!(q.map_span(Span::new(4, 8)).text(text), "take");
    assert_eq!(q.map_offset(10), text.len() as u32);
    let fix = kqlint_diagnostics::Fix::replace(
        "f",
        Span::new(4, 8),
        "limit",
        kqlint_diagnostics::Applicability::Safe,
    );
    let mapped = q.map_fix(&fix, text).unwrap();
    assert_eq!(mapped.edits[0].span.text(text), "take");
}

#[test]
fn json_view_types_scalars_but_keeps_raw_strings() {
    let src = common::yaml(
        "version: 1.0\ntriggerThreshold: 0\nenabled: true\nname: '1.0'\nnothing:\nq: ~\nquery: T\n",
    );
    let y = src.yaml.as_ref().unwrap();
    let core = y.to_json();
    assert_eq!(core["version"], serde_json::json!(1.0));
    assert_eq!(core["triggerThreshold"], serde_json::json!(0));
    assert_eq!(core["enabled"], serde_json::json!(true));
    assert_eq!(core["name"], serde_json::json!("1.0"));
    assert_eq!(core["nothing"], serde_json::Value::Null);
    assert_eq!(core["q"], serde_json::Value::Null);
    let strings = y.to_json_with(ScalarTyping::Strings);
    assert_eq!(strings["version"], "1.0");
    assert_eq!(strings["triggerThreshold"], "0");
    assert_eq!(y.get("version").unwrap().as_str(), Some("1.0"));
}

#[test]
fn json_pointers_find_key_and_value_spans() {
    let src = fixture("duplicate-keys.yaml");
    let text = text_of(&src);
    let y = src.yaml.as_ref().unwrap();
    let t = y
        .pointer("/entityMappings/0/fieldMappings/0/columnName")
        .unwrap();
    assert_eq!(t.key_span.unwrap().text(text), "columnName");
    assert_eq!(pos(text, t.key_span.unwrap().start), "11:9");
    assert_eq!(t.value_span.text(text), "AccountName");
    let t = y.pointer("/entityMappings/0").unwrap();
    assert!(t.key_span.is_none());
    assert_eq!(pos(text, t.value_span.start), "7:5");
    assert!(y.pointer("/entityMappings/1").is_none());
    assert!(y.pointer("/entityMappings/00").is_none());
    let near = y.pointer_nearest("/entityMappings/0/fieldMappings/3/columnName");
    assert_eq!(near.key_span.unwrap().text(text), "fieldMappings");
    assert_eq!(y.pointer("").unwrap().value_span, y.span);
    // `~1` and `~0` escapes.
    let src = common::yaml("\"a/b\": 1\n\"c~d\": 2\nquery: T\n");
    let y = src.yaml.as_ref().unwrap();
    assert_eq!(y.pointer("/a~1b").unwrap().node.as_str(), Some("1"));
    assert_eq!(y.pointer("/c~0d").unwrap().node.as_str(), Some("2"));
}

#[test]
fn walk_visits_every_node_with_its_pointer() {
    let src = common::yaml("a: 1\n\"x/y\": [p, {q: r}]\nquery: T\n");
    let y = src.yaml.as_ref().unwrap();
    let seen: Vec<String> = y.walk().map(|(p, _)| p).collect();
    assert_eq!(
        seen,
        [
            "",
            "/a",
            "/x~1y",
            "/x~1y/0",
            "/x~1y/1",
            "/x~1y/1/q",
            "/query"
        ]
    );
    for (p, node) in y.walk() {
        assert_eq!(y.pointer(&p).unwrap().node, node, "{p}");
    }
    // Every scalar of a real rule, found again through its pointer.
    let src = fixture("duplicate-keys.yaml");
    let y = src.yaml.as_ref().unwrap();
    let scalars = y.walk().filter(|(_, n)| n.as_str().is_some()).count();
    // Duplicate keys are all visited (under the same pointer).
    assert_eq!(scalars, 10);
}
