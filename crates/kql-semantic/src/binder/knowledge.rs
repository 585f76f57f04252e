//! What the binder reports when a name is not found, given how much it
//! knows: an error only where the knowledge is complete (a documented table,
//! the user's own schema), at most a warning that says why where it is
//! partial (a CI stub, a parser, `AzureDiagnostics`), and a platform note
//! where the name belongs to the other platform.

use super::{Binder, Tab};
use crate::rules::{OTHER_PLATFORM, RETIRED_COLUMN, UNVERIFIED_COLUMN};
use crate::ty::{Openness, Partial};
use kql_schema::{Completeness, Platform, StoredFunction, Table};
use kql_syntax::Span;
use kqlint_diagnostics::{Diagnostic, Severity};
use smol_str::SmolStr;
use std::sync::Arc;

/// The two platforms whose knowledge differs; Azure Data Explorer has no
/// bundled knowledge to compare with.
pub(super) fn other(p: Platform) -> Option<Platform> {
    match p {
        Platform::Sentinel => Some(Platform::Defender),
        Platform::Defender => Some(Platform::Sentinel),
        Platform::Adx => None,
    }
}

/// Columns that the two platforms name differently for the same thing.
const EQUIVALENT_COLUMNS: &[(&str, &str)] = &[
    ("Timestamp", "TimeGenerated"),
    ("CloudSid", "AccountCloudSID"),
    ("OnPremSid", "AccountSID"),
];

impl<'a> Binder<'a> {
    /// The openness of a catalogue table's rows.
    pub(super) fn table_openness(t: &Table) -> Openness {
        match t.completeness() {
            Completeness::Complete => Openness::Closed,
            Completeness::Partial(reason) => Openness::Partial(Arc::new(Partial {
                source: t.name.clone(),
                known: t.columns.len() as u32,
                reason,
            })),
        }
    }

    /// The openness of a stored function's result.
    pub(super) fn function_openness(f: &StoredFunction) -> Openness {
        if f.open_result || f.result_columns.is_empty() {
            return Openness::Open;
        }
        match f.provenance.kind() {
            None | Some(kql_schema::SourceKind::Documented) => Openness::Closed,
            Some(kind) => Openness::Partial(Arc::new(Partial {
                source: f.name.clone(),
                known: f.result_columns.len() as u32,
                reason: match kind {
                    kql_schema::SourceKind::CiStub => kql_schema::PartialReason::CiStub,
                    _ => kql_schema::PartialReason::Parser,
                },
            })),
        }
    }

    /// A diagnostic about a name of the other platform: an error when the
    /// platform was declared, a warning when it was only assumed.
    pub(super) fn other_platform_diag(&self, span: Span, message: String) -> Diagnostic {
        let d = Diagnostic::new(&OTHER_PLATFORM, span, message);
        if self.opts.platform_assumed {
            d.with_severity(Severity::Warning).with_help(format!(
                "the platform was assumed to be {}; set `platform` in kqlint.toml if the query \
                 is written for another one",
                self.catalog.platform().label()
            ))
        } else {
            d
        }
    }

    /// The other platform, when `n` is a table there and not here.
    pub(super) fn table_of_other_platform(&self, n: &str) -> Option<Platform> {
        let o = other(self.catalog.platform())?;
        self.catalog.bundled_table_on(o, n).map(|_| o)
    }

    /// The other platform, when `n` is a function there and not here.
    pub(super) fn function_of_other_platform(&self, n: &str) -> Option<Platform> {
        let o = other(self.catalog.platform())?;
        self.catalog.bundled_function_on(o, n).map(|_| o)
    }

    /// When `n` is not a column of the rows but is one of the other
    /// platform's definition of a table they come from: that table, the
    /// platform, and this platform's name for it when there is one.
    fn column_of_other_platform(
        &self,
        n: &str,
        row: &Tab,
    ) -> Option<(SmolStr, Platform, Option<&'static str>)> {
        let o = other(self.catalog.platform())?;
        let mut seen: Vec<&str> = Vec::new();
        for c in row.schema.columns() {
            let Some(t) = c.table() else { continue };
            if seen.contains(&t) {
                continue;
            }
            seen.push(t);
            if self.catalog.is_user_table(t) {
                continue;
            }
            // Only a difference between the platforms explains the name:
            // this platform's table lacks it, the other's has it.
            if let Some(ot) = self.catalog.bundled_table_on(o, t)
                && ot.column(n).is_some()
                && self
                    .catalog
                    .table(t)
                    .is_none_or(|here| here.column(n).is_none())
            {
                let here = EQUIVALENT_COLUMNS.iter().find_map(|&(a, b)| {
                    let eq = if a == n {
                        b
                    } else if b == n {
                        a
                    } else {
                        return None;
                    };
                    row.schema.column(eq).map(|_| eq)
                });
                return Some((SmolStr::new(t), o, here));
            }
        }
        None
    }

    /// Reports a name that is not a column of `row` when the name belongs to
    /// the other platform, or when the rows' schema is partial; `false` when
    /// neither applies and the caller reports `unknown-column`.
    /// `suggestion` is the caller's did-you-mean.
    pub(super) fn unknown_column_open_world(
        &mut self,
        span: Span,
        n: &str,
        row: &Tab,
        suggestion: Option<&str>,
    ) -> bool {
        if let Some((table, p, here)) = self.column_of_other_platform(n, row) {
            let mut msg = format!(
                "`{n}` is not a column of `{table}` in {}; it is a column of {}'s `{table}`",
                self.catalog.platform().label(),
                p.label()
            );
            if let Some(h) = here.or(suggestion) {
                msg.push_str(&format!("; here it is `{h}`"));
            }
            let d = self.other_platform_diag(span, msg);
            self.report(d);
            return true;
        }
        if let Some(table) = self.retired_in(n, row) {
            let d = Diagnostic::new(
                &RETIRED_COLUMN,
                span,
                format!(
                    "`{n}` was a column of `{table}` on an earlier version of Microsoft's reference \
                     page, and the current page does not list it: it was renamed or removed"
                ),
            )
            .with_help(match suggestion {
                Some(s) => format!("the current page has `{s}`; check that the column still exists"),
                None => "check the table's current columns (`kqlint schema TABLE`)".to_owned(),
            });
            self.report(d);
            return true;
        }
        let Some(partial) = row.schema.partial().cloned() else {
            return false;
        };
        // Even a name that differs from a known one only in case may be a
        // column the list lacks (Corelight's parser outputs both `filename`
        // and `FileName`): the did-you-mean goes in the warning.
        self.unverified_column(span, n, &partial, suggestion);
        true
    }

    /// A table the rows come from whose reference page once listed `n`.
    fn retired_in(&self, n: &str, row: &Tab) -> Option<SmolStr> {
        let mut seen: Vec<&str> = Vec::new();
        for c in row.schema.columns() {
            let Some(t) = c.table() else { continue };
            if seen.contains(&t) {
                continue;
            }
            seen.push(t);
            if self
                .catalog
                .table(t)
                .is_some_and(|table| table.retired_column(n).is_some())
            {
                return Some(SmolStr::new(t));
            }
        }
        None
    }

    /// `unverified-column`: `n` is missing from a partial list of columns.
    pub(super) fn unverified_column(
        &mut self,
        span: Span,
        n: &str,
        partial: &Partial,
        suggestion: Option<&str>,
    ) {
        let mut d = Diagnostic::new(
            &UNVERIFIED_COLUMN,
            span,
            format!(
                "`{n}` is not among the {} columns kqlint knows for `{}` ({}); add the table's \
                 schema to make this an error",
                partial.known,
                partial.source,
                partial.reason.describe()
            ),
        );
        if let Some(s) = suggestion {
            d = d.with_help(if s.eq_ignore_ascii_case(n) {
                format!("did you mean `{s}`? KQL names are case-sensitive")
            } else {
                format!("did you mean `{s}`?")
            });
        }
        self.report(d);
    }
}
