//! Bounded analysis: a limit on the width of a row schema and on the total
//! work of one analysis, and a way to stop it from outside (a deadline, a
//! cancel flag), as Kusto.Language bounds its own analysis.
//!
//! Work is counted in columns: every row schema an operator produces costs
//! its width (and one for the operator itself), which is what the analysis
//! spends its time and memory on. A chain of `let`s that each join the
//! previous result with itself doubles the width at each level; without a
//! limit 20 levels of it take a minute and gigabytes.
//!
//! Past a limit the row schema becomes **open** (nothing more is reported
//! about names in it), the rest of the query is bound without columns, and
//! one `analysis-limit` diagnostic (category `io`) says where and why.

use kqlint_diagnostics::{Category, ExampleKind, RuleMeta, Severity, Span};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub static ANALYSIS_LIMIT: RuleMeta = RuleMeta {
    code: "KQL940",
    name: "analysis-limit",
    category: Category::Io,
    severity: Severity::Warning,
    summary: "The query is too large or too wide to analyse completely",
    what: "Reports where the semantic analysis stopped following the query's columns: a row schema \
           wider than 10,000 columns (Kusto's own limit on a table's columns), more than 500,000 \
           columns produced by all operators together (a chain of self-joins doubles the width at \
           each level), or, in the language server, the time budget of one analysis. From there on \
           the columns are treated as unknown (the schema is open): names are not checked and the \
           result columns are not reported. Syntax, the other rules and the rest of the file are \
           still checked.",
    why: "Real queries stay far below these limits; a query that reaches them would take Kusto a long \
          time too, and checking it completely could take kqlint minutes and gigabytes. The limits \
          keep every check fast, in CI and in the editor.",
    fix: "Usually nothing: the rest of the query is still checked. If the query really joins a \
          table with itself level after level, `project` the columns each level needs before the \
          next `join`.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Kql,
    fail: &[
        "let t0 = SecurityEvent | take 1;\nlet t1 = t0 | join kind=inner t0 on EventID;\nlet t2 = t1 | join kind=inner t1 on EventID;\nlet t3 = t2 | join kind=inner t2 on EventID;\nlet t4 = t3 | join kind=inner t3 on EventID;\nlet t5 = t4 | join kind=inner t4 on EventID;\nlet t6 = t5 | join kind=inner t5 on EventID;\nlet t7 = t6 | join kind=inner t6 on EventID;\nt7 | take 1",
    ],
    pass: &[
        "let t0 = SecurityEvent | take 1;\nlet t1 = t0 | join kind=inner t0 on EventID;\nlet t2 = t1 | join kind=inner t1 on EventID;\nt2 | take 1",
    ],
};

/// Widest row schema followed (Kusto allows at most 10,000 columns in a
/// table).
pub const MAX_ROW_WIDTH: usize = 10_000;

/// Most columns all operators of one analysis may produce together (about
/// 50 MB of row schemas, a quarter of a second), names searched for a
/// did-you-mean included. The most any dev-corpus query produces is 5,279
/// (`cargo bench -p kql-semantic --bench shapes`).
pub const MAX_WORK: u64 = 500_000;

/// Stops an analysis from outside: when the deadline passes or any of the
/// flags is set, the analysis gives up (see [`Limit`]). The default never
/// stops.
#[derive(Clone, Debug, Default)]
pub struct Interrupt {
    pub deadline: Option<Instant>,
    pub flags: Vec<Arc<AtomicBool>>,
}

impl Interrupt {
    /// Whether the deadline has passed or a flag is set.
    pub fn is_set(&self) -> bool {
        self.flags.iter().any(|f| f.load(Ordering::Relaxed))
            || self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// Why an analysis did not follow the whole query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// A row schema grew wider than [`crate::Options::max_row_width`]: it
    /// was cut there and made open. The analysis went on.
    Width,
    /// The operators produced more than [`crate::Options::max_work`]
    /// columns: the rest was bound without columns.
    Work,
    /// The [`Interrupt`]'s deadline passed.
    Time,
    /// An [`Interrupt`] flag was set: the result is partial and should be
    /// thrown away.
    Cancelled,
}

/// How often (in binding steps) the clock is read (the flags are read at
/// every step, and both after every operator).
const POLL_EVERY: u32 = 256;

pub(crate) struct Budget {
    max_width: usize,
    max_work: u64,
    work: u64,
    interrupt: Interrupt,
    polls: u32,
    /// The first limit hit and where; `stopped` once work or time ran out.
    pub hit: Option<(Limit, Span)>,
    stopped: bool,
}

impl Budget {
    pub fn new(max_width: usize, max_work: u64, interrupt: Interrupt) -> Budget {
        Budget {
            max_width: max_width.max(1),
            max_work,
            work: 0,
            interrupt,
            polls: 0,
            hit: None,
            stopped: false,
        }
    }

    /// No more binding: the work budget is spent, or time ran out.
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// One binding step: the flags are read at every step (an atomic
    /// load), the clock now and then.
    pub fn step(&mut self, at: Span) -> bool {
        if self.stopped {
            return false;
        }
        self.polls += 1;
        let clock = self.polls >= POLL_EVERY;
        if clock {
            self.polls = 0;
        }
        self.poll(clock, at)
    }

    /// Checks the interrupt; false (and stopped) when it is set.
    fn poll(&mut self, clock: bool, at: Span) -> bool {
        if self
            .interrupt
            .flags
            .iter()
            .any(|f| f.load(Ordering::Relaxed))
        {
            self.stop(Limit::Cancelled, at);
            return false;
        }
        if clock && self.interrupt.deadline.is_some_and(|d| Instant::now() >= d) {
            self.stop(Limit::Time, at);
            return false;
        }
        true
    }

    /// Charges `n` units of other work (a did-you-mean search through `n`
    /// names); stops the analysis when the budget is spent.
    pub fn spend(&mut self, n: usize, at: Span) {
        self.work = self.work.saturating_add(n as u64);
        if self.work > self.max_work && !self.stopped {
            self.stop(Limit::Work, at);
        }
    }

    /// Charges an operator that produced `width` columns. `Some(keep)` when
    /// its schema must be cut to `keep` columns and made open.
    pub fn charge(&mut self, width: usize, at: Span) -> Option<usize> {
        self.work = self.work.saturating_add(width as u64 + 1);
        if self.work > self.max_work {
            self.stop(Limit::Work, at);
        } else if !self.stopped {
            // An operator can be a lot of work: look at the clock too.
            self.poll(true, at);
        }
        (width > self.max_width).then(|| {
            self.hit.get_or_insert((Limit::Width, at));
            self.max_width
        })
    }

    fn stop(&mut self, why: Limit, at: Span) {
        self.stopped = true;
        match self.hit {
            // A cut schema is noted, but running out is what matters.
            None | Some((Limit::Width, _)) => self.hit = Some((why, at)),
            Some(_) => {}
        }
    }

    /// The diagnostic for the limit hit, if any.
    pub fn diagnostic(&self) -> Option<kqlint_diagnostics::Diagnostic> {
        let (why, at) = self.hit?;
        let message = match why {
            Limit::Width => format!(
                "this operator's rows have more than {} columns; kqlint follows the first {} and \
                 treats the rest as unknown",
                self.max_width, self.max_width
            ),
            Limit::Work => format!(
                "the analysis reached its work limit here ({} columns built or compared: tables \
                 joined with themselves, or a great many unknown names?); kqlint treats the \
                 columns from here on as unknown",
                self.max_work
            ),
            Limit::Time => {
                "the analysis ran out of time here; kqlint treats the columns from here \
                            on as unknown"
                    .to_owned()
            }
            Limit::Cancelled => "the analysis was cancelled here".to_owned(),
        };
        Some(
            kqlint_diagnostics::Diagnostic::new(&ANALYSIS_LIMIT, at, message).with_help(
                "names after this point are not checked; `project` the columns each step needs to \
                 keep the rows narrow",
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_cuts_and_work_stops() {
        let mut b = Budget::new(10, 100, Interrupt::default());
        assert_eq!(b.charge(5, Span::new(0, 1)), None);
        assert_eq!(b.charge(20, Span::new(2, 3)), Some(10));
        assert_eq!(b.hit, Some((Limit::Width, Span::new(2, 3))));
        assert!(!b.stopped());
        b.charge(90, Span::new(4, 5));
        assert!(b.stopped());
        assert_eq!(b.hit, Some((Limit::Work, Span::new(4, 5))));
        assert!(!b.step(Span::new(6, 7)));
    }

    #[test]
    fn an_interrupt_stops_at_the_next_poll() {
        let flag = Arc::new(AtomicBool::new(false));
        let mut b = Budget::new(
            10,
            100,
            Interrupt {
                deadline: None,
                flags: vec![flag.clone()],
            },
        );
        for _ in 0..POLL_EVERY * 2 {
            assert!(b.step(Span::new(0, 1)));
        }
        flag.store(true, Ordering::Relaxed);
        let mut steps = 0;
        while b.step(Span::new(0, 1)) {
            steps += 1;
        }
        assert_eq!(steps, 0);
        assert_eq!(b.hit.map(|h| h.0), Some(Limit::Cancelled));
        let mut b = Budget::new(
            10,
            100,
            Interrupt {
                deadline: Some(Instant::now()),
                flags: Vec::new(),
            },
        );
        while b.step(Span::new(0, 1)) {}
        assert_eq!(b.hit.map(|h| h.0), Some(Limit::Time));
    }
}
