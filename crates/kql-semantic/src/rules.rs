//! Registry metadata of every diagnostic this crate emits: `semantic`
//! (KQL100–KQL149), the DeviceNetworkEvents ActionType checks
//! (KQL150–KQL169) and, in the `io` range, the analysis limits (KQL940–949,
//! declared in `budget.rs`).

use kqlint_diagnostics::{Category, ExampleKind, RuleMeta, Severity};

/// Every rule this crate declares, in code order.
pub static RULES: &[&RuleMeta] = &[
    &UNKNOWN_TABLE,
    &UNKNOWN_COLUMN,
    &UNKNOWN_FUNCTION,
    &WRONG_ARGUMENT_COUNT,
    &ARGUMENT_TYPE_MISMATCH,
    &OPERAND_TYPE_MISMATCH,
    &AGGREGATE_OUTSIDE_SUMMARIZE,
    &TABULAR_EXPECTED,
    &SCALAR_EXPECTED,
    &DUPLICATE_LET,
    &DUPLICATE_COLUMN,
    &JOIN_COLUMN_NOT_ON_BOTH_SIDES,
    &DYNAMIC_KEY,
    &JOIN_KEY_TYPE_MISMATCH,
    &JOIN_CONDITION_FORM,
    &UNVERIFIED_COLUMN,
    &UNVERIFIED_TABLE,
    &UNVERIFIED_FUNCTION,
    &OTHER_PLATFORM,
    &RETIRED_COLUMN,
    &UNMATCHED_PATTERN,
    &UNKNOWN_ACTION_TYPE,
    &ACTION_TYPE_COLUMN_NOT_POPULATED,
    &crate::budget::ANALYSIS_LIMIT,
];

const WONT_RUN: &str = "Sentinel, Defender XDR and Azure Data Explorer refuse the query with a \
                        semantic error: the analytic rule does not deploy, or the hunting query \
                        fails when run.";

pub static UNKNOWN_TABLE: RuleMeta = RuleMeta {
    code: "KQL101",
    name: "unknown-table",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "A name used as a table is not a known table, tabular `let` or function",
    what: "Reports a name in a tabular position (the start of a pipeline, a `join`/`lookup`/`union` \
           operand, `in (T)`) that is not a table of the schema catalogue (the bundled Sentinel and \
           Defender XDR tables plus your schema directories), a tabular `let`, a parameter or a \
           stored function. A near name is suggested; a name that differs only in case says so, \
           since KQL names are case-sensitive. Nothing is reported about the columns of an unknown \
           table: its schema is taken as open.",
    why: WONT_RUN,
    fix: "Correct the table name (KQL names are case-sensitive), or add the table's schema with a \
          schema directory when it is a custom table (`*_CL`) kqlint cannot know.",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "DeviceNetworkEvent\n| take 10",
        "devicenetworkevents\n| take 10",
        "SecurityEvent\n| join (SigninLog) on $left.Account == $right.UserPrincipalName",
    ],
    pass: &[
        "DeviceNetworkEvents\n| take 10",
        "let T = datatable(a: string)[\"x\"];\nT | take 1",
    ],
};

pub static UNKNOWN_COLUMN: RuleMeta = RuleMeta {
    code: "KQL102",
    name: "unknown-column",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "A name is not a column of the rows at that point, nor a variable or function",
    what: "Reports a name in an expression that is neither a column of the row set flowing into the \
           operator (as computed through every operator before it: `project` and `summarize` drop \
           columns, `extend` adds them, `join` renames clashing ones `x1`, ...) nor a `let` variable, \
           a parameter or a function. The nearest column or variable in scope is suggested, and a \
           name that differs only in case says so; so is a plain `join`/`lookup` key (`on Name`) \
           that neither side has. After an operator whose output cannot be known offline \
           (`evaluate bag_unpack`, an unknown table, a watchlist, ...) nothing is reported.",
    why: WONT_RUN,
    fix: "Use the column's exact name (KQL names are case-sensitive), or keep the column in the \
          earlier `project`/`summarize` that dropped it.",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "DeviceNetworkEvents\n| where RemoteIp == \"10.0.0.1\"",
        "DeviceNetworkEvents\n| summarize count() by DeviceName\n| project DeviceName, RemoteUrl",
    ],
    pass: &[
        "DeviceNetworkEvents\n| where RemoteIP == \"10.0.0.1\"",
        "DeviceNetworkEvents\n| summarize Count = count() by DeviceName\n| project DeviceName, Count",
    ],
};

pub static UNKNOWN_FUNCTION: RuleMeta = RuleMeta {
    code: "KQL103",
    name: "unknown-function",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "A called function is not a built-in, `let` or stored function",
    what: "Reports a call `f(...)` where `f` is no built-in scalar or aggregate function, plug-in \
           (after `evaluate`), `let` function or stored (workspace) function such as `_GetWatchlist` \
           or an ASIM parser. The nearest function name is suggested.",
    why: WONT_RUN,
    fix: "Correct the function name (function names are case-sensitive), or add the stored \
          function's definition with a schema directory.",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "DeviceNetworkEvents\n| extend n = strlenn(RemoteUrl)",
        "DeviceNetworkEvents\n| summarize minimum(Timestamp) by DeviceId",
    ],
    pass: &[
        "DeviceNetworkEvents\n| extend n = strlen(RemoteUrl)",
        "DeviceNetworkEvents\n| summarize min(Timestamp) by DeviceId",
    ],
};

pub static WRONG_ARGUMENT_COUNT: RuleMeta = RuleMeta {
    code: "KQL104",
    name: "wrong-argument-count",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "A function is called with too few or too many arguments",
    what: "Reports a call to a built-in, `let` or stored function whose number of arguments no \
           signature of the function accepts.",
    why: WONT_RUN,
    fix: "Pass the arguments the function expects (the message says how many).",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["print strlen(\"a\", \"b\")", "print ago()"],
    pass: &["print strlen(\"a\")", "print ago(1d)"],
};

pub static ARGUMENT_TYPE_MISMATCH: RuleMeta = RuleMeta {
    code: "KQL105",
    name: "argument-type-mismatch",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "A function argument has a type the function does not accept",
    what: "Reports an argument whose type is certain (not `dynamic`, not unknown) and that the \
           function's parameter cannot take, such as a number where a `timespan` is expected \
           (`ago(1)`) or a `datetime` where a string is expected (`strlen(now())`). Only types the \
           analysis is sure of are checked.",
    why: WONT_RUN,
    fix: "Pass a value of the expected type, converting it (`tostring()`, `totimespan()`, ...) or \
          writing the literal in the right form (`1d`, not `1`).",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["print ago(1)", "print strlen(now())"],
    pass: &["print ago(1d)", "print strlen(tostring(now()))"],
};

pub static OPERAND_TYPE_MISMATCH: RuleMeta = RuleMeta {
    code: "KQL106",
    name: "operand-type-mismatch",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "An operator is not defined for the types of its operands",
    what: "Reports a binary or unary operator applied to operands of certain types it does not \
           accept, such as `long + string`, `datetime > timespan`, or `has` on a number; a `where` \
           condition that is not a bool; and `mv-expand` of a value that is not `dynamic`.",
    why: WONT_RUN,
    fix: "Convert an operand (`tostring()`, `todatetime()`, ...) or use the operator meant for \
          these types.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "print 1 + \"a\"",
        "DeviceNetworkEvents\n| where Timestamp > 1h",
    ],
    pass: &[
        "print 1 + 2",
        "DeviceNetworkEvents\n| where Timestamp > ago(1h)",
    ],
};

pub static AGGREGATE_OUTSIDE_SUMMARIZE: RuleMeta = RuleMeta {
    code: "KQL107",
    name: "aggregate-outside-summarize",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "An aggregate function is used outside `summarize`, `make-series` or `top-nested`",
    what: "Reports a call to an aggregate function (`count()`, `dcount()`, `make_set()`, ...) in a \
           place that works row by row, such as `extend`, `where` or `project`.",
    why: WONT_RUN,
    fix: "Compute the aggregate with `summarize` (joining it back if the rows are needed), or use \
          the scalar function meant for one row.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["DeviceNetworkEvents\n| extend n = dcount(RemoteIP)"],
    pass: &["DeviceNetworkEvents\n| summarize n = dcount(RemoteIP)"],
};

pub static TABULAR_EXPECTED: RuleMeta = RuleMeta {
    code: "KQL108",
    name: "tabular-expected",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "A scalar value is used where a table is required",
    what: "Reports a scalar value (a scalar `let`, a literal) where a tabular expression is \
           required: the start of a pipeline, a `join`/`union` operand, `materialize()`.",
    why: WONT_RUN,
    fix: "Use a tabular expression there; to make a table of one value write `print x = value`.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["let x = 1;\nx | take 1"],
    pass: &["let x = print a = 1;\nx | take 1"],
};

pub static SCALAR_EXPECTED: RuleMeta = RuleMeta {
    code: "KQL109",
    name: "scalar-expected",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "A table is used where a scalar value is required",
    what: "Reports a tabular value (a table, a tabular `let`) used as a scalar: in arithmetic, a \
           comparison or as a column value. Only `in`/`!in`/`has_any` lists accept a table there.",
    why: WONT_RUN,
    fix: "Turn the table into a value with `toscalar()`, or use it in an `in (...)` list.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["let T = print a = 1;\nprint x = T + 1"],
    pass: &["let T = print a = 1;\nprint x = toscalar(T) + 1"],
};

pub static DUPLICATE_LET: RuleMeta = RuleMeta {
    code: "KQL110",
    name: "duplicate-let",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "A `let` declares a name already declared in the same scope",
    what: "Reports a `let` (or parameter) whose name is already declared by an earlier `let` of the \
           same statement list or function body.",
    why: WONT_RUN,
    fix: "Rename one of the two, or delete the earlier one.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["let x = 1;\nlet x = 2;\nprint x"],
    pass: &["let x = 1;\nlet y = 2;\nprint x, y"],
};

pub static DUPLICATE_COLUMN: RuleMeta = RuleMeta {
    code: "KQL111",
    name: "duplicate-column",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "An operator declares the same output column twice",
    what: "Reports a `project`, `summarize`, `extend` list (or `parse` pattern) that declares an \
           output column with a name it already declared.",
    why: WONT_RUN,
    fix: "Give one of the two columns another name (`Name2 = ...`), or drop the repeat.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["DeviceNetworkEvents\n| project DeviceName, RemoteIP, DeviceName"],
    pass: &["DeviceNetworkEvents\n| project DeviceName, RemoteIP"],
};

pub static JOIN_COLUMN_NOT_ON_BOTH_SIDES: RuleMeta = RuleMeta {
    code: "KQL112",
    name: "join-column-not-on-both-sides",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "A `join ... on Column` names a column one side does not have",
    what: "Reports a join key written as a plain column name (`on DeviceId`) that is missing from the \
           left or the right input of the `join` or `lookup` (a key missing from both is an \
           `unknown-column`, most likely a typo). Keys with different names on the two sides are \
           written `$left.A == $right.B`.",
    why: WONT_RUN,
    fix: "Add the column to the side that lacks it (`extend`/`project-rename`), or write the key as \
          `$left.A == $right.B`.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "DeviceNetworkEvents\n| join kind=inner (DeviceInfo | project Id = DeviceId) on DeviceId",
    ],
    pass: &[
        "DeviceNetworkEvents\n| join kind=inner (DeviceInfo | project Id = DeviceId) on $left.DeviceId == $right.Id",
    ],
};

pub static DYNAMIC_KEY: RuleMeta = RuleMeta {
    code: "KQL113",
    name: "dynamic-key",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "A `dynamic` value is used as a grouping, `distinct`, sort or partition key",
    what: "Reports a `summarize ... by`, `distinct`, `sort by`/`order by`, `partition by` or \
           `sample-distinct` key whose value is `dynamic`: a property of a JSON column \
           (`AdditionalFields.Port`), an element of `split()`, the result of `parse_json()`, a \
           `dynamic` column, or `distinct *` over rows that have one.",
    why: "Kusto cannot group, compare or order `dynamic` values: the query fails with \
          \"Summarize group key ... is of a 'dynamic' type\" (Kusto.Language: \"The value of type \
          'dynamic' is not allowed in this context\"), so the rule never runs.",
    fix: "Convert the key to the type it holds: `tostring(AdditionalFields.Port)`, \
          `toint(...)`, `todatetime(...)`.",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["DeviceNetworkEvents\n| summarize count() by Direction = AdditionalFields.direction"],
    pass: &[
        "DeviceNetworkEvents\n| summarize count() by Direction = tostring(AdditionalFields.direction)",
    ],
};

pub static JOIN_KEY_TYPE_MISMATCH: RuleMeta = RuleMeta {
    code: "KQL114",
    name: "join-key-type-mismatch",
    category: Category::Semantic,
    severity: Severity::Warning,
    summary: "The two sides of a `join`/`lookup` key have different types",
    what: "Reports a join key whose left and right columns have different types: `on Port` where `Port` \
           is an `int` on one side and a `long` on the other, or `$left.When == $right.Day` with a \
           `datetime` and a `string`. Kusto compares join keys without converting them. A warning rather than an error: \
           the types come from the schema files. A `guid` key against a `string` one is not \
           reported: several schema files type id columns `guid` where Microsoft documents `string` \
           (AzureActivity's `SubscriptionId`, OfficeActivity's ids).",
    why: WONT_RUN,
    fix: "Convert one side to the other's type before the join (`extend Id = tostring(Id)` on the side \
          that differs), then join on the converted column.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "DeviceNetworkEvents\n| join kind=inner (DeviceInfo | extend LocalPort = tolong(1)) on LocalPort",
    ],
    pass: &[
        "DeviceNetworkEvents\n| join kind=inner (DeviceInfo | extend LocalPort = toint(1)) on LocalPort",
    ],
};

pub static JOIN_CONDITION_FORM: RuleMeta = RuleMeta {
    code: "KQL115",
    name: "join-condition-form",
    category: Category::Semantic,
    severity: Severity::Warning,
    summary: "A `join`/`lookup` equality is not written `$left.A == $right.B`",
    what: "Reports an equality in a `join ... on` or `lookup ... on` clause whose left operand is not \
           `$left.<column>` or whose right operand is not `$right.<column>`: `$right.Id == $left.DeviceId` \
           (the sides swapped) or `DeviceId == Id` (no sides named). A plain `on DeviceId` (the same \
           name on both sides) is fine.",
    why: "Kusto.Language (Microsoft's analyzer, used by editors and Sentinel's CI) refuses the swapped \
          and the unnamed forms. Queries with the swapped form are seen to run (Microsoft's own Resource \
          Graph workbook queries use it), so this is a warning: the documented form works everywhere.",
    fix: "Write the left side's column first: `$left.DeviceId == $right.Id`. The swapped form has a safe \
          fix.",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "DeviceNetworkEvents\n| join kind=inner (DeviceInfo | project Id = DeviceId) on $right.Id == $left.DeviceId",
    ],
    pass: &[
        "DeviceNetworkEvents\n| join kind=inner (DeviceInfo | project Id = DeviceId) on $left.DeviceId == $right.Id",
    ],
};

pub static UNVERIFIED_COLUMN: RuleMeta = RuleMeta {
    code: "KQL116",
    name: "unverified-column",
    category: Category::Semantic,
    severity: Severity::Warning,
    summary: "A name is not among the columns kqlint knows for a table it knows only in part",
    what: "Reports a name that is not a column of the rows at that point when those rows come from a            table or function whose columns kqlint knows only in part: a custom table (`*_CL`) known            only from a test stub of Azure-Sentinel's CI, a parser's output, `AzureDiagnostics` (whose            resource-specific `*_s`, `*_d`, `*_g` columns no reference lists), a Defender XDR table            Microsoft's page marks as a preview or marked so until recently (`MessageEvents`: queries            of the preview use columns the page does not list). The column may well            exist, so this is a warning, not an error; the message says which table's list it is            missing from and why that list is partial. A name that differs from a known column only            in case is still an `unknown-column` error.",
    why: "If the name is misspelt, the query fails (or, in a filter, silently never matches). If the           column exists, adding the table's schema lets kqlint check it for certain.",
    fix: "Check the column name against the table; add the table's schema to a schema directory           (`[schema] dirs` in `kqlint.toml`, or `TABLE | getschema` exported as CSV/JSON) to turn           this into a certain check.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["AzureDiagnostics\n| where Category == \"AzureFirewallNetworkRule\"\n| project msg_ss"],
    pass: &["AzureDiagnostics\n| where Category == \"AzureFirewallNetworkRule\"\n| project msg_s"],
};

pub static UNVERIFIED_TABLE: RuleMeta = RuleMeta {
    code: "KQL117",
    name: "unverified-table",
    category: Category::Semantic,
    severity: Severity::Warning,
    summary: "A name used as a table is not a table or function kqlint knows, and nothing known is close",
    what: "Reports a name in a tabular position that is neither a table nor a function kqlint knows            (Microsoft's documented tables for the platform, the Sentinel solutions' parsers and CI            stubs, your schema directories) and is not near any of them: it is most likely a custom            table or a function saved in your workspace. A name near a known table is an            `unknown-table` error instead (a likely typo). Nothing is reported about its columns.",
    why: "kqlint cannot check anything read from it; if the name is wrong the query fails.",
    fix: "Add the table's or function's schema to a schema directory so kqlint can check the query           (`[schema] dirs` in `kqlint.toml`).",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["ContosoFirewall_CL\n| take 10"],
    pass: &["DeviceNetworkEvents\n| take 10"],
};

pub static UNVERIFIED_FUNCTION: RuleMeta = RuleMeta {
    code: "KQL118",
    name: "unverified-function",
    category: Category::Semantic,
    severity: Severity::Warning,
    summary: "A called function is not one kqlint knows, and nothing known is close",
    what: "Reports a call of a function that is no built-in, `let`, Sentinel, ASIM, solution-parser            or Defender XDR function kqlint knows and whose name is not near one: most likely a            function saved in your workspace. A name near a known function is an `unknown-function`            error instead.",
    why: "kqlint cannot check the call or what it returns; if the name is wrong the query fails.",
    fix: "Add the function's definition to a schema directory (Azure-Sentinel's CustomFunctions           format) so kqlint can check its calls.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["ContosoDeviceList()\n| take 10"],
    pass: &["_GetWatchlist(\"HighValueAssets\")\n| take 10"],
};

pub static OTHER_PLATFORM: RuleMeta = RuleMeta {
    code: "KQL119",
    name: "other-platform",
    category: Category::Semantic,
    severity: Severity::Error,
    summary: "A table, column or function of the other platform (Sentinel vs Defender XDR)",
    what: "Reports a table, column or function that the query's platform does not have but the            other one does: `IdentityInfo | project Timestamp, AccountUpn` in a Sentinel query            (Defender XDR's `IdentityInfo` has these; Sentinel's has `TimeGenerated`, `AccountUPN`),            `FileProfile` (a Defender XDR function) in a Sentinel rule, `SigninLogs`-only columns in            advanced hunting. The platform comes from `kqlint.toml` (`platform`, per path), from the            file (a Defender XDR custom detection, a Sentinel rule) or, failing that, from the            tables the query reads; when it was only assumed, this is a warning.",
    why: "The query fails on the platform it runs on.",
    fix: "Use the platform's own name (the message gives it when there is one), or set the           platform the query is written for: `platform = \"defender\"` in `kqlint.toml`           (`[[platforms]]` per path).",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "SigninLogs\n| join kind=inner (IdentityInfo | project AccountUpn, CloudSid) on $left.UserPrincipalName == $right.AccountUpn",
    ],
    pass: &[
        "SigninLogs\n| join kind=inner (IdentityInfo | project AccountUPN, AccountCloudSID) on $left.UserPrincipalName == $right.AccountUPN",
    ],
};

pub static RETIRED_COLUMN: RuleMeta = RuleMeta {
    code: "KQL120",
    name: "retired-column",
    category: Category::Semantic,
    severity: Severity::Warning,
    summary: "A column an earlier version of Microsoft's reference page listed, and the current one does not",
    what: "Reports a name that is not a column of the table as Microsoft's current reference page lists \
           it, but was on an earlier version of that page: the column was renamed or removed, which \
           happens most to tables in preview (Defender XDR's `MessageEvents` renamed `MessageType` to \
           `MessageFormatType`, `EntraIdSignInEvents` dropped `RiskDetails`). A warning, not an error: a workspace that has not caught up may still \
           have it. The current name is suggested when one is near.",
    why: "Once the service drops the old name, the query fails, or a filter on it matches nothing.",
    fix: "Use the current column (`kqlint schema TABLE --platform defender` lists them).",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["// platform: defender\nEntraIdSignInEvents\n| project Timestamp, RiskDetails"],
    pass: &[
        "// platform: defender\nEntraIdSignInEvents\n| project Timestamp, RiskLevelDuringSignIn",
    ],
};

pub static UNMATCHED_PATTERN: RuleMeta = RuleMeta {
    code: "KQL121",
    name: "unmatched-pattern",
    category: Category::Semantic,
    severity: Severity::Warning,
    summary: "A wildcard in `project-away`, `project-keep` or `project-reorder` matches no column",
    what: "Reports a column pattern with `*` (`*_s`, `Temp*`) in `project-away`, `project-keep` or \
           `project-reorder` that matches none of the columns of the rows at that point. The usual \
           cause is a pattern left behind when the lines that made its columns were removed or \
           commented out, or a misspelt prefix. A warning, not an error: the operator's reference \
           page does not say that the service refuses a pattern that matches nothing, and rules \
           with such patterns run in Sentinel. A plain column name that does not exist is still an \
           `unknown-column` error.",
    why: "The pattern does nothing: a column it was meant to drop stays in the output (and in the \
          alert), or a column it was meant to keep or move is missing.",
    fix: "Correct the pattern to the columns it is meant for, or remove it.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &["SigninLogs\n| project TimeGenerated, UserPrincipalName\n| project-away Temp*"],
    pass: &[
        "SigninLogs\n| project TimeGenerated, UserPrincipalName, TempId = 1\n| project-away Temp*",
    ],
};

pub static UNKNOWN_ACTION_TYPE: RuleMeta = RuleMeta {
    code: "KQL150",
    name: "unknown-action-type",
    category: Category::Semantic,
    severity: Severity::Warning,
    summary: "An `ActionType` value that DeviceNetworkEvents never has (a likely misspelling)",
    what: "Reports a string compared with the `ActionType` column of DeviceNetworkEvents rows (`==`, \
           `!=`, `=~`, `in`, `!in`, `in~`, `has`, `startswith`, ...) that matches no ActionType of the \
           table's catalogue and is one edit or so away from one, or cannot be an ActionType at all. \
           The catalogue is not exhaustive, so a value far from every known one is not reported. The \
           same literal compared with `ActionType` of another table (DeviceEvents, \
           IdentityQueryEvents, ...) is not checked against this catalogue.",
    why: "A misspelt ActionType matches no event: the rule silently never fires, or an exclusion \
          silently excludes nothing.",
    fix: "Use the suggested ActionType (values are case-sensitive with `==` and `in`).",
    fixable: true,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "DeviceNetworkEvents\n| where ActionType == \"ConnecitonFound\"",
        "DeviceNetworkEvents\n| where ActionType in (\"ConnectionSuccess\", \"InboundConnectionAcepted\")",
    ],
    pass: &[
        "DeviceNetworkEvents\n| where ActionType == \"ConnectionFound\"",
        "DeviceEvents\n| where ActionType == \"ConnecitonFound\"",
    ],
};

pub static ACTION_TYPE_COLUMN_NOT_POPULATED: RuleMeta = RuleMeta {
    code: "KQL151",
    name: "action-type-column-not-populated",
    category: Category::Semantic,
    severity: Severity::Warning,
    summary: "A DeviceNetworkEvents column that the ActionTypes the query keeps never fill",
    what: "After `where ActionType == \"X\"` (or `in (\"X\", \"Y\")`, or a conjunction with such a \
           test) on DeviceNetworkEvents rows, reports a reference to a column that the ActionType \
           catalogue says none of the kept ActionTypes ever fills, such as `RemoteUrl` for \
           `InboundConnectionAccepted` (the remote end is the client). The narrowing follows the \
           rows through `where`, `project`, `extend`, `sort`, `take`, ... and ends at `summarize`, \
           `join` and `union`. Disjunctions and negations are handled soundly: only what every \
           matching row must satisfy narrows.",
    why: "A filter or projection on a column that is always empty for those events makes the rule \
          match nothing, or return empty entity fields.",
    fix: "Filter on a column the ActionType fills (the message lists them), or widen the ActionType \
          filter.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "DeviceNetworkEvents\n| where ActionType == \"InboundConnectionAccepted\"\n| project RemoteUrl",
        "DeviceNetworkEvents\n| where ActionType == \"ListeningConnectionCreated\"\n| where RemoteUrl has \"contoso\"",
    ],
    pass: &[
        "DeviceNetworkEvents\n| where ActionType == \"ConnectionSuccess\"\n| project RemoteUrl",
        "DeviceNetworkEvents\n| where ActionType == \"InboundConnectionAccepted\" or ActionType == \"ConnectionSuccess\"\n| project RemoteUrl",
    ],
};
