//! Unfilled template values: the patterns that recognise them, and what
//! belongs in their place.
//!
//! A template query ships with values such as `"IP ADDRESS GOES HERE"` or
//! `"<replace this with full computer name>"` that the user must replace
//! before the query means anything. These are valid KQL, so no parser or
//! schema check notices them; a deployed rule with one silently never
//! fires. The built-in patterns below were tuned on the Azure-Sentinel
//! corpus, and each one has a name so a configuration can switch it off.
//!
//! Legitimate values that look similar and must not match:
//! `'<script>'` and `'<guid>'` (real search / replacement values), regex
//! named groups `(?P<key>...)`, the `<>` operator (never inside a string),
//! and Exploration Query parameters such as `'<Name>'` or `'<HostName>'`,
//! which the portal fills in at run time.

mod describe;

use regex::Regex;
use std::ops::Range;
use std::sync::OnceLock;

pub use describe::wants;

/// A built-in pattern: its name (for configuration) and what it matches.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinPattern {
    pub name: &'static str,
    pub matches: &'static str,
    /// Also applied to rule metadata (descriptions, names, ...).
    pub in_metadata: bool,
}

pub const BUILTIN_PATTERNS: &[BuiltinPattern] = &[
    BuiltinPattern {
        name: "goes-here",
        matches: "`... GOES HERE` (`IP ADDRESS GOES HERE`, `URL GOES HERE`)",
        in_metadata: true,
    },
    BuiltinPattern {
        name: "angle-instruction",
        matches: "an instruction in angle brackets (`<replace this with full computer name>`, `<insert ...>`, `<your ...>`, `<computer name>`) or a value name such as `<processname>`",
        in_metadata: true,
    },
    BuiltinPattern {
        name: "todo-marker",
        matches: "the words `TODO`, `FIXME` and `TBD` (upper case)",
        in_metadata: true,
    },
    BuiltinPattern {
        name: "change-me",
        matches: "`CHANGEME`, `CHANGE ME`, `REPLACE ME`, `REPLACEME`, `FILL ME IN` (upper case)",
        in_metadata: true,
    },
    BuiltinPattern {
        name: "enter-value",
        matches: "a string that starts with `Enter ` (`'Enter SignatureId'`, `'Enter comma-separated IPs'`)",
        in_metadata: false,
    },
    BuiltinPattern {
        name: "your-value",
        matches: "`YOUR_...`, `your-...` and `YOUR SOMETHING` values",
        in_metadata: false,
    },
    BuiltinPattern {
        name: "dummy-value",
        matches: "dummy dotted values: `x.x.x.x`, `X.X.X.X`, `x.x.xxx`",
        in_metadata: false,
    },
    BuiltinPattern {
        name: "example-domain",
        matches: "documentation domains: `example.com`, `example.net`, `example.org`, `contoso.com`, `fabrikam.com`",
        in_metadata: false,
    },
];

/// Where a value was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A string literal of a query. In an Exploration Query the portal
    /// fills `'<Field>'` parameters in, so they are not placeholders.
    Query { exploration: bool },
    /// A string value of rule metadata.
    Metadata,
}

/// One placeholder found in a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The pattern's name (a built-in name, or the user's regex).
    pub pattern: String,
    /// Byte range of the placeholder text in the value.
    pub range: Range<usize>,
    /// The placeholder text, as written.
    pub text: String,
    /// What belongs there, for the help ("an IP address, such as ...").
    pub wants: String,
}

/// A configuration error in a placeholder pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError(pub String);

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PatternError {}

#[derive(Clone, Debug)]
struct UserPattern {
    regex: Regex,
    help: Option<String>,
    metadata: bool,
}

/// The active patterns: the built-ins not disabled plus the user's own.
#[derive(Clone, Debug, Default)]
pub struct PlaceholderPatterns {
    disabled: Vec<&'static str>,
    extra: Vec<UserPattern>,
}

impl PlaceholderPatterns {
    /// Switches a built-in pattern off by name.
    pub fn disable(&mut self, name: &str) -> Result<(), PatternError> {
        match BUILTIN_PATTERNS.iter().find(|p| p.name == name) {
            Some(p) => {
                if !self.disabled.contains(&p.name) {
                    self.disabled.push(p.name);
                }
                Ok(())
            }
            None => Err(PatternError(format!(
                "`{name}` is not a built-in placeholder pattern (they are: {})",
                BUILTIN_PATTERNS
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Adds a pattern: a regular expression matched anywhere in a string
    /// literal (case-sensitive unless it starts with `(?i)`). `help` says
    /// what belongs in its place; `metadata` also applies it to rule
    /// metadata values.
    pub fn add(
        &mut self,
        regex: &str,
        help: Option<String>,
        metadata: bool,
    ) -> Result<(), PatternError> {
        let compiled = regex::RegexBuilder::new(regex)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| {
                PatternError(format!("`{regex}` is not a valid regular expression: {e}"))
            })?;
        if compiled.is_match("") {
            return Err(PatternError(format!(
                "`{regex}` matches the empty string, so it would match every value"
            )));
        }
        self.extra.push(UserPattern {
            regex: compiled,
            help,
            metadata,
        });
        Ok(())
    }

    fn enabled(&self, name: &str) -> bool {
        !self.disabled.contains(&name)
    }

    /// The first placeholder in `value`, if any.
    pub fn find(&self, value: &str, place: Place) -> Option<Found> {
        let metadata = place == Place::Metadata;
        let on = |name: &str| {
            self.enabled(name)
                && (!metadata
                    || BUILTIN_PATTERNS
                        .iter()
                        .any(|p| p.name == name && p.in_metadata))
        };
        let mut found: Vec<Found> = Vec::new();
        let mut consider = |f: Option<Found>| found.extend(f);
        if on("goes-here") {
            consider(goes_here(value));
        }
        if on("angle-instruction") {
            consider(angle(value, place));
        }
        if on("todo-marker") {
            consider(regex_found(value, "todo-marker", &res().todo, |_| {
                "the real value".to_owned()
            }));
        }
        if on("change-me") {
            consider(regex_found(value, "change-me", &res().change_me, |_| {
                "the real value".to_owned()
            }));
        }
        if on("enter-value") {
            consider(regex_found(value, "enter-value", &res().enter, |m| {
                let what = m
                    .get(1)
                    .map_or("", |g| g.as_str())
                    .trim_end_matches(['.', ':']);
                wants(what)
            }));
        }
        if on("your-value") {
            consider(regex_found(value, "your-value", &res().your, |m| {
                wants(m.get(1).map_or("", |g| g.as_str()))
            }));
        }
        if on("dummy-value") {
            consider(regex_found(value, "dummy-value", &res().dummy, |m| {
                if m.get(0)
                    .is_some_and(|g| g.as_str().matches('.').count() == 3)
                {
                    wants("ip address")
                } else {
                    "the real value (a version number, an address, ...)".to_owned()
                }
            }));
        }
        if on("example-domain") {
            consider(regex_found(value, "example-domain", &res().example, |_| {
                "your organisation's real domain names".to_owned()
            }));
        }
        if found.is_empty() {
            for p in &self.extra {
                if metadata && !p.metadata {
                    continue;
                }
                if let Some(m) = p.regex.find(value) {
                    found.push(Found {
                        pattern: p.regex.as_str().to_owned(),
                        range: m.range(),
                        text: m.as_str().to_owned(),
                        wants: p
                            .help
                            .clone()
                            .unwrap_or_else(|| "the real value".to_owned()),
                    });
                }
            }
        }
        found.into_iter().min_by_key(|f| f.range.start)
    }
}

impl PlaceholderPatterns {
    /// A placeholder that makes up a whole metadata value: the field is
    /// plainly unfinished (`description: TODO`, `name: <rule name>`,
    /// `description: TODO write it`). Template words inside prose
    /// (`Query #1 ... TODO - set the hash to one of your choice`, `replace
    /// X with your ...`) are guidance for the reader, not a placeholder.
    /// The user's own metadata patterns apply anywhere in the value, as
    /// configured.
    pub fn find_in_field(&self, value: &str) -> Option<Found> {
        let core = field_core(value);
        let offset = core.as_ptr() as usize - value.as_ptr() as usize;
        let shift = |mut f: Found| {
            f.range = f.range.start + offset..f.range.end + offset;
            f
        };
        if core.is_empty() {
            return None;
        }
        // `<description>`, `<rule name>`: a bracketed name as the whole value.
        if self.enabled("angle-instruction")
            && core.starts_with('<')
            && core.ends_with('>')
            && core.len() <= 82
        {
            let inner = &core[1..core.len() - 1];
            if !inner.is_empty()
                && inner.starts_with(|c: char| c.is_alphabetic())
                && inner
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-'))
            {
                return Some(shift(Found {
                    pattern: "angle-instruction".to_owned(),
                    range: 0..core.len(),
                    text: core.to_owned(),
                    wants: "the final text".to_owned(),
                }));
            }
        }
        let builtin = PlaceholderPatterns {
            disabled: self.disabled.clone(),
            extra: Vec::new(),
        };
        if let Some(f) = builtin.find(core, Place::Metadata) {
            let whole = f.range == (0..core.len());
            // `TODO write it`, `TBD: add a description`: a marker and a few
            // words on one line, a note to self rather than guidance.
            let short_note = f.pattern == "todo-marker"
                && f.range.start == 0
                && !core.contains('\n')
                && core[f.range.end..]
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .count()
                    <= 4;
            if whole || short_note {
                return Some(shift(f));
            }
        }
        // The user's patterns, anywhere in the value.
        let users = PlaceholderPatterns {
            disabled: BUILTIN_PATTERNS.iter().map(|p| p.name).collect(),
            extra: self.extra.clone(),
        };
        users.find(value, Place::Metadata)
    }
}

/// A metadata value without the wrapping that does not change what it says:
/// surrounding white space, the quotes Sentinel's descriptions are often
/// written in (`'...'` inside a block scalar), and trailing punctuation.
fn field_core(value: &str) -> &str {
    let mut v = value.trim();
    loop {
        let before = v.len();
        for q in ['\'', '"'] {
            if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
                v = v[1..v.len() - 1].trim();
            }
        }
        v = v.trim_end_matches(['.', ':', '!', ' ']).trim();
        if v.len() == before {
            return v;
        }
    }
}

struct Res {
    goes_here: Regex,
    todo: Regex,
    change_me: Regex,
    enter: Regex,
    your: Regex,
    dummy: Regex,
    example: Regex,
}

fn res() -> &'static Res {
    static RES: OnceLock<Res> = OnceLock::new();
    RES.get_or_init(|| {
        let r = |s: &str| Regex::new(s).expect("built-in placeholder regex");
        Res {
            goes_here: r(r"(?i)\b(?:go|goes)\s+here\b"),
            todo: r(r"\b(?:TODO|FIXME|TBD)\b"),
            change_me: r(r"\b(?:CHANGEME|CHANGE[ _]ME|REPLACEME|REPLACE[ _]ME|FILL[ _]ME[ _]IN)\b"),
            enter: r(r"^\s*(?i:enter)\s+([A-Za-z][^\r\n]{0,60})$"),
            your: r(r"^\s*(?:(?:YOUR|[Yy]our)[_-]([A-Za-z][\w-]*)|YOUR\s+([A-Z][A-Z ]*[A-Z]))\s*$"),
            dummy: r(r"^\s*[xX]{1,3}(?:\.[xX]{1,3}){2,}\s*$"),
            example: r(
                r"(?i)(?:^|[^a-z0-9.-])(?:[a-z0-9-]+\.)*(?:example\.(?:com|net|org)|contoso\.com|fabrikam\.com)(?:$|[^a-z0-9-])",
            ),
        }
    })
}

fn regex_found(
    value: &str,
    name: &str,
    re: &Regex,
    wants: impl Fn(&regex::Captures<'_>) -> String,
) -> Option<Found> {
    let caps = re.captures(value)?;
    let m = caps.get(0)?;
    // Report the text without the context characters some patterns need.
    let text = m.as_str();
    let trimmed_start = text.len()
        - text
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .len();
    let trimmed_end = text.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    let range = if trimmed_end > trimmed_start {
        m.start() + trimmed_start..m.start() + trimmed_end
    } else {
        m.range()
    };
    Some(Found {
        pattern: name.to_owned(),
        text: value[range.clone()].to_owned(),
        range,
        wants: wants(&caps),
    })
}

/// `X GOES HERE`: the placeholder is the phrase up to `here`, starting
/// after any punctuation before it within the value.
fn goes_here(value: &str) -> Option<Found> {
    let m = res().goes_here.find(value)?;
    let before = &value[..m.start()];
    // The noun phrase: up to five words before "goes here".
    let mut start = before.len();
    let mut words = 0;
    for (i, c) in before.char_indices().rev() {
        if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' {
            start = i;
        } else if c == ' ' && words < 5 {
            words += 1;
            start = i + 1;
        } else {
            break;
        }
    }
    let start = start + (before[start..].len() - before[start..].trim_start().len());
    let noun = before[start..].trim();
    Some(Found {
        pattern: "goes-here".to_owned(),
        range: start..m.end(),
        text: value[start..m.end()].to_owned(),
        wants: wants(noun),
    })
}

/// Instruction verbs that open a bracketed placeholder: `<replace ...>`.
const INSTRUCTIONS: &[&str] = &[
    "replace", "insert", "enter", "put", "add", "fill", "specify", "set", "change", "type",
    "paste", "update", "provide", "your", "yours", "my",
];

/// Names of values a template leaves for the user, written as one word in
/// angle brackets (`<processname>`). Generic words (`<name>`, `<id>`,
/// `<guid>`, `<value>`) are left out: real queries use them as values.
const VALUE_NAMES: &[&str] = &[
    "ip",
    "ipaddress",
    "ipaddr",
    "ipv4",
    "ipv6",
    "url",
    "domainname",
    "dnsname",
    "fqdn",
    "hostname",
    "computername",
    "devicename",
    "machinename",
    "username",
    "accountname",
    "upn",
    "userprincipalname",
    "email",
    "emailaddress",
    "filename",
    "filepath",
    "processname",
    "filehash",
    "hash",
    "sha1",
    "sha256",
    "md5",
    "tenantid",
    "subscriptionid",
    "resourcegroup",
    "resourcegroupname",
    "workspaceid",
    "workspacename",
    "watchlistname",
];

/// Identifier fields of Sentinel entities: `'<Name>'`, `'<HostName>'` and
/// friends are Exploration Query parameters the portal fills in.
const ENTITY_FIELDS: &[&str] = &[
    "Name",
    "FullName",
    "NTDomain",
    "DnsDomain",
    "UPNSuffix",
    "Sid",
    "AadTenantId",
    "AadUserId",
    "PUID",
    "IsDomainJoined",
    "ObjectGuid",
    "Address",
    "HostName",
    "NetBiosName",
    "AzureID",
    "OMSAgentID",
    "OSFamily",
    "OSVersion",
    "DeviceId",
    "IoTHub",
    "CommandLine",
    "ProcessId",
    "ImageFile",
    "CreationTimeUtc",
    "Directory",
    "FileHashes",
    "Url",
    "Value",
    "Algorithm",
    "ResourceId",
    "DomainName",
    "MailboxPrimaryAddress",
    "DisplayName",
    "Upn",
    "AppId",
    "InstanceName",
    "Location",
    "Recipient",
    "Sender",
    "SenderIP",
    "NetworkMessageId",
];

/// Whether `<content>` is an Exploration Query parameter: an entity field,
/// optionally prefixed like `Account_Name` or `v_Process_ProcessId`.
fn is_entity_parameter(content: &str) -> bool {
    let rest = content.strip_prefix("v_").unwrap_or(content);
    let field = match rest.split_once('_') {
        Some((entity, field))
            if entity.starts_with(|c: char| c.is_ascii_uppercase())
                && entity.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            field
        }
        Some(_) => return false,
        None => rest,
    };
    ENTITY_FIELDS.contains(&field)
}

fn angle(value: &str, place: Place) -> Option<Found> {
    let bytes = value.as_bytes();
    let mut i = 0;
    while let Some(off) = value[i..].find('<') {
        let open = i + off;
        i = open + 1;
        let Some(close_off) = value[open + 1..].find(['>', '<']) else {
            break;
        };
        let close = open + 1 + close_off;
        if bytes[close] == b'<' {
            continue;
        }
        let content = &value[open + 1..close];
        // Regex named groups and back-references: (?P<name>, (?<name>, \k<name>.
        let before = &value[..open];
        if before.ends_with("?P")
            || before.ends_with('?')
            || before.ends_with("\\k")
            || before.ends_with("\\g")
        {
            continue;
        }
        if let Some(wants_text) = classify_angle(content, place) {
            return Some(Found {
                pattern: "angle-instruction".to_owned(),
                range: open..close + 1,
                text: value[open..close + 1].to_owned(),
                wants: wants_text,
            });
        }
    }
    None
}

/// What belongs in place of `<content>`, when it is a placeholder.
fn classify_angle(content: &str, place: Place) -> Option<String> {
    let trimmed = content.trim();
    if trimmed.is_empty() || trimmed.len() > 80 || trimmed != content {
        return None;
    }
    // Words of letters and digits only, separated by spaces, `_` or `-`:
    // anything else (`=`, `/`, quotes, dots) is markup or data.
    if !trimmed
        .chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || c == '_' || c == '-')
    {
        return None;
    }
    let words: Vec<&str> = trimmed
        .split([' ', '_', '-'])
        .filter(|w| !w.is_empty())
        .collect();
    let first = words.first()?.to_ascii_lowercase();
    if words.len() >= 2 && INSTRUCTIONS.contains(&first.as_str()) {
        // `<replace this with full computer name>` → "full computer name".
        let noun = strip_instruction(&words);
        return Some(wants(&noun));
    }
    if place == Place::Metadata {
        // Descriptions mention `<value>` names when they explain a query;
        // only instructions are template text there.
        return None;
    }
    let exploration = matches!(place, Place::Query { exploration: true });
    if trimmed.contains(' ') {
        // `<computer name>`: several words.
        return (!exploration || !is_entity_parameter(trimmed)).then(|| wants(trimmed));
    }
    if exploration || is_entity_parameter(trimmed) {
        return None;
    }
    let key: String = trimmed
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    VALUE_NAMES.contains(&key.as_str()).then(|| wants(trimmed))
}

/// The noun phrase of an instruction: `replace this with full computer
/// name` → `full computer name`; `your watchlist name` → `watchlist name`.
fn strip_instruction(words: &[&str]) -> String {
    const FILLER: &[&str] = &[
        "this", "with", "the", "a", "an", "your", "yours", "my", "here", "value", "of", "in",
        "for", "to",
    ];
    let rest: Vec<&str> = words[1..]
        .iter()
        .copied()
        .skip_while(|w| FILLER.contains(&w.to_ascii_lowercase().as_str()))
        .collect();
    let mut rest: Vec<&str> = rest;
    while rest.last().is_some_and(|w| w.eq_ignore_ascii_case("here")) {
        rest.pop();
    }
    rest.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: Place = Place::Query { exploration: false };
    const EQ: Place = Place::Query { exploration: true };

    fn find(v: &str) -> Option<String> {
        PlaceholderPatterns::default().find(v, Q).map(|f| f.text)
    }

    #[test]
    fn template_values_are_found() {
        assert_eq!(
            find("IP ADDRESS GOES HERE").as_deref(),
            Some("IP ADDRESS GOES HERE")
        );
        assert_eq!(find("URL GOES HERE").as_deref(), Some("URL GOES HERE"));
        assert_eq!(
            find("<replace this with full computer name>").as_deref(),
            Some("<replace this with full computer name>")
        );
        assert_eq!(
            find("<INSERT ISSUING CA KEY HERE>").as_deref(),
            Some("<INSERT ISSUING CA KEY HERE>")
        );
        assert_eq!(find("<processname>").as_deref(), Some("<processname>"));
        assert_eq!(
            find("C:\\Users\\<username>\\x").as_deref(),
            Some("<username>")
        );
        assert_eq!(
            find("<your-tenant-id>").as_deref(),
            Some("<your-tenant-id>")
        );
        assert_eq!(find("TODO").as_deref(), Some("TODO"));
        assert_eq!(find("CHANGEME").as_deref(), Some("CHANGEME"));
        assert_eq!(
            find("Enter SignatureId").as_deref(),
            Some("Enter SignatureId")
        );
        assert_eq!(
            find("Enter comma-separated IPs").as_deref(),
            Some("Enter comma-separated IPs")
        );
        assert_eq!(find("X.X.X.X").as_deref(), Some("X.X.X.X"));
        assert_eq!(find("x.x.xxx").as_deref(), Some("x.x.xxx"));
        assert_eq!(find("example.com").as_deref(), Some("example.com"));
        assert_eq!(
            find("https://login.example.org/x").as_deref(),
            Some("login.example.org")
        );
        assert_eq!(
            find("YOUR_WORKSPACE_ID").as_deref(),
            Some("YOUR_WORKSPACE_ID")
        );
    }

    #[test]
    fn legitimate_values_are_not() {
        for v in [
            "<script>",
            "<guid>",
            "(?P<key>\\w+)=(?P<value>[a-zA-Z0-9]+)",
            "\\[?(::ffff:)?(?P<IPAddress>(\\d+\\.\\d+\\.\\d+\\.\\d+)|[^\\]]+)\\]?",
            "(?<name>x)",
            "<br><br>",
            "<a href=\"x\">",
            "</script>",
            "INSERT",
            "And I lay my PATH at your feet",
            "say \"Your files are encrypted\" waiting until completion false",
            "Replace.exe",
            "fillinaresortsltd.co.uk",
            "Entered credentials",
            "todo.exe",
            "changeme",
            "0.0.0.0",
            "1.1.1.1",
            "notexample.com",
            "example.community",
            "<>",
            "a < b > c",
            "Enter-PSSession",
            "Your files are encrypted",
        ] {
            assert_eq!(find(v), None, "{v:?}");
        }
    }

    #[test]
    fn exploration_parameters_are_not_placeholders() {
        let p = PlaceholderPatterns::default();
        for v in [
            "<Name>",
            "<UPNSuffix>",
            "<HostName>",
            "<Address>",
            "<Account_Name>",
            "<v_Process_ProcessId>",
            "<IoTHub>",
        ] {
            assert_eq!(p.find(v, EQ), None, "{v}");
            assert_eq!(
                p.find(v, Q),
                None,
                "{v} (entity field, outside an exploration query)"
            );
        }
        // Lower-case value names are placeholders outside exploration queries.
        assert!(p.find("<hostname>", Q).is_some());
        assert_eq!(p.find("<hostname>", EQ), None);
        // Instructions are placeholders everywhere.
        assert!(p.find("<replace with the host>", EQ).is_some());
    }

    #[test]
    fn metadata_uses_the_metadata_patterns_only() {
        let p = PlaceholderPatterns::default();
        assert!(
            p.find("TODO - set file hash to be a SHA1 hash", Place::Metadata)
                .is_some()
        );
        assert_eq!(
            p.find("Looks for <processname> launches", Place::Metadata),
            None
        );
        assert_eq!(p.find("See https://example.com", Place::Metadata), None);
        assert!(p.find("<your watchlist name>", Place::Metadata).is_some());
        // A whole field is what KQL202 reports.
        assert_eq!(
            p.find_in_field("Query #1.\nTODO - set file hash to be a SHA1 hash of your choice..."),
            None
        );
        let f = p.find_in_field("  'TODO.'\n").unwrap();
        assert_eq!((f.text.as_str(), f.range), ("TODO", 3..7));
        assert!(p.find_in_field("<your watchlist name>").is_some());
        assert!(p.find_in_field("<description>").is_some());
        assert_eq!(p.find_in_field("<br>Looks for <processname>"), None);
        assert_eq!(p.find_in_field("<a href=x>"), None);
        assert_eq!(p.find_in_field(""), None);
    }

    #[test]
    fn what_belongs_there() {
        let p = PlaceholderPatterns::default();
        let w = |v: &str| p.find(v, Q).unwrap().wants;
        assert!(w("IP ADDRESS GOES HERE").starts_with("an IP address"));
        assert!(w("DNS ENTRY GOES HERE").starts_with("a DNS name"));
        assert!(w("FILENAME GOES HERE").starts_with("a file name"));
        assert!(w("URL GOES HERE").starts_with("a URL"));
        assert!(w("<replace this with full computer name>").starts_with("a device"));
        assert!(w("<processname>").starts_with("a process"));
    }

    #[test]
    fn patterns_are_configurable() {
        let mut p = PlaceholderPatterns::default();
        p.disable("example-domain").unwrap();
        assert_eq!(p.find("example.com", Q), None);
        assert!(p.disable("nope").is_err());
        p.add(r"\bPUT_\w+_HERE\b", Some("a tenant id".into()), false)
            .unwrap();
        let f = p.find("x PUT_TENANT_HERE", Q).unwrap();
        assert_eq!(f.text, "PUT_TENANT_HERE");
        assert_eq!(f.wants, "a tenant id");
        assert_eq!(p.find("x PUT_TENANT_HERE", Place::Metadata), None);
        assert!(p.add("(", None, false).is_err());
        assert!(p.add("x*", None, false).is_err());
    }
}
