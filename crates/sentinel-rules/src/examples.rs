//! The building blocks of the rule examples in the registry metadata: one
//! valid scheduled rule and one hunting query, in pieces, so that each
//! example swaps one piece. Declared first (`#[macro_use]`) so that every
//! module can write its rules' examples beside its checks.

macro_rules! id_line {
    () => {
        "id: 2b5e4b56-8f0f-4c8a-9d2a-5a1f7c3e9b10\n"
    };
}
macro_rules! about {
    () => {
        "name: Sign-in from a blocked country\ndescription: Successful sign-ins from countries on the block list.\n"
    };
}
macro_rules! severity {
    () => {
        "severity: Medium\n"
    };
}
macro_rules! connectors {
    () => {
        "requiredDataConnectors:\n  - connectorId: AzureActiveDirectory\n    dataTypes:\n      - SigninLogs\n"
    };
}
macro_rules! schedule {
    () => {
        "queryFrequency: 1h\nqueryPeriod: 1h\ntriggerOperator: gt\ntriggerThreshold: 0\n"
    };
}
macro_rules! mitre {
    () => {
        "tactics:\n  - InitialAccess\nrelevantTechniques:\n  - T1078\n"
    };
}
macro_rules! query {
    () => {
        "query: |\n  SigninLogs\n  | where ResultType == \"0\" and Location in (\"XX\", \"YY\")\n  | project TimeGenerated, UserPrincipalName, IPAddress, Location\n"
    };
}
macro_rules! entities {
    () => {
        "entityMappings:\n  - entityType: Account\n    fieldMappings:\n      - identifier: FullName\n        columnName: UserPrincipalName\n  - entityType: IP\n    fieldMappings:\n      - identifier: Address\n        columnName: IPAddress\n"
    };
}
macro_rules! tail {
    () => {
        "version: 1.0.0\nkind: Scheduled\n"
    };
}
macro_rules! rule {
    () => {
        concat!(
            id_line!(),
            about!(),
            severity!(),
            connectors!(),
            schedule!(),
            mitre!(),
            query!(),
            entities!(),
            tail!()
        )
    };
}
macro_rules! hunting {
    ($mitre:expr) => {
        concat!(
            "id: 6a1c2f0e-3b7d-4e59-9c1a-2d8e4f6b7a90\n",
            "name: Rare outbound ports\n",
            "description: Outbound connections to ports seldom used in this network.\n",
            "requiredDataConnectors:\n  - connectorId: MicrosoftThreatProtection\n    dataTypes:\n      - DeviceNetworkEvents\n",
            $mitre,
            "query: |\n  DeviceNetworkEvents\n  | summarize Count = count() by RemotePort\n  | where Count < 5\n"
        )
    };
}

// A Defender XDR custom detection (JSON), with its schedule, query and
// alert settings given.
macro_rules! detection {
    ($schedule:expr, $query:expr, $action:expr) => {
        concat!(
            "{\n  \"displayName\": \"Encoded PowerShell\",\n  \"isEnabled\": true,\n",
            "  \"queryCondition\": {\"queryText\": \"",
            $query,
            "\"},\n  \"schedule\": {",
            $schedule,
            "},\n  \"detectionAction\": {\"alertTemplate\": {\"title\": \"Encoded PowerShell\", \"severity\": \"medium\"",
            $action,
            "}}\n}\n"
        )
    };
}
