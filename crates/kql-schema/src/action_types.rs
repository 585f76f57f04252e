//! ActionType catalogues: the `ActionType` values of an event table, what
//! each means, and which columns each fills.
//!
//! # The model
//!
//! The columns of the table fall in two groups:
//!
//! - **ActionType-dependent columns** ([`ActionTypeCatalog::dependent_columns`]):
//!   the columns whose presence depends on the kind of event (for
//!   DeviceNetworkEvents: the endpoint columns `RemoteIP`, `RemotePort`,
//!   `RemoteUrl`, `LocalIP`, `LocalPort`, `Protocol`, their `*IPType`
//!   companions and `AdditionalFields`).
//! - **Common columns**: every other column of the table (`Timestamp`,
//!   `DeviceId`, `DeviceName`, `ActionType`, `ReportId`, the
//!   `InitiatingProcess*` columns, Sentinel's `TimeGenerated`, `TenantId`,
//!   ...). Every event carries them.
//!
//! Each ActionType has either a documented field list
//! ([`ActionTypeFields::Documented`]) or none
//! ([`ActionTypeFields::Undocumented`]). A documented entry says which
//! dependent columns the event fills (`populated`) and, separately, which it
//! certainly never fills (`not_populated`, each with the reason). A dependent
//! column in neither list is *unknown* for that ActionType: field lists are
//! samples of what was seen, not exhaustive, so absence from the list is no
//! proof of absence from the data.
//!
//! A derived column (`RemoteIPType`) has the answer of its base column
//! (`RemoteIP`) ([`ActionTypeCatalog::derived`]).
//!
//! [`ActionTypeCatalog::is_populated`] combines these into
//! [`Populated::Yes`] / [`Populated::No`] / [`Populated::Unknown`]; a checker
//! should warn only on `No`.

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// Whether a column is filled for an ActionType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Populated {
    Yes,
    No,
    Unknown,
}

/// A dependent column an ActionType never fills, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotPopulated {
    pub column: SmolStr,
    pub reason: String,
}

/// What is known of the columns an ActionType fills.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionTypeFields {
    Documented {
        /// The columns the documentation lists for the ActionType (common
        /// columns included, as listed).
        populated: Vec<SmolStr>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        not_populated: Vec<NotPopulated>,
    },
    /// A real ActionType value with no documented field list: no field
    /// answers ([`Populated::Unknown`]) beyond the common columns.
    Undocumented,
}

/// One ActionType value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionType {
    pub name: SmolStr,
    pub title: String,
    /// What the event means, in our own words.
    pub description: String,
    pub fields: ActionTypeFields,
    /// Where the value is documented.
    pub source: String,
}

impl ActionType {
    pub fn is_documented(&self) -> bool {
        matches!(self.fields, ActionTypeFields::Documented { .. })
    }
}

/// The ActionType catalogue of one table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionTypeCatalog {
    pub table: SmolStr,
    /// The columns whose presence depends on the ActionType; every other
    /// column of the table is common to all events.
    pub dependent_columns: Vec<SmolStr>,
    /// `(derived, base)`: the derived column is filled exactly when the base
    /// column is (`RemoteIPType` follows `RemoteIP`).
    #[serde(default)]
    pub derived: Vec<(SmolStr, SmolStr)>,
    /// The catalogue's summary entry for "network activity of any kind"
    /// (the pseudo-entry `any`). It is not an ActionType value: no event has
    /// `ActionType == "any"`. Its field list says which columns are of
    /// interest across all kinds of events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<ActionType>,
    /// The ActionType values, documented ones first.
    pub action_types: Vec<ActionType>,
}

impl ActionTypeCatalog {
    /// The ActionType with exactly this name (values compare
    /// case-sensitively with `==` and `in`).
    pub fn get(&self, name: &str) -> Option<&ActionType> {
        self.action_types.iter().find(|a| a.name == name)
    }

    /// The ActionType whose name equals `name` ignoring case (for `=~`, `in~`).
    pub fn get_ignore_case(&self, name: &str) -> Option<&ActionType> {
        self.action_types
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Every ActionType value, for did-you-mean and completion.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.action_types.iter().map(|a| a.name.as_str())
    }

    /// The closest known ActionType to an unknown value (`ConnecitonFound`
    /// → `ConnectionFound`), or `None` when nothing is close. A value that
    /// is itself known (exactly or ignoring case) gives that value.
    pub fn suggest(&self, name: &str) -> Option<&str> {
        crate::suggest::best_match(name, self.names())
    }

    /// Whether `column` is dependent on the ActionType (after following a
    /// derived column to its base).
    pub fn is_dependent(&self, column: &str) -> bool {
        let base = self.base_column(column);
        self.dependent_columns.iter().any(|c| c == base)
    }

    fn base_column<'a>(&'a self, column: &'a str) -> &'a str {
        self.derived
            .iter()
            .find(|(d, _)| d == column)
            .map(|(_, b)| b.as_str())
            .unwrap_or(column)
    }

    /// Is `column` filled for events of ActionType `action_type`?
    ///
    /// - a common column (not in [`Self::dependent_columns`]): `Yes`, whatever
    ///   the ActionType (the caller checks separately that the column exists);
    /// - an ActionType the catalogue does not know, or one without a
    ///   documented field list: `Unknown`;
    /// - otherwise `Yes` if the documented list has the column (or its base
    ///   column), `No` if the entry says it is never filled, else `Unknown`.
    pub fn is_populated(&self, action_type: &str, column: &str) -> Populated {
        let base = self.base_column(column);
        if !self.dependent_columns.iter().any(|c| c == base) {
            return Populated::Yes;
        }
        let Some(at) = self.get(action_type) else {
            return Populated::Unknown;
        };
        match &at.fields {
            ActionTypeFields::Undocumented => Populated::Unknown,
            ActionTypeFields::Documented {
                populated,
                not_populated,
            } => {
                if populated.iter().any(|c| c == base || c == column) {
                    Populated::Yes
                } else if not_populated.iter().any(|n| n.column == base) {
                    Populated::No
                } else {
                    Populated::Unknown
                }
            }
        }
    }

    /// The reason `column` is never filled for `action_type`, when
    /// [`Self::is_populated`] says `No`.
    pub fn not_populated_reason(&self, action_type: &str, column: &str) -> Option<&str> {
        let base = self.base_column(column);
        match &self.get(action_type)?.fields {
            ActionTypeFields::Documented { not_populated, .. } => not_populated
                .iter()
                .find(|n| n.column == base)
                .map(|n| n.reason.as_str()),
            ActionTypeFields::Undocumented => None,
        }
    }

    /// For a query narrowed to several ActionTypes (`ActionType in (...)`):
    /// `No` only when the column is filled by none of them, `Yes` when it
    /// is filled by one of them, `Unknown` otherwise. An empty set gives
    /// `Unknown`.
    pub fn is_populated_for_any<'a>(
        &self,
        action_types: impl IntoIterator<Item = &'a str>,
        column: &str,
    ) -> Populated {
        let mut all_no = true;
        let mut any = false;
        for a in action_types {
            any = true;
            match self.is_populated(a, column) {
                Populated::Yes => return Populated::Yes,
                Populated::Unknown => all_no = false,
                Populated::No => {}
            }
        }
        if any && all_no {
            Populated::No
        } else {
            Populated::Unknown
        }
    }
}
