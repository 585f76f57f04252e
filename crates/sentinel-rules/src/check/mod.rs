//! The checks on one rule file: key spellings, the JSON Schema, and
//! Sentinel's constraints that a schema cannot say well (durations and
//! their relation, tactics and techniques, entity identifiers, placeholder
//! counts, connector ids).

mod connectors;
mod entities;
mod fields;
mod mitre;
mod schedule;

pub use connectors::{UNKNOWN_CONNECTOR_ID, connector_ids};
pub use entities::{alert_details_override, entity_mappings, placeholders};
pub use fields::{key_spellings, normalized, required_fields};
pub use mitre::{
    INVALID_TECHNIQUE, SINGLE_VALUE_FOR_LIST, TECHNIQUE_TACTIC_MISMATCH, UNKNOWN_TACTIC, mitre,
};
pub use schedule::{INVALID_SCHEDULE, SUPPRESSION_WITHOUT_EFFECT, lookback, schedule, suppression};

use crate::kind::RuleKind;
use crate::rules::*;
use kqlint_diagnostics::{Diagnostic, RuleMeta, Severity, Span};

/// What the checks of one file share.
pub struct Ctx<'a> {
    pub text: &'a str,
    pub kind: RuleKind,
    /// Top-level fields this kind requires.
    pub required: &'static [&'static str],
    pub diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    /// Adds a finding. Rule-model findings that Azure-Sentinel's CI makes on
    /// analytic rules only are warnings in hunting and exploration queries
    /// and parsers (see [`downgraded`]).
    pub fn push(
        &mut self,
        meta: &'static RuleMeta,
        span: Span,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.add(Diagnostic::new(meta, span, msg))
    }

    pub fn add(&mut self, mut d: Diagnostic) -> &mut Diagnostic {
        if !self.kind.is_analytic() && d.severity == Severity::Error && downgraded(d.code) {
            d.severity = Severity::Warning;
        }
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }
}

/// Codes whose errors are warnings outside analytic rules: Sentinel's CI
/// checks the rule model (required fields and ids included) on analytic
/// rules only, and the API asks no `id` of a hunting query. The
/// cross-checks with the query, whose failures show when the query runs,
/// keep their severity everywhere.
pub fn downgraded(code: &str) -> bool {
    ![
        ENTITY_COLUMN_NOT_IN_OUTPUT.code,
        CUSTOM_DETAIL_COLUMN_NOT_IN_OUTPUT.code,
        ALERT_OVERRIDE_COLUMN_NOT_IN_OUTPUT.code,
        DUPLICATE_RULE_ID.code,
    ]
    .contains(&code)
}

trait SpanExt {
    fn min_start(self, other: Span) -> Span;
}

impl SpanExt for Span {
    /// This span, or `other` when this one is empty (an absent value).
    fn min_start(self, other: Span) -> Span {
        if self.start == self.end { other } else { self }
    }
}
