//! Registry metadata of every diagnostic this crate emits: `yaml`
//! (KQL500–KQL599) and `io` / resource limits (KQL900–KQL999).

use kqlint_diagnostics::{Category, ExampleKind, RuleMeta, Severity};

/// Every rule this crate declares, in code order.
pub static RULES: &[&RuleMeta] = &[
    &YAML_SYNTAX_ERROR,
    &DUPLICATE_KEY,
    &MULTIPLE_DOCUMENTS,
    &NOT_A_MAPPING,
    &MISSING_QUERY,
    &QUERY_NOT_A_STRING,
    &UNREADABLE_FILE,
    &INVALID_UTF8,
    &BINARY_FILE,
    &FILE_TOO_LARGE,
    &YAML_TOO_DEEP,
    &YAML_TOO_MANY_NODES,
    &INVALID_UTF16,
    &JSON_SYNTAX_ERROR,
    &UNCLOSED_FENCE,
    &INVALID_MARKDOWN_DIRECTIVE,
    &ARM_EXPRESSION_QUERY,
    &BICEP_NOT_READ,
    &MISSING_LINKED_QUERY,
];

pub static YAML_SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "KQL501",
    name: "yaml-syntax-error",
    category: Category::Yaml,
    severity: Severity::Error,
    summary: "The file is not valid YAML",
    what: "Reports the first place where the YAML parser cannot go on: a TAB used for indentation, a \
           line indented differently from its siblings, a `: ` inside an unquoted value, an unclosed \
           quote or bracket. The position is the exact line and column of the problem.",
    why: "Sentinel, the Azure-Sentinel CI and the portal import refuse a rule file that is not valid \
          YAML, so the rule is never deployed. kqlint still checks the query when the YAML broke \
          after the query's value was complete, but the rule-level checks need the whole file.",
    fix: "Fix the YAML at the reported position. Indent with spaces only, keep sibling keys at the \
          same column, and quote values that contain `: ` or start with a YAML indicator \
          (`*`, `&`, `!`, `%`, `@`, a backquote).",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[
        "id: 1\n\tname: tab-indented\nquery: |\n  SecurityEvent\n",
        "name: Failed logon: too many\nquery: |\n  SecurityEvent\n",
        "name: \"never closed\nquery: |\n  SecurityEvent\n",
    ],
    pass: &["id: 1\nname: \"Failed logon: too many\"\nquery: |\n  SecurityEvent\n  | take 10\n"],
};

pub static DUPLICATE_KEY: RuleMeta = RuleMeta {
    code: "KQL502",
    name: "duplicate-key",
    category: Category::Yaml,
    severity: Severity::Warning,
    summary: "A key appears twice in the same mapping",
    what: "Reports the second occurrence of a key in one YAML mapping, with a label at the first.",
    why: "Sentinel's loaders (YamlDotNet, PyYAML) keep the last value silently, so an edit made to the \
          first copy has no effect; the Azure-Sentinel CI's js-yaml check rejects the file outright. \
          kqlint, like Sentinel, uses the last value.",
    fix: "Delete one of the two entries, keeping the value you mean.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &["id: 1\nseverity: Low\nseverity: High\nquery: |\n  SecurityEvent\n"],
    pass: &["id: 1\nseverity: High\nquery: |\n  SecurityEvent\n"],
};

pub static MULTIPLE_DOCUMENTS: RuleMeta = RuleMeta {
    code: "KQL503",
    name: "multiple-documents",
    category: Category::Yaml,
    severity: Severity::Warning,
    summary: "The file holds more than one YAML document",
    what: "Reports the start of the second YAML document (a second `---`) in a rule file.",
    why: "A Sentinel rule file describes one rule; Sentinel's deserializer reads one document and \
          ignores or refuses the rest. kqlint checks only the first document.",
    fix: "Put each rule in a file of its own, or delete the stray `---` line.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &["id: 1\nquery: |\n  SecurityEvent\n---\nid: 2\nquery: |\n  Syslog\n"],
    pass: &["---\nid: 1\nquery: |\n  SecurityEvent\n"],
};

pub static NOT_A_MAPPING: RuleMeta = RuleMeta {
    code: "KQL504",
    name: "not-a-mapping",
    category: Category::Yaml,
    severity: Severity::Warning,
    summary: "The YAML document is not a mapping of keys to values",
    what: "Reports a YAML file whose top-level value is a list or a single value rather than \
           `key: value` pairs.",
    why: "A Sentinel rule, hunting query or parser is a mapping with keys such as `id`, `name` and \
          `query`; a file of another shape is not a rule file, so kqlint has nothing to check in it.",
    fix: "If this is a rule, write it as `key: value` lines at the left margin. If it is not a rule \
          file, exclude it from the paths kqlint checks.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &["- id: 1\n  query: SecurityEvent\n"],
    pass: &["id: 1\nquery: SecurityEvent\n"],
};

pub static MISSING_QUERY: RuleMeta = RuleMeta {
    code: "KQL505",
    name: "missing-query",
    category: Category::Yaml,
    severity: Severity::Warning,
    summary: "The YAML file has no `query` key",
    what: "Reports a YAML mapping with none of the keys that hold KQL: `query` (analytic rules, hunting \
           and exploration queries), `ParserQuery` (ASIM parsers) or `FunctionQuery` (solution \
           parsers). The keys are case-sensitive; a near miss such as `Query:` is named in the message \
           (`Query` is read only in the PascalCase dialect some deployment tools write, recognised by \
           other PascalCase keys such as `DisplayName` and `QueryFrequency` and no camelCase `id` or \
           `name`).",
    why: "Without one of these keys there is no query for Sentinel to run or for kqlint to check.",
    fix: "Add the query under a top-level `query: |` key, or correct the key's spelling and case.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[
        "id: 1\nname: no query here\n",
        "id: 1\nQuery: |\n  SecurityEvent\n",
    ],
    pass: &[
        "id: 1\nquery: |\n  SecurityEvent\n",
        "ParserName: ASimDns\nParserQuery: |\n  DnsEvents\n",
        "FunctionName: F\nFunctionQuery: |\n  Syslog\n",
    ],
};

pub static QUERY_NOT_A_STRING: RuleMeta = RuleMeta {
    code: "KQL506",
    name: "query-not-a-string",
    category: Category::Yaml,
    severity: Severity::Error,
    summary: "The `query` value is not text: a number, a boolean, null (no value), a list or a mapping",
    what: "Reports a `query` (or `ParserQuery` / `FunctionQuery`) whose value YAML does not read as \
           text: a plain `12345` or `1.5` (a number), `true` or `false` (a boolean), `~`, `null` or \
           nothing at all after the `:` (null: the query is empty), or a YAML list or mapping, \
           typically because the query's first line was indented under the key without a `|` block \
           indicator and looks like `key: value` or `- item`.",
    why: "Sentinel reads the query as one string and Kusto refuses an empty query; a value of another \
          type cannot be run and fails the import (Kusto.Language's own tooling stops at \
          \"YAML 'query' is not a string\").",
    fix: "Write the query as a literal block: `query: |` followed by the query lines, indented.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[
        "id: 1\nquery:\n  - SecurityEvent\n  - Syslog\n",
        "id: 1\nquery: 12345\n",
        "id: 1\nquery: true\n",
        "id: 1\nquery:\nseverity: Low\n",
    ],
    pass: &[
        "id: 1\nquery: |\n  - SecurityEvent\n",
        "id: 1\nquery: |\n  print 12345\n",
    ],
};

pub static UNREADABLE_FILE: RuleMeta = RuleMeta {
    code: "KQL901",
    name: "unreadable-file",
    category: Category::Io,
    severity: Severity::Error,
    summary: "The file could not be read",
    what: "Reports a file that the operating system would not let kqlint read (missing, a directory, \
           no permission, an I/O error), with the operating system's own error message, and a path \
           that is not a regular file: a named pipe (FIFO), a socket or a device, whether named or \
           found in a directory (standard input is read when the path is `-`).",
    why: "A file that cannot be read cannot be checked; reporting it keeps a CI run from passing \
          silently.",
    fix: "Check the path and the file's permissions.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::None,
    fail: &[],
    pass: &[],
};

pub static INVALID_UTF8: RuleMeta = RuleMeta {
    code: "KQL902",
    name: "invalid-utf8",
    category: Category::Io,
    severity: Severity::Error,
    summary: "The file is not valid UTF-8",
    what: "Reports the first byte that is not valid UTF-8, at its exact line and column, and how many \
           more there are. When the byte is a Windows-1252 character the message says which one. \
           kqlint goes on checking the file with each bad sequence replaced by `\u{FFFD}`, so other \
           problems are still reported, but it never applies fixes to such a file: writing it back \
           would replace the bad bytes.",
    why: "Sentinel and the Azure-Sentinel CI read rule files as UTF-8; a file saved in a legacy code \
          page shows garbled text in the portal or fails to load.",
    fix: "Save the file as UTF-8 (most editors: \"Save with Encoding\" or \"Reopen with Encoding\" \
          followed by a save as UTF-8).",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::None,
    fail: &[],
    pass: &[],
};

pub static BINARY_FILE: RuleMeta = RuleMeta {
    code: "KQL903",
    name: "binary-file",
    category: Category::Io,
    severity: Severity::Error,
    summary: "The file holds NUL bytes: it is binary, not text",
    what: "Reports a file that contains a NUL byte (after decoding a UTF-16 byte-order mark). Such a \
           file is not checked further. A UTF-16 file saved without a byte-order mark looks like this \
           too; the message says so when the NUL bytes suggest it.",
    why: "Neither YAML nor KQL allows NUL characters; a file with them is binary or in an encoding \
          kqlint cannot recognise, and checking it would only produce noise.",
    fix: "Check that the path points at a text file; save UTF-16 files as UTF-8 (or with a \
          byte-order mark).",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::None,
    fail: &[],
    pass: &[],
};

pub static FILE_TOO_LARGE: RuleMeta = RuleMeta {
    code: "KQL904",
    name: "file-too-large",
    category: Category::Io,
    severity: Severity::Error,
    summary: "The file is larger than the size limit",
    what: "Reports a file above the size limit (10 MiB by default) without reading it.",
    why: "Real rule files and queries are a few kilobytes; a huge file is almost always a mistake \
          (a log, a data dump) and would cost time and memory for nothing.",
    fix: "Exclude the file from the paths kqlint checks, or raise the limit in the configuration.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::None,
    fail: &[],
    pass: &[],
};

pub static YAML_TOO_DEEP: RuleMeta = RuleMeta {
    code: "KQL905",
    name: "yaml-too-deep",
    category: Category::Io,
    severity: Severity::Error,
    summary: "The YAML nesting is deeper than the limit",
    what: "Reports the first collection nested deeper than the limit (128 levels by default, counting \
           what aliases expand to). The YAML is not checked further.",
    why: "Rule files are nested a few levels deep; thousands of levels are hostile or broken input \
          and would make every tool that walks the tree recursively crash.",
    fix: "Flatten the document; if it is not a rule file, exclude it from the paths kqlint checks.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[
        "a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\nquery: T\n",
    ],
    pass: &["a: [[[1]]]\nquery: T\n"],
};

pub static YAML_TOO_MANY_NODES: RuleMeta = RuleMeta {
    code: "KQL906",
    name: "yaml-too-many-nodes",
    category: Category::Io,
    severity: Severity::Error,
    summary: "The YAML expands to more nodes than the limit",
    what: "Reports the alias (`*name`) or value at which the document grows past the node limits: \
           10,000 nodes created by aliases, or 1,000,000 nodes in all, by default. The YAML is not \
           checked further.",
    why: "A few nested anchors and aliases can expand to billions of values (the \"billion laughs\" \
          attack), exhausting memory; no rule file needs that.",
    fix: "Write the values out instead of nesting aliases; if it is not a rule file, exclude it.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nquery: T\n",
    ],
    pass: &["a: &a [x, x]\nb: [*a, *a]\nquery: T\n"],
};

pub static INVALID_UTF16: RuleMeta = RuleMeta {
    code: "KQL907",
    name: "invalid-utf16",
    category: Category::Io,
    severity: Severity::Error,
    summary: "A file marked as UTF-16 is not valid UTF-16",
    what: "Reports a file that starts with a UTF-16 byte-order mark but has an odd number of bytes or \
           an unpaired surrogate, at the position of the first bad unit. Like `invalid-utf8`, the \
           file is still checked with `\u{FFFD}` in place of the bad units, and fixes are not applied.",
    why: "The text cannot be decoded faithfully, so what kqlint (and Sentinel) read is not what the \
          author wrote.",
    fix: "Save the file as UTF-8.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::None,
    fail: &[],
    pass: &[],
};

pub static JSON_SYNTAX_ERROR: RuleMeta = RuleMeta {
    code: "KQL507",
    name: "json-syntax-error",
    category: Category::Yaml,
    severity: Severity::Error,
    summary: "A JSON file that holds rules is not valid JSON",
    what: "Reports the first place where a JSON file with a `query` or `queryText` key (an ARM \
           template, a Sentinel solution package, a Defender XDR detection rule) stops being JSON: a \
           comma after the last entry, a key or text in single quotes, a line break inside a string, a \
           missing comma. The `//` and `/* */` comments ARM templates allow are accepted. A JSON file \
           without those keys is not read at all.",
    why: "Azure Resource Manager, the Graph API and the portal refuse a template or rule that is not \
          valid JSON, so none of its rules is deployed, and kqlint cannot find the queries in it.",
    fix: "Fix the JSON at the reported position.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Json,
    fail: &["{\"displayName\": \"x\", \"queryCondition\": {\"queryText\": \"DeviceEvents\",}}\n"],
    pass: &["{\"displayName\": \"x\", \"queryCondition\": {\"queryText\": \"DeviceEvents\"}}\n"],
};

pub static UNCLOSED_FENCE: RuleMeta = RuleMeta {
    code: "KQL508",
    name: "unclosed-fence",
    category: Category::Yaml,
    severity: Severity::Warning,
    summary: "A Markdown code block is not closed before the next KQL block opens",
    what: "Reports the opening fence of a Markdown code block that holds a query when a line such as \
           ```` ```kql ```` comes before its closing fence. Markdown reads that line as code, not as a new \
           block, so the first block runs on to the next bare fence, prose included. kqlint ends the \
           query where the author meant it to end, so the prose is not checked as KQL.",
    why: "The rendered page shows the prose after the query as code and the second query as text; \
          readers who copy the block copy both.",
    fix: "Close the block with a line of three backticks (or the fence it was opened with) before the \
          next block.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Markdown,
    fail: &["```kql\nSecurityEvent\n| take 1\n\nThe same for Syslog:\n\n```kql\nSyslog\n```\n"],
    pass: &[
        "```kql\nSecurityEvent\n| take 1\n```\n\nThe same for Syslog:\n\n```kql\nSyslog\n```\n",
    ],
};

pub static INVALID_MARKDOWN_DIRECTIVE: RuleMeta = RuleMeta {
    code: "KQL509",
    name: "invalid-markdown-directive",
    category: Category::Yaml,
    severity: Severity::Warning,
    summary: "A `<!-- kqlint: ... -->` comment in Markdown is not a directive kqlint knows",
    what: "Reports an HTML comment starting with `kqlint:` whose words are not one of kqlint's \
           Markdown directives: `skip` (the next code block), `skip-file`, `untagged off` / `untagged \
           on` (the heuristic for untagged and mislabelled blocks), `platform defender` / `platform \
           sentinel` (the platform of the blocks that follow).",
    why: "A directive kqlint cannot read does nothing: the block it was meant to skip is still \
          checked, or the platform it was meant to set is not.",
    fix: "Correct the directive's words, or remove the comment.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Markdown,
    fail: &["<!-- kqlint: ignore -->\n```kql\nSecurityEvent\n```\n"],
    pass: &["<!-- kqlint: skip -->\n```kql\nSecurityEvent | where (\n```\n"],
};

pub static ARM_EXPRESSION_QUERY: RuleMeta = RuleMeta {
    code: "KQL510",
    name: "arm-expression-query",
    category: Category::Yaml,
    severity: Severity::Info,
    summary: "An ARM template's query is a template expression, so kqlint cannot check it",
    what: "Notes a rule in an ARM template (or a Bicep file) whose `query` is a template expression \
           such as `[concat(variables('q1'), parameters('filter'))]` or `[parameters('query')]`: its \
           text exists only when the template is deployed. `[variables('name')]` of a variable that \
           holds the query's text is checked where the variable is written, and so is a Bicep string.",
    why: "kqlint checks only the queries it can read; this note says which rule was left alone, so a \
          clean report is not taken for a checked one.",
    fix: "Write the query as text in the template, or in a variable that the query refers to with \
          `[variables('name')]`.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Json,
    fail: &[
        "{\"resources\": [{\"type\": \"Microsoft.SecurityInsights/alertRules\", \"kind\": \"Scheduled\",\n  \"properties\": {\"query\": \"[concat('SecurityEvent | where EventID == ', parameters('id'))]\"}}]}\n",
    ],
    pass: &[
        "{\"variables\": {\"q\": \"SecurityEvent\\n| take 1\"},\n \"resources\": [{\"type\": \"Microsoft.SecurityInsights/alertRules\", \"kind\": \"Scheduled\",\n  \"properties\": {\"query\": \"[variables('q')]\"}}]}\n",
    ],
};

pub static BICEP_NOT_READ: RuleMeta = RuleMeta {
    code: "KQL511",
    name: "bicep-not-read",
    category: Category::Yaml,
    severity: Severity::Warning,
    summary: "kqlint could not read part of a Bicep file that holds analytic rules",
    what: "Reports where kqlint's reader of Bicep `resource` declarations stopped in a file with \
           `alertRules` resources: an unclosed string, comment or bracket. kqlint reads the \
           declarations' literal values and treats every other value as an expression; it is not a \
           Bicep compiler.",
    why: "The rule resources after that place are not checked, so their queries and fields may hold \
          mistakes kqlint would otherwise report.",
    fix: "Check the file with `az bicep build`; if it is valid Bicep, please report the file to kqlint.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Bicep,
    fail: &[
        "resource r 'Microsoft.SecurityInsights/alertRules@2023-02-01' = {\n  properties: {\n    query: 'SecurityEvent\n  }\n}\n",
    ],
    pass: &[
        "resource r 'Microsoft.SecurityInsights/alertRules@2023-02-01' = {\n  properties: {\n    query: 'SecurityEvent'\n  }\n}\n",
    ],
};

pub static MISSING_LINKED_QUERY: RuleMeta = RuleMeta {
    code: "KQL908",
    name: "missing-linked-query",
    category: Category::Io,
    severity: Severity::Error,
    summary: "A Bicep rule loads its query from a file that does not exist",
    what: "Reports a Bicep analytic rule whose `query` is `loadTextContent('path')` of a file that is \
           not there, relative to the Bicep file.",
    why: "`az bicep build` and the deployment fail, and the rule's query cannot be checked.",
    fix: "Correct the path (it is relative to the Bicep file), or add the file.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::None,
    fail: &[],
    pass: &[],
};
