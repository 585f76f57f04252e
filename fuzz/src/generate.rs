//! Grammar-shaped KQL from fuzz bytes.
//!
//! Plain byte mutation of real queries rarely builds a new well-formed
//! pipeline (a `join` with a sub-query, `mv-apply`, a user function called
//! with the right arguments), which is where the semantic analysis does its
//! work. This generator spends the bytes on choices in a small KQL grammar:
//! statements, pipelines of the common operators, expressions with the
//! catalogue's real tables, columns and functions. Now and then it drops in
//! a random token from the vocabulary instead, so near-misses (a stray `)`,
//! a keyword where a name belongs) are generated too.

use arbitrary::Unstructured;

const TABLES: &[&str] = &[
    "SecurityEvent",
    "SigninLogs",
    "AADNonInteractiveUserSignInLogs",
    "DeviceNetworkEvents",
    "DeviceProcessEvents",
    "DeviceEvents",
    "DeviceFileEvents",
    "DeviceLogonEvents",
    "AuditLogs",
    "OfficeActivity",
    "Syslog",
    "CommonSecurityLog",
    "AzureActivity",
    "AzureDiagnostics",
    "Heartbeat",
    "IdentityLogonEvents",
    "EmailEvents",
    "BehaviorAnalytics",
    "SecurityAlert",
    "ThreatIntelligenceIndicator",
    "W3CIISLog",
    "Event",
    "NoSuchTable",
];

const COLUMNS: &[&str] = &[
    "TimeGenerated",
    "Timestamp",
    "Account",
    "Computer",
    "EventID",
    "RemoteIP",
    "RemotePort",
    "RemoteUrl",
    "LocalIP",
    "ActionType",
    "DeviceName",
    "DeviceId",
    "UserPrincipalName",
    "IPAddress",
    "ResultType",
    "Activity",
    "InitiatingProcessFileName",
    "InitiatingProcessAccountName",
    "ProcessCommandLine",
    "FileName",
    "SHA256",
    "Type",
    "SourceIP",
    "OperationName",
    "Caller",
    "Properties",
    "AdditionalFields",
    "LocationDetails",
    "SyslogMessage",
    "count_",
    "x",
    "y",
    "Name",
    "Value",
];

const SCALAR_FNS: &[&str] = &[
    "tostring",
    "tolower",
    "toupper",
    "strcat",
    "strcat_delim",
    "ago",
    "now",
    "bin",
    "iff",
    "iif",
    "case",
    "isnotempty",
    "isempty",
    "isnull",
    "isnotnull",
    "parse_json",
    "todynamic",
    "extract",
    "extract_all",
    "split",
    "strlen",
    "substring",
    "format_datetime",
    "datetime_diff",
    "array_length",
    "bag_keys",
    "coalesce",
    "ipv4_is_in_range",
    "ipv4_is_private",
    "has_any_ipv4",
    "replace_string",
    "replace_regex",
    "tolong",
    "toint",
    "toreal",
    "todatetime",
    "totimespan",
    "startofday",
    "pack",
    "bag_pack",
    "pack_array",
    "trim",
    "countof",
    "indexof",
    "hash_sha256",
    "make_datetime",
    "parse_url",
    "parse_path",
    "base64_decode_tostring",
    "geo_info_from_ip_address",
    "column_ifexists",
    "set_difference",
    "array_concat",
    "mv_expand",
    "not",
    "max_of",
    "min_of",
    "row_number",
    "prev",
    "next",
];

const AGGREGATES: &[&str] = &[
    "count",
    "dcount",
    "make_set",
    "make_list",
    "min",
    "max",
    "sum",
    "avg",
    "arg_max",
    "arg_min",
    "countif",
    "dcountif",
    "take_any",
    "any",
    "percentile",
    "percentiles",
    "stdev",
    "make_bag",
    "sumif",
    "make_set_if",
    "hll",
];

const BINARY: &[&str] = &[
    "==",
    "!=",
    "=~",
    "!~",
    "has",
    "!has",
    "has_cs",
    "hasprefix",
    "hassuffix",
    "contains",
    "!contains",
    "contains_cs",
    "startswith",
    "!startswith",
    "endswith",
    "matches regex",
    "has_any",
    "has_all",
    "<",
    ">",
    "<=",
    ">=",
    "and",
    "or",
    "+",
    "-",
    "*",
    "/",
    "%",
];

const LITERALS: &[&str] = &[
    "1",
    "0",
    "-1",
    "42",
    "3.14",
    "1e6",
    "0x1F",
    "\"text\"",
    "\"a\\\"b\\\\c\"",
    "'single'",
    "@\"C:\\path\"",
    "h\"secret\"",
    "```multi\nline```",
    "\"ä€😀\"",
    "\"\"",
    "\"1.2.3.4\"",
    "\"10.0.0.0/8\"",
    "true",
    "false",
    "datetime(2024-01-01)",
    "datetime(2024-01-01T10:00:00Z)",
    "datetime(null)",
    "1d",
    "5m",
    "30s",
    "100ms",
    "1h",
    "7d",
    "1tick",
    "time(1.02:03:04)",
    "timespan(null)",
    "guid(00000000-0000-0000-0000-000000000000)",
    "dynamic([1, 2, \"x\"])",
    "dynamic({\"a\": {\"b\": [1]}})",
    "dynamic(null)",
    "long(null)",
    "real(nan)",
    "real(+inf)",
    "int(7)",
    "decimal(1.5)",
    "bool(true)",
    "typeof(string)",
];

/// Tokens dropped in at random.
const NOISE: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ";",
    "|",
    ".",
    "=",
    "==",
    ":",
    "..",
    "$left",
    "$right",
    "let",
    "by",
    "on",
    "kind",
    "with",
    "to",
    "from",
    "step",
    "in",
    "!in",
    "in~",
    "between",
    "not",
    "and",
    "or",
    "asc",
    "desc",
    "nulls",
    "first",
    "last",
    "*",
    "\"",
    "'",
    "//",
    "\n",
    "\t",
    "?",
    "\\",
    "@",
    "#",
    "`",
    "withsource",
    "hint.strategy",
    "bagexpansion",
    "typeof",
    "materialize",
    "toscalar",
    "view",
    "declare",
    "query_parameters",
    "pattern",
    "set",
    "alias",
    "restrict",
    "access",
    "database",
    "cluster",
    "table",
    "external_table",
];

const NAMES: &[&str] = &[
    "x",
    "y",
    "z",
    "f",
    "g",
    "T",
    "lookback",
    "threshold",
    "ips",
    "n",
];

const TYPES: &[&str] = &[
    "string", "long", "int", "real", "bool", "datetime", "timespan", "dynamic", "guid", "decimal",
];

struct Gen<'a, 'b> {
    u: &'b mut Unstructured<'a>,
    out: String,
    depth: u32,
}

/// A query generated from the bytes (deterministic for the same bytes).
pub fn query(u: &mut Unstructured<'_>) -> String {
    let mut g = Gen {
        u,
        out: String::new(),
        depth: 0,
    };
    let lets = g.int(0, 3);
    for _ in 0..lets {
        g.statement();
        g.out.push_str(";\n");
    }
    g.tabular();
    if g.chance(1, 8) {
        g.out.push('\n');
        let n = g.u.len();
        let rest = g.u.bytes(n).unwrap_or_default();
        g.out.push_str(&String::from_utf8_lossy(rest));
    }
    g.out
}

impl Gen<'_, '_> {
    fn int(&mut self, lo: u32, hi: u32) -> u32 {
        self.u.int_in_range(lo..=hi).unwrap_or(lo)
    }

    fn chance(&mut self, n: u32, of: u32) -> bool {
        self.int(0, of - 1) < n
    }

    fn pick(&mut self, from: &[&str]) {
        let i = self.int(0, from.len() as u32 - 1) as usize;
        self.out.push_str(from[i]);
    }

    fn w(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// White space, sometimes a comment or a random token.
    fn sep(&mut self) {
        match self.int(0, 40) {
            0 => self.w("\n"),
            1 => self.w(" // note\n"),
            2 => {
                self.w(" ");
                self.pick(NOISE);
                self.w(" ");
            }
            3 => self.w("\r\n  "),
            _ => self.w(" "),
        }
    }

    fn name(&mut self) {
        self.pick(NAMES);
    }

    fn column(&mut self) {
        if self.chance(1, 12) {
            self.w("['");
            self.pick(COLUMNS);
            self.w("']");
        } else {
            self.pick(COLUMNS);
        }
    }

    fn columns(&mut self) {
        let n = self.int(1, 3);
        for i in 0..n {
            if i > 0 {
                self.w(", ");
            }
            self.column();
        }
    }

    fn statement(&mut self) {
        match self.int(0, 7) {
            0 | 1 => {
                self.w("let ");
                self.name();
                self.w(" = ");
                self.expr();
            }
            2 | 3 => {
                self.w("let ");
                self.name();
                self.w(" = ");
                self.tabular();
            }
            4 => {
                self.w("let ");
                self.name();
                self.w(" = (");
                let n = self.int(0, 2);
                for i in 0..n {
                    if i > 0 {
                        self.w(", ");
                    }
                    self.name();
                    self.w(":");
                    if self.chance(1, 4) {
                        self.w("(*)");
                    } else {
                        self.pick(TYPES);
                    }
                    if self.chance(1, 3) {
                        self.w(" = ");
                        self.literal();
                    }
                }
                self.w(") { ");
                if self.chance(1, 2) {
                    self.tabular();
                } else {
                    self.expr();
                }
                self.w(" }");
            }
            5 => {
                self.w("set ");
                self.pick(&[
                    "querytrace",
                    "notruncation",
                    "query_now = datetime(2024-01-01)",
                ]);
            }
            6 => {
                self.w("declare query_parameters(");
                self.name();
                self.w(":");
                self.pick(TYPES);
                self.w(" = ");
                self.literal();
                self.w(")");
            }
            _ => {
                self.w("let ");
                self.name();
                self.w(" = materialize(");
                self.tabular();
                self.w(")");
            }
        }
    }

    fn tabular(&mut self) {
        self.depth += 1;
        self.source();
        let n = if self.depth > 4 { 0 } else { self.int(0, 6) };
        for _ in 0..n {
            self.sep();
            self.w("| ");
            self.operator();
        }
        self.depth -= 1;
    }

    fn source(&mut self) {
        let deep = self.depth > 3;
        match self.int(0, if deep { 3 } else { 11 }) {
            0..=3 => self.pick(TABLES),
            4 => self.name(),
            5 => {
                self.w("union ");
                if self.chance(1, 3) {
                    self.w("withsource=Src kind=outer ");
                }
                self.pick(TABLES);
                self.w(", ");
                self.pick(TABLES);
            }
            6 => {
                self.w("datatable(");
                self.column();
                self.w(":");
                self.pick(TYPES);
                self.w(", y:long)[");
                self.literal();
                self.w(", 1]");
            }
            7 => {
                self.w("print ");
                self.expr();
            }
            8 => self.w("range x from 1 to 10 step 1"),
            9 => {
                self.w("(");
                self.tabular();
                self.w(")");
            }
            10 => {
                self.name();
                self.w("(");
                if self.chance(1, 2) {
                    self.literal();
                }
                self.w(")");
            }
            _ => {
                self.pick(&["search ", "find where "]);
                self.w("\"x\"");
            }
        }
    }

    fn operator(&mut self) {
        match self.int(0, 30) {
            0..=4 => {
                self.pick(&["where ", "filter "]);
                self.predicate();
            }
            5 | 6 => {
                self.w("extend ");
                let n = self.int(1, 3);
                for i in 0..n {
                    if i > 0 {
                        self.w(", ");
                    }
                    if self.chance(3, 4) {
                        self.column();
                        self.w(" = ");
                    }
                    self.expr();
                }
            }
            7 | 8 => {
                self.pick(&[
                    "project ",
                    "project-away ",
                    "project-keep ",
                    "project-reorder ",
                ]);
                self.columns();
            }
            9 | 10 => {
                self.w("summarize ");
                let n = self.int(1, 2);
                for i in 0..n {
                    if i > 0 {
                        self.w(", ");
                    }
                    if self.chance(1, 2) {
                        self.column();
                        self.w(" = ");
                    }
                    self.pick(AGGREGATES);
                    self.w("(");
                    if self.chance(2, 3) {
                        self.expr();
                    }
                    self.w(")");
                }
                if self.chance(2, 3) {
                    self.w(" by ");
                    self.columns();
                    if self.chance(1, 3) {
                        self.w(", bin(TimeGenerated, 1h)");
                    }
                }
            }
            11 => {
                self.pick(&["take ", "limit ", "sample "]);
                self.literal();
            }
            12 => {
                self.w("top ");
                self.literal();
                self.w(" by ");
                self.column();
                self.pick(&["", " asc", " desc", " desc nulls last"]);
            }
            13 => {
                self.pick(&["sort by ", "order by "]);
                self.column();
                self.pick(&["", " asc", " desc"]);
            }
            14 | 15 => {
                self.pick(&["join ", "lookup "]);
                if self.chance(2, 3) {
                    self.w("kind=");
                    self.pick(&[
                        "inner",
                        "innerunique",
                        "leftouter",
                        "rightouter",
                        "fullouter",
                        "leftanti",
                        "leftsemi",
                        "rightanti",
                        "anti",
                        "bogus",
                    ]);
                    self.w(" ");
                }
                self.w("(");
                self.tabular();
                self.w(") on ");
                if self.chance(1, 2) {
                    self.column();
                } else {
                    self.w("$left.");
                    self.column();
                    self.w(" == $right.");
                    self.column();
                }
            }
            16 => {
                self.w("union ");
                if self.chance(1, 2) {
                    self.w("(");
                    self.tabular();
                    self.w(")");
                } else {
                    self.pick(TABLES);
                }
            }
            17 => {
                self.w("mv-expand ");
                self.column();
                if self.chance(1, 2) {
                    self.w(" to typeof(");
                    self.pick(TYPES);
                    self.w(")");
                }
                if self.chance(1, 3) {
                    self.w(" limit 100");
                }
            }
            18 => {
                self.w("mv-apply ");
                self.name();
                self.w(" = ");
                self.column();
                self.w(" to typeof(string) on (");
                self.pick(&["where ", "summarize make_list(", "top 1 by "]);
                self.name();
                self.w(")");
            }
            19 => {
                self.pick(&["parse ", "parse-where ", "parse kind=regex "]);
                self.column();
                self.w(" with * \"user=\" ");
                self.name();
                self.w(":string \" \" *");
            }
            20 => {
                self.w("distinct ");
                self.columns();
            }
            21 => self.pick(&[
                "count",
                "getschema",
                "serialize",
                "render timechart",
                "as T",
                "consume",
                "project-rename x = y",
                "make-series n = count() on TimeGenerated step 1h",
                "evaluate bag_unpack(Properties)",
                "evaluate pivot(Type)",
                "invoke f()",
                "top-nested 3 of Computer by count()",
                "parse-kv Properties as (a:string) with (pair_delimiter=';')",
                "facet by Computer",
                "fork (take 1) (count)",
                "partition by Computer (take 1)",
                "scan with (step s: true;)",
                "extend Properties.a.b[0]",
                "project-away *",
                "where * has \"x\"",
            ]),
            22 => {
                self.w("extend ");
                self.column();
                self.w(" = ");
                self.column();
                self.pick(&[".a", "[0]", "[\"k\"]", ".a.b", "[-1]"]);
            }
            _ => {
                self.w("where ");
                self.column();
                self.w(" ");
                self.pick(BINARY);
                self.w(" ");
                self.expr();
            }
        }
    }

    fn predicate(&mut self) {
        match self.int(0, 6) {
            0 => {
                self.column();
                self.w(" > ago(");
                self.pick(&["1d", "7d", "1h", "lookback", "x"]);
                self.w(")");
            }
            1 => {
                self.column();
                self.pick(&[" in (", " !in (", " in~ (", " has_any ("]);
                let n = self.int(0, 3);
                for i in 0..n {
                    if i > 0 {
                        self.w(", ");
                    }
                    self.literal();
                }
                if self.chance(1, 4) {
                    self.tabular();
                }
                self.w(")");
            }
            2 => {
                self.column();
                self.w(" between (");
                self.literal();
                self.w(" .. ");
                self.literal();
                self.w(")");
            }
            _ => self.expr(),
        }
    }

    fn literal(&mut self) {
        self.pick(LITERALS);
    }

    fn expr(&mut self) {
        self.depth += 1;
        let deep = self.depth > 6;
        match self.int(0, if deep { 2 } else { 11 }) {
            0 => self.literal(),
            1 | 2 => self.column(),
            3 | 4 | 5 => {
                self.expr();
                self.w(" ");
                self.pick(BINARY);
                self.sep();
                self.expr();
            }
            6 | 7 => {
                self.pick(SCALAR_FNS);
                self.w("(");
                let n = self.int(0, 3);
                for i in 0..n {
                    if i > 0 {
                        self.w(", ");
                    }
                    self.expr();
                }
                self.w(")");
            }
            8 => {
                self.w("(");
                self.expr();
                self.w(")");
            }
            9 => {
                let open = self.chance(1, 2);
                self.w(if open { "not(" } else { "-" });
                self.expr();
                if open {
                    self.w(")");
                }
            }
            10 => {
                self.w("toscalar(");
                self.tabular();
                self.w(")");
            }
            _ => {
                self.name();
                if self.chance(1, 2) {
                    self.w("(");
                    self.expr();
                    self.w(")");
                }
            }
        }
        self.depth -= 1;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn generates_queries() {
        let mut seen = std::collections::HashSet::new();
        for seed in 0..200u32 {
            let bytes: Vec<u8> = (0..256u32)
                .map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(seed * 97) >> 7) as u8)
                .collect();
            let q = super::query(&mut arbitrary::Unstructured::new(&bytes));
            assert!(!q.is_empty());
            seen.insert(q);
        }
        assert!(seen.len() > 100, "{}", seen.len());
    }
}
