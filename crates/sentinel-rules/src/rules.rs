//! Registry metadata of every diagnostic this crate emits: category `rule`,
//! KQL401–KQL499. The examples are whole rule files; each `fail` example
//! must produce its code and each `pass` example must not (tests/examples.rs).

use kqlint_diagnostics::{Category, ExampleKind, RuleMeta, Severity};

// Declared beside the checks that report them.
pub use crate::check::{
    INVALID_SCHEDULE, INVALID_TECHNIQUE, SINGLE_VALUE_FOR_LIST, SUPPRESSION_WITHOUT_EFFECT,
    TECHNIQUE_TACTIC_MISMATCH, UNKNOWN_CONNECTOR_ID, UNKNOWN_TACTIC,
};
pub use crate::cross::{ALERT_PER_RESULT_UNBOUNDED, OVERRIDE_COLUMN_TYPE};
pub use crate::defender::{
    CONTINUOUS_DETECTION_QUERY, DEPRECATED_DETECTION_FIELD, DETECTION_COLUMN_NOT_IN_OUTPUT,
    DETECTION_TIME_FILTER, INVALID_DETECTION_SCHEDULE, MISSING_DETECTION_COLUMN,
};
pub use crate::schema::{INVALID_CUSTOM_DETAILS, INVALID_VERSION};

/// Every rule this crate declares, in code order.
pub static RULES: &[&RuleMeta] = &[
    &MISSING_REQUIRED_FIELD,
    &WRONG_VALUE_TYPE,
    &INVALID_VALUE,
    &NON_CANONICAL_SPELLING,
    &INVALID_RULE_ID,
    &VALUE_OUT_OF_RANGE,
    &INVALID_VERSION,
    &INVALID_DURATION,
    &INVALID_SCHEDULE,
    &INVALID_ENTITY_MAPPING,
    &INVALID_CUSTOM_DETAILS,
    &INVALID_ALERT_DETAILS_OVERRIDE,
    &UNKNOWN_TACTIC,
    &INVALID_TECHNIQUE,
    &TECHNIQUE_TACTIC_MISMATCH,
    &UNKNOWN_CONNECTOR_ID,
    &SINGLE_VALUE_FOR_LIST,
    &MISSPELT_FIELD,
    &ENTITY_COLUMN_NOT_IN_OUTPUT,
    &CUSTOM_DETAIL_COLUMN_NOT_IN_OUTPUT,
    &ALERT_OVERRIDE_COLUMN_NOT_IN_OUTPUT,
    &MISSING_DATA_CONNECTOR,
    &DUPLICATE_RULE_ID,
    &DUPLICATE_RULE_COPY,
    &DEPRECATED_DETECTION_FIELD,
    &INVALID_DETECTION_SCHEDULE,
    &MISSING_DETECTION_COLUMN,
    &DETECTION_COLUMN_NOT_IN_OUTPUT,
    &SCHEMA_TEMPLATE,
    &LOOKBACK_BEYOND_QUERY_PERIOD,
    &SUPPRESSION_WITHOUT_EFFECT,
    &DETECTION_TIME_FILTER,
    &CONTINUOUS_DETECTION_QUERY,
    &OVERRIDE_COLUMN_TYPE,
    &ALERT_PER_RESULT_UNBOUNDED,
];

/// A valid scheduled rule, for tests.
pub const EXAMPLE_RULE: &str = rule!();

pub static MISSING_REQUIRED_FIELD: RuleMeta = RuleMeta {
    code: "KQL401",
    name: "missing-required-field",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "A field the rule's kind requires is missing or empty",
    what: "Reports a field that Sentinel requires for this kind of file and that is absent or has no \
           value. Every analytic rule needs `id`, `kind`, `name`, `description`, `severity` and `query`; a \
           scheduled rule also needs `requiredDataConnectors`, `queryFrequency`, `queryPeriod`, \
           `triggerOperator` and `triggerThreshold`. A hunting query needs `id`, `name`, `description` \
           and `query` (never a schedule or severity). Nested objects have required fields too: an \
           entity mapping needs `entityType` and `fieldMappings`, a field mapping `identifier` and \
           `columnName`, a data connector `connectorId` and `dataTypes`. The kind of file is \
           recognised from its folder (`Detections`, `Analytic Rules`, `Hunting Queries`, \
           `Exploration Queries`) and, elsewhere, from its content (`kind`, a schedule).",
    why: "Azure-Sentinel's CI and the Sentinel API refuse an analytic rule without these fields, so \
          the rule never deploys.",
    fix: "Add the field with a valid value. Field names are case-sensitive.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        connectors!(),
        schedule!(),
        mitre!(),
        query!(),
        entities!(),
        tail!()
    )],
    pass: &[rule!(), hunting!("tactics:\n  - Discovery\n")],
};

pub static WRONG_VALUE_TYPE: RuleMeta = RuleMeta {
    code: "KQL402",
    name: "wrong-value-type",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "A field holds a list where text is expected, text where a list is expected, and so on",
    what: "Reports a field whose value has the wrong shape: text where Sentinel expects a list (for \
           example `dataTypes: SigninLogs`), a list or a mapping where it expects text, or a mapping \
           where it expects a list. Plain YAML values are all text to Sentinel, so `name: 2021` or \
           `triggerThreshold: 0` are fine. An error in analytic rules; a warning in hunting and exploration queries, whose \
           metadata Sentinel's CI does not validate.",
    why: "Sentinel's loader cannot read a value of the wrong shape and refuses the whole rule.",
    fix: "Write the value in the expected shape: a list as `- item` lines under the key, text as a \
          single value.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        "requiredDataConnectors:\n  - connectorId: AzureActiveDirectory\n    dataTypes: SigninLogs\n",
        schedule!(),
        mitre!(),
        query!(),
        entities!(),
        tail!()
    )],
    pass: &[rule!()],
};

pub static INVALID_VALUE: RuleMeta = RuleMeta {
    code: "KQL403",
    name: "invalid-value",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "A field's value is not one Sentinel accepts (`severity`, `kind`, `triggerOperator`, ...)",
    what: "Reports a value outside the set Sentinel accepts: `severity` must be Informational, Low, \
           Medium or High; `kind` Scheduled or NRT; `triggerOperator` GreaterThan, LessThan, Equal, \
           NotEqual or their aliases gt, lt, eq, ne; `eventGroupingSettings.aggregationKind` \
           SingleAlert or AlertPerResult; `triggerThreshold` a whole number. (Entity types are \
           `invalid-entity-mapping`.) An error in analytic rules; a warning in hunting and exploration queries, whose \
           metadata Sentinel's CI does not validate.",
    why: "Azure-Sentinel's CI and the Sentinel API refuse the rule.",
    fix: "Use one of the values the message lists.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        "severity: Critical\n",
        connectors!(),
        schedule!(),
        mitre!(),
        query!(),
        entities!(),
        tail!()
    )],
    pass: &[rule!()],
};

pub static NON_CANONICAL_SPELLING: RuleMeta = RuleMeta {
    code: "KQL404",
    name: "non-canonical-spelling",
    category: Category::Rule,
    severity: Severity::Warning,
    summary: "A value or key Sentinel accepts only because it ignores case (`high`, `CommandandControl`)",
    what: "Reports an enumerated value (severity, kind, aggregation kind, entity type, tactic) or a \
           field name written in another case than Sentinel's own spelling, such as `severity: high`, \
           `CommandandControl` or `QueryFrequency:`.",
    why: "Azure-Sentinel's CI reads these case-insensitively, so the rule deploys; but other tools \
          (the portal's MITRE view, scripts that read the YAML, kqlint's editor schemas) compare \
          exactly, and a mixed set of spellings makes rules hard to search.",
    fix: "Write the value or key exactly as the message shows.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        "severity: medium\n",
        connectors!(),
        schedule!(),
        mitre!(),
        query!(),
        entities!(),
        tail!()
    )],
    pass: &[rule!()],
};

pub static INVALID_RULE_ID: RuleMeta = RuleMeta {
    code: "KQL405",
    name: "invalid-rule-id",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "The rule's `id` is not a GUID",
    what: "Reports an `id` (`Id` in exploration queries) that is not a GUID such as \
           `2b5e4b56-8f0f-4c8a-9d2a-5a1f7c3e9b10`.",
    why: "Sentinel identifies a rule template by its GUID; Azure-Sentinel's CI parses it with \
          `Guid.Parse` and refuses the rule otherwise.",
    fix: "Generate a new GUID (`uuidgen`, `[guid]::NewGuid()`, `python -c 'import uuid; \
          print(uuid.uuid4())'`) and use it as the id. Never change the id of a published rule.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        "id: signin-blocked-country-1\n",
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        mitre!(),
        query!(),
        entities!(),
        tail!()
    )],
    pass: &[rule!()],
};

pub static VALUE_OUT_OF_RANGE: RuleMeta = RuleMeta {
    code: "KQL406",
    name: "value-out-of-range",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "A value is too long, too short or outside Sentinel's range",
    what: "Reports Sentinel's size limits: `name` at most 256 characters, `description` at most \
           5000, an analytic rule's `query` 1 to 10,000 characters, `triggerThreshold` 0 to 10,000. An error in analytic rules; a warning in hunting and exploration queries, whose \
           metadata Sentinel's CI does not validate.",
    why: "Azure-Sentinel's CI and the Sentinel API refuse a rule over these limits.",
    fix: "Shorten the text (move long explanations to a linked document; move long lists in the \
          query to a watchlist or a function) or bring the number into range.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        "queryFrequency: 1h\nqueryPeriod: 1h\ntriggerOperator: gt\ntriggerThreshold: 20000\n",
        mitre!(),
        query!(),
        entities!(),
        tail!()
    )],
    pass: &[rule!()],
};

pub static INVALID_DURATION: RuleMeta = RuleMeta {
    code: "KQL408",
    name: "invalid-duration",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "`queryFrequency` or `queryPeriod` is not a duration from 5m to 14d",
    what: "Reports a `queryFrequency` or `queryPeriod` that Sentinel cannot read or that lies outside \
           5 minutes to 14 days. Sentinel reads `<number>m`, `<number>h`, `<number>d` (the unit \
           letter in lower case) and .NET time spans such as `01:00:00` or `1.00:00:00`; `PT1H`, \
           `1H` and `1.5h` are refused. Exploration queries' `QueryPeriodBefore` / \
           `QueryPeriodAfter` are checked for the `<number>m|h|d` form. An error in analytic rules; a warning in hunting and exploration queries, whose \
           metadata Sentinel's CI does not validate.",
    why: "Azure-Sentinel's CI refuses the rule, and the Sentinel API refuses a schedule outside the \
          range.",
    fix: "Write the duration as e.g. `5m`, `1h` or `14d`, within 5m to 14d.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        "queryFrequency: 1h\nqueryPeriod: 30d\ntriggerOperator: gt\ntriggerThreshold: 0\n",
        mitre!(),
        query!(),
        entities!(),
        tail!()
    )],
    pass: &[rule!()],
};

pub static INVALID_ENTITY_MAPPING: RuleMeta = RuleMeta {
    code: "KQL410",
    name: "invalid-entity-mapping",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "An entity mapping breaks Sentinel's rules (identifiers, counts, required identifiers)",
    what: "Checks `entityMappings` as Sentinel does: 1 to 5 mappings, each with 1 to 3 field \
           mappings; an `entityType` among Sentinel's 19 entity types; every `identifier` valid for its `entityType` (an `Account` has `FullName`, \
           `Name`, `NTDomain`, ..., an `IP` only `Address`) and used once; at least one of the \
           entity type's required identifier sets present (an `Account` needs `FullName`, `Sid`, \
           `Name`, `AadUserId` or `PUID`; a `Host` needs `FullName`, `HostName`, `NetBiosName` or \
           `AzureID`); each `columnName` a column name (a letter or `_`, then letters, digits, `_`). An error in analytic rules; a warning in hunting and exploration queries, whose \
           metadata Sentinel's CI does not validate.",
    why: "Azure-Sentinel's CI and the Sentinel API refuse the rule. An entity without its required \
          identifiers is dropped from the alert.",
    fix: "Use an identifier the message lists for the entity type, and map one of the required \
          identifiers.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        mitre!(),
        query!(),
        "entityMappings:\n  - entityType: Account\n    fieldMappings:\n      - identifier: UPN\n        columnName: UserPrincipalName\n",
        tail!()
    )],
    pass: &[rule!()],
};

pub static INVALID_ALERT_DETAILS_OVERRIDE: RuleMeta = RuleMeta {
    code: "KQL412",
    name: "invalid-alert-details-override",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "`alertDetailsOverride` uses more than 3 `{{Column}}` placeholders, or is too long",
    what: "Checks `alertDetailsOverride`: `alertDisplayNameFormat` 1 to 256 characters and \
           `alertDescriptionFormat` 1 to 5000, each with at most 3 `{{Column}}` placeholders; \
           `alertTacticsColumnName`, `alertSeverityColumnName` and `alertDynamicProperties[].value` \
           column names. An error in analytic rules; a warning in hunting and exploration queries, whose \
           metadata Sentinel's CI does not validate.",
    why: "Azure-Sentinel's CI and the Sentinel API refuse the rule.",
    fix: "Use at most three placeholders in each format; put further values in `customDetails`.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        rule!(),
        "alertDetailsOverride:\n  alertDisplayNameFormat: Sign-in by {{UserPrincipalName}} from {{IPAddress}} in {{Location}} at {{TimeGenerated}}\n"
    )],
    pass: &[concat!(
        rule!(),
        "alertDetailsOverride:\n  alertDisplayNameFormat: Sign-in by {{UserPrincipalName}} from {{Location}}\n"
    )],
};

pub static MISSPELT_FIELD: RuleMeta = RuleMeta {
    code: "KQL418",
    name: "misspelt-field",
    category: Category::Rule,
    severity: Severity::Warning,
    summary: "An unknown field looks like a misspelt Sentinel field (`queryFrequncy`, `techniques`)",
    what: "Reports a top-level key that Sentinel does not read but that is close to one it does \
           (`entityMapping`, `queryFrequncy`, `techniques` for `relevantTechniques`). Other unknown \
           keys are left alone: Sentinel ignores them, and rule repositories use them for their own \
           metadata.",
    why: "Sentinel silently ignores an unknown key, so the value written under a misspelt key has no \
          effect: entity mappings that are never applied, techniques that never show.",
    fix: "Rename the key to the Sentinel field the message names.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        "tactics:\n  - InitialAccess\nrelevantTechniques:\n  - T1078\n",
        query!(),
        "entityMapping:\n  - entityType: Account\n    fieldMappings:\n      - identifier: FullName\n        columnName: UserPrincipalName\n",
        tail!()
    )],
    pass: &[rule!()],
};

pub static ENTITY_COLUMN_NOT_IN_OUTPUT: RuleMeta = RuleMeta {
    code: "KQL420",
    name: "entity-column-not-in-output",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "An entity mapping names a column the query does not output",
    what: "Reports an `entityMappings[].fieldMappings[].columnName` that is not a column of the \
           query's result, with the closest column name. Column names are case-sensitive. Nothing is \
           reported when kqlint cannot know the result's columns (an unknown table or function, \
           `evaluate` plug-ins with dynamic output).",
    why: "Sentinel accepts the rule (its CI checks entity mappings for shape only), but the entity is \
          never filled: the alerts carry no entity, and incidents are neither grouped by it nor \
          enriched.",
    fix: "Map a column the query outputs, or add the column to the query's final `project` / \
          `extend`.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        mitre!(),
        query!(),
        "entityMappings:\n  - entityType: Account\n    fieldMappings:\n      - identifier: FullName\n        columnName: UserPrincipleName\n",
        tail!()
    )],
    pass: &[rule!()],
};

pub static CUSTOM_DETAIL_COLUMN_NOT_IN_OUTPUT: RuleMeta = RuleMeta {
    code: "KQL421",
    name: "custom-detail-column-not-in-output",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "A custom detail names a column the query does not output",
    what: "Reports a `customDetails` value that is not a column of the query's result, with the \
           closest column name. Nothing is reported when the result's columns are not known.",
    why: "The detail is silently empty in every alert.",
    fix: "Name a column the query outputs, or add it to the query's result.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        rule!(),
        "customDetails:\n  SignInCountry: Country\n"
    )],
    pass: &[concat!(
        rule!(),
        "customDetails:\n  SignInCountry: Location\n"
    )],
};

pub static ALERT_OVERRIDE_COLUMN_NOT_IN_OUTPUT: RuleMeta = RuleMeta {
    code: "KQL422",
    name: "alert-override-column-not-in-output",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "An alert details override names a column the query does not output",
    what: "Reports a `{{Column}}` placeholder in `alertDisplayNameFormat` / \
           `alertDescriptionFormat`, and an `alertTacticsColumnName`, `alertSeverityColumnName` or \
           `alertDynamicProperties[].value`, that is not a column of the query's result. Nothing is \
           reported when the result's columns are not known.",
    why: "Sentinel shows the placeholder empty (an alert named \"Sign-in by  from \"), or falls back \
          to the rule's own tactics and severity.",
    fix: "Name a column the query outputs, or add it to the query's result.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        rule!(),
        "alertDetailsOverride:\n  alertDisplayNameFormat: Sign-in by {{UserPrincipalName}} from {{Country}}\n"
    )],
    pass: &[concat!(
        rule!(),
        "alertDetailsOverride:\n  alertDisplayNameFormat: Sign-in by {{UserPrincipalName}} from {{Location}}\n"
    )],
};

pub static MISSING_DATA_CONNECTOR: RuleMeta = RuleMeta {
    code: "KQL423",
    name: "missing-data-connector",
    category: Category::Rule,
    severity: Severity::Warning,
    summary: "The query reads a table that no `requiredDataConnectors` entry lists",
    what: "Reports a table the query reads that is not among the `dataTypes` of the rule's \
           `requiredDataConnectors`, and names the connector that feeds it (DeviceNetworkEvents → \
           `MicrosoftThreatProtection`). Not reported: a table the query reads only where it runs \
           without it: a leg of `union isfuzzy=true` (as the multi-source indicator rules are written), \
           the right side of a `join kind=leftouter` / `leftanti` or a `lookup`, or the left side of a \
           `join kind=rightouter` / `rightanti`, which enrich or thin out the rows found (declaring such a table would hide the rule from workspaces that lack only \
           the enrichment); a table no connector Sentinel accepts in `connectorId` is known to feed \
           (`AppServiceHTTPLogs`, `Usage`, `SecurityRecommendation`, `AzureDevOpsAuditing`, a custom log of \
           your own), since `requiredDataConnectors` can only name such connectors; a table whose feeding \
           connector is listed with a data type of its own naming (`AzureKeyVault` with `KeyVaultData` for \
           `AzureDiagnostics`, `SecurityEvents` with `SecurityEvents`), because connectors name their data \
           types as they like and kqlint does not have their definitions; and a parser that the schema sets \
           model as a table (`Cisco_Umbrella`, `imProcess`), for which the rule lists the parser's source \
           tables.",
    why: "Sentinel uses `requiredDataConnectors` to tell whether a rule can run in a workspace and to \
          list it under the right connectors; a rule that reads an undeclared table is offered where \
          it finds nothing, or missing where it would.",
    fix: "Add the table to the `dataTypes` of the connector the message names, or add that connector.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        "id: 6a1c2f0e-3b7d-4e59-9c1a-2d8e4f6b7a90\n",
        "name: Rare outbound ports\n",
        "description: Outbound connections to ports seldom used in this network.\n",
        "requiredDataConnectors: []\n",
        "tactics:\n  - Discovery\n",
        "query: |\n  DeviceNetworkEvents\n  | summarize Count = count() by RemotePort\n  | where Count < 5\n"
    )],
    pass: &[
        hunting!("tactics:\n  - Discovery\n"),
        concat!(
            "id: 3f2b7c1d-8e4a-4b6c-9d0e-1a2b3c4d5e6f\n",
            "name: Process creation seen by Windows or Defender XDR\n",
            "description: New processes from whichever source the workspace has, Windows events or Defender XDR.\n",
            "requiredDataConnectors:\n  - connectorId: SecurityEvents\n    dataTypes:\n      - SecurityEvent\n",
            "tactics:\n  - Execution\n",
            "query: |\n  union isfuzzy=true\n    (SecurityEvent | where EventID == 4688 | project TimeGenerated, Computer),\n    (DeviceProcessEvents | project TimeGenerated, Computer = DeviceName)\n"
        ),
        concat!(
            "id: 0b7e5d3c-2a14-4f8e-9d6c-51a2b3c4d5e6\n",
            "name: Umbrella blocked requests\n",
            "description: Requests the Umbrella proxy blocked, through its parser.\n",
            "requiredDataConnectors:\n  - connectorId: CiscoUmbrellaDataConnector\n    dataTypes:\n      - Cisco_Umbrella_proxy_CL\n",
            "tactics:\n  - CommandAndControl\n",
            "query: |\n  Cisco_Umbrella\n  | where EventType == \"proxylogs\"\n  | take 10\n"
        ),
    ],
};

pub static DUPLICATE_RULE_ID: RuleMeta = RuleMeta {
    code: "KQL424",
    name: "duplicate-rule-id",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "Two different rules checked in one run share an `id`",
    what: "Reports a rule, hunting query or exploration query whose `id` is also the id of another \
           file checked in the same run, when the two have different names (different rules). The \
           message names the other file and the line of its id. Ids compare case-insensitively.",
    why: "Sentinel identifies a template by its id: deploying both keeps only one of them, and which \
          one depends on the order. Azure-Sentinel's CI refuses duplicate analytic-rule ids.",
    fix: "Give one of the rules a new GUID (never change the id of a rule that is already \
          published).",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[],
    pass: &[rule!()],
};

pub static DUPLICATE_RULE_COPY: RuleMeta = RuleMeta {
    code: "KQL425",
    name: "duplicate-rule-copy",
    category: Category::Rule,
    severity: Severity::Warning,
    summary: "The same rule (same `id` and name) appears in two files checked in one run",
    what: "Reports a file whose `id` and `name` are those of another file checked in the same run: a \
           copy of the same rule, such as a rule kept both in a legacy folder and in a solution.",
    why: "Deploying both copies keeps one of them, and the copies drift apart when only one is \
          edited.",
    fix: "Keep one copy, or exclude the other folder from the run if the copy is intentional.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[],
    pass: &[rule!()],
};

pub static SCHEMA_TEMPLATE: RuleMeta = RuleMeta {
    code: "KQL430",
    name: "schema-template",
    category: Category::Rule,
    severity: Severity::Info,
    summary: "A file that describes a rule format with type names; it is not checked as a rule",
    what: "Reports a rule-shaped YAML file whose values are nearly all type names (`Id: guid`, \
           `DisplayName: string`, `query: string`): the template a repository keeps to document \
           its rule format. kqlint checks neither its query nor its fields.",
    why: "Checking such a file as a rule would report `string` as a query and every type name as \
          a bad value: errors on a file that is documentation, which no deployment reads.",
    fix: "Nothing to fix. If the file is meant to be a rule, replace the type names with values.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[
        "Id: guid\nDisplayName: string\nDescription: string\nInputEntityType: string\nquery: |\n  string\n",
    ],
    pass: &[rule!()],
};

pub static LOOKBACK_BEYOND_QUERY_PERIOD: RuleMeta = RuleMeta {
    code: "KQL431",
    name: "lookback-beyond-query-period",
    category: Category::Rule,
    severity: Severity::Warning,
    summary: "A scheduled rule's query looks back further than each run reads (`queryPeriod`, or a custom detection's look-back)",
    what: "Reports a lower bound on time in a scheduled analytic rule's query (`TimeGenerated > \
           ago(14d)`, `between (ago(14d) .. ago(1d))`, `> now() - 2h`, with a timespan written out \
           or held by a `let`) that reaches further back than the rule's `queryPeriod`. Each run of \
           a scheduled rule queries only the last `queryPeriod` of data, so the bound never \
           applies: a baseline over 14 days in a rule with a one-hour period is built from one \
           hour. The furthest-back bound of the query is reported, with the period as a label. \
           The same holds for a scheduled Defender XDR custom detection and its look-back \
           (`schedule.lookback`, or the default for its frequency: every hour reads 4 hours, 3 \
           hours 12 hours, 12 hours 48 hours, 24 hours 30 days).",
    why: "The query silently compares against far less history than it was written for: \
          baselines are empty, \"first seen\" logic fires on everything, thresholds meant for days \
          trip on an hour.",
    fix: "Set `queryPeriod` to the look-back the query needs (up to 14d; a period of 2d or more \
          needs a `queryFrequency` of 1h or more), or shorten the bound to the period.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        mitre!(),
        "query: |\n  SigninLogs\n  | where TimeGenerated > ago(14d)\n  | where ResultType == \"0\" and Location in (\"XX\", \"YY\")\n  | project TimeGenerated, UserPrincipalName, IPAddress, Location\n",
        entities!(),
        tail!()
    )],
    pass: &[
        rule!(),
        concat!(
            id_line!(),
            about!(),
            severity!(),
            connectors!(),
            "queryFrequency: 1h\nqueryPeriod: 14d\ntriggerOperator: gt\ntriggerThreshold: 0\n",
            mitre!(),
            "query: |\n  SigninLogs\n  | where TimeGenerated > ago(14d)\n  | where ResultType == \"0\" and Location in (\"XX\", \"YY\")\n  | project TimeGenerated, UserPrincipalName, IPAddress, Location\n",
            entities!(),
            tail!()
        ),
    ],
};
