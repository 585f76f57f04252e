//! Calls of built-in functions: signature choice, argument checks where the
//! types are certain, and result types (Kusto.Language's `ReturnTypeKind`).

use crate::ty::Ty;
use kql_schema::{Function, ParamType, Parameter, ReturnKind, Signature, TypeRef};

/// What the binder knows of one argument.
#[derive(Clone, Debug)]
pub(crate) struct Arg {
    pub ty: Ty,
    /// `*`.
    pub star: bool,
    /// A literal or constant expression (for `typeof`/type-name arguments).
    pub type_literal: Option<Ty>,
}

/// A problem with a call.
#[derive(Debug, PartialEq)]
pub(crate) enum CallProblem {
    /// No signature takes this many arguments: (min, max) over all.
    Arity { min: u32, max: u32 },
    /// Argument `index` has a type the (only) matching signature refuses;
    /// the text describes the expected type.
    ArgType { index: usize, expected: String },
    /// Several signatures take this many arguments and none takes these types.
    NoMatch,
}

fn declared_scalar(p: &Parameter) -> Vec<Ty> {
    p.declared
        .iter()
        .filter_map(|d| match d {
            TypeRef::Scalar(s) => Some(Ty::from_scalar(*s)),
            _ => None,
        })
        .collect()
}

/// Whether an argument of type `t` meets the parameter's constraint, as far
/// as a certain type tells (`None`: cannot tell; `Some(text)`: refused,
/// with the expected type).
fn check_param(p: &Parameter, t: Ty) -> Result<(), String> {
    if t == Ty::Dynamic {
        return check_dynamic(p);
    }
    if !t.is_certain() {
        return Ok(());
    }
    match p.ty {
        ParamType::Declared => {
            let types = declared_scalar(p);
            if types.is_empty() || types.contains(&t) {
                return Ok(());
            }
            // numbers convert among themselves
            if t.is_numeric() && types.iter().any(|d| d.is_numeric()) {
                return Ok(());
            }
            let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
            Err(names.join(" or "))
        }
        ParamType::StringOrDynamic => {
            if t == Ty::String {
                Ok(())
            } else {
                Err("string or dynamic".into())
            }
        }
        ParamType::DynamicArray => Err("dynamic (an array)".into()),
        ParamType::DynamicBag => Err("dynamic (a property bag)".into()),
        ParamType::Number => {
            if t.is_numeric() {
                Ok(())
            } else {
                Err("a number".into())
            }
        }
        ParamType::Integer => {
            if t.is_integer() {
                Ok(())
            } else {
                Err("int or long".into())
            }
        }
        ParamType::Summable => {
            if t.is_numeric() || matches!(t, Ty::DateTime | Ty::TimeSpan) {
                Ok(())
            } else {
                Err("a number, datetime or timespan".into())
            }
        }
        _ => Ok(()),
    }
}

/// A `dynamic` argument: Kusto converts it implicitly only to a `string`
/// parameter, or where any scalar (or a dynamic value) is taken; a number,
/// a `datetime`, a `bool`... must be cast (`todouble(d.x)`), or Kusto.Language
/// and the engine refuse the call.
fn check_dynamic(p: &Parameter) -> Result<(), String> {
    let refused = match p.ty {
        ParamType::Declared => {
            let types = declared_scalar(p);
            if types.is_empty() || types.contains(&Ty::Dynamic) || types.contains(&Ty::String) {
                return Ok(());
            }
            let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
            return Err(names.join(" or "));
        }
        ParamType::Number | ParamType::CommonNumber => "a number",
        ParamType::Integer => "int or long",
        ParamType::RealOrDecimal => "real or decimal",
        ParamType::NumberOrBool => "a number or bool",
        ParamType::Summable | ParamType::CommonSummable => "a number, datetime or timespan",
        ParamType::Orderable | ParamType::CommonOrderable => {
            "a number, string, datetime, timespan, bool or guid"
        }
        ParamType::NotDynamic => "a value that is not dynamic",
        _ => return Ok(()),
    };
    Err(refused.to_owned())
}

/// Which parameter each argument goes to, for the layouts that line up
/// arguments one after the other (repeating parameters take the extra
/// arguments). `None` when the layout is not modelled.
fn parameter_of(sig: &Signature, index: usize, n: usize) -> Option<&Parameter> {
    use kql_schema::Layout;
    match sig.layout {
        Layout::Fixed => sig.parameters.get(index),
        Layout::Repeating => {
            // params before the repeating one take one each; the repeating
            // one takes the rest except what the params after it need.
            let rep = sig.parameters.iter().position(|p| p.max > 1)?;
            let after = sig.parameters.len() - rep - 1;
            let tail_start = n.saturating_sub(after).max(rep + 1);
            if index < rep {
                sig.parameters.get(index)
            } else if after > 0 && index >= tail_start {
                sig.parameters.get(rep + 1 + (index - tail_start))
            } else {
                sig.parameters.get(rep)
            }
        }
        _ => None,
    }
}

fn arity_ok(sig: &Signature, n: u32) -> bool {
    sig.min_args <= n && n <= sig.max_args
}

/// Parameters that Microsoft's documentation types wider than the bundled
/// data (taken from Kusto.Language) does: the engine takes these values.
/// `(function, parameter) -> accepts any number`.
const DOCUMENTED_NUMBERS: &[(&str, &str)] = &[
    // "second: real" (its own example is `make_timespan(1, 12, 30, 55.123)`);
    // Kusto.Language 12.4.1 requires an integer
    ("make_timespan", "seconds"),
];

fn sig_accepts(f: &Function, sig: &Signature, args: &[Arg]) -> Option<(usize, String)> {
    for (i, a) in args.iter().enumerate() {
        if a.star {
            continue;
        }
        if let Some(p) = parameter_of(sig, i, args.len())
            && !(a.ty.is_numeric()
                && DOCUMENTED_NUMBERS.contains(&(f.name.as_str(), p.name.as_str())))
            && let Err(expected) = check_param(p, a.ty)
        {
            return Some((i, expected));
        }
    }
    None
}

/// Picks the signature for a call and checks it. Returns the signature
/// (when one fits the argument count) and the problem, if any.
pub(crate) fn resolve<'f>(
    f: &'f Function,
    args: &[Arg],
) -> (Option<&'f Signature>, Option<CallProblem>) {
    let n = args.len() as u32;
    let fitting: Vec<&Signature> = f.signatures.iter().filter(|s| arity_ok(s, n)).collect();
    if fitting.is_empty() {
        let (min, max) = f.arity();
        return (None, Some(CallProblem::Arity { min, max }));
    }
    // the first signature that accepts the argument types
    let accepting: Vec<&&Signature> = fitting
        .iter()
        .filter(|s| sig_accepts(f, s, args).is_none())
        .collect();
    if let Some(s) = accepting.first() {
        return (Some(s), None);
    }
    if fitting.len() == 1 {
        let (i, expected) = sig_accepts(f, fitting[0], args).unwrap_or((0, String::new()));
        return (
            Some(fitting[0]),
            Some(CallProblem::ArgType { index: i, expected }),
        );
    }
    (None, Some(CallProblem::NoMatch))
}

/// Whether the call's result type depends on argument types that are not
/// known: several signatures accept the arguments and an argument is unknown.
pub(crate) fn ambiguous(f: &Function, args: &[Arg]) -> bool {
    let n = args.len() as u32;
    args.iter().any(|a| !a.ty.is_known() && !a.star)
        && f.signatures
            .iter()
            .filter(|s| arity_ok(s, n) && sig_accepts(f, s, args).is_none())
            .count()
            > 1
}

fn promote(t: Ty) -> Ty {
    if t == Ty::Int { Ty::Long } else { t }
}

/// The common type of some argument types (`iff`, `case`, `coalesce`, ...):
/// the one type when they agree, the widest number for numbers, else
/// `dynamic`; unknown when any is unknown.
pub(crate) fn common_type(types: &[Ty], non_dynamic: bool) -> Ty {
    let mut known: Vec<Ty> = Vec::new();
    for &t in types {
        if !t.is_known() {
            return Ty::Unknown;
        }
        if non_dynamic && t == Ty::Dynamic {
            continue;
        }
        known.push(t);
    }
    if known.is_empty() {
        return if types.is_empty() {
            Ty::Unknown
        } else {
            Ty::Dynamic
        };
    }
    let first = known[0];
    if known.iter().all(|&t| t == first) {
        return first;
    }
    if known.iter().all(|t| t.is_numeric()) {
        return if known.contains(&Ty::Real) {
            Ty::Real
        } else if known.contains(&Ty::Decimal) {
            Ty::Decimal
        } else {
            Ty::Long
        };
    }
    Ty::Dynamic
}

/// The result type of a call with this signature.
pub(crate) fn result_type(sig: &Signature, args: &[Arg]) -> Ty {
    let arg = |i: usize| args.get(i).map_or(Ty::Unknown, |a| a.ty);
    match sig.returns {
        ReturnKind::Declared | ReturnKind::Custom | ReturnKind::Computed => {
            sig.fixed_result_type().map_or(Ty::Unknown, Ty::from_scalar)
        }
        ReturnKind::Parameter0 => arg(0),
        ReturnKind::Parameter1 => arg(1),
        ReturnKind::Parameter2 => arg(2),
        ReturnKind::ParameterN => args.last().map_or(Ty::Unknown, |a| a.ty),
        ReturnKind::Parameter0Promoted => promote(arg(0)),
        ReturnKind::Parameter0Array => Ty::Dynamic,
        ReturnKind::Parameter0Literal => args
            .first()
            .and_then(|a| a.type_literal)
            .unwrap_or(Ty::Unknown),
        ReturnKind::Parameter1Literal => args
            .get(1)
            .and_then(|a| a.type_literal)
            .unwrap_or(Ty::Unknown),
        ReturnKind::ParameterNLiteral => args
            .last()
            .and_then(|a| a.type_literal)
            .unwrap_or(Ty::Unknown),
        ReturnKind::Common | ReturnKind::CommonNonDynamic => {
            let types: Vec<Ty> = sig
                .common_type_parameters()
                .flat_map(|(pi, _)| {
                    // arguments of that parameter (repeating layouts)
                    args.iter()
                        .enumerate()
                        .filter(move |(ai, _)| {
                            parameter_of(sig, *ai, args.len())
                                .is_some_and(|p| std::ptr::eq(p, &sig.parameters[pi]))
                        })
                        .map(|(_, a)| a.ty)
                })
                .collect();
            if sig.layout == kql_schema::Layout::BlockRepeating {
                // case(p1, v1, p2, v2, ..., else): the values are the odd
                // positions and the last one.
                let mut vals: Vec<Ty> = args
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % 2 == 1)
                    .map(|(_, a)| a.ty)
                    .collect();
                if let Some(l) = args.last() {
                    vals.push(l.ty);
                }
                return common_type(&vals, sig.returns == ReturnKind::CommonNonDynamic);
            }
            common_type(&types, sig.returns == ReturnKind::CommonNonDynamic)
        }
        ReturnKind::Widest => {
            let types: Vec<Ty> = args.iter().map(|a| a.ty).collect();
            if types.iter().any(|t| !t.is_known()) {
                Ty::Unknown
            } else if types.iter().all(|t| t.is_numeric()) {
                common_type(
                    &types.iter().map(|&t| promote(t)).collect::<Vec<_>>(),
                    false,
                )
            } else {
                types.first().copied().unwrap_or(Ty::Unknown)
            }
        }
        _ => Ty::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kql_schema::Catalog;

    fn a(ty: Ty) -> Arg {
        Arg {
            ty,
            star: false,
            type_literal: None,
        }
    }

    #[test]
    fn checks_like_kusto() {
        let cat = Catalog::builtin();
        let ago = cat.scalar_function("ago").unwrap();
        assert!(resolve(ago, &[a(Ty::TimeSpan)]).1.is_none());
        assert!(matches!(
            resolve(ago, &[a(Ty::Long)]).1,
            Some(CallProblem::ArgType { .. })
        ));
        // a dynamic value converts implicitly only to a string parameter
        assert!(matches!(
            resolve(ago, &[a(Ty::Dynamic)]).1,
            Some(CallProblem::ArgType { .. })
        ));
        let strlen = cat.scalar_function("strlen").unwrap();
        assert!(resolve(strlen, &[a(Ty::Dynamic)]).1.is_none());
        assert!(resolve(ago, &[a(Ty::Unknown)]).1.is_none());
        assert!(matches!(
            resolve(ago, &[]).1,
            Some(CallProblem::Arity { min: 1, max: 1 })
        ));
        let bin = cat.scalar_function("bin").unwrap();
        let (sig, p) = resolve(bin, &[a(Ty::DateTime), a(Ty::TimeSpan)]);
        assert!(p.is_none());
        assert_eq!(
            result_type(sig.unwrap(), &[a(Ty::DateTime), a(Ty::TimeSpan)]),
            Ty::DateTime
        );
        assert_eq!(
            resolve(bin, &[a(Ty::DateTime), a(Ty::Long)]).1,
            Some(CallProblem::NoMatch)
        );
        let iff = cat.scalar_function("iff").unwrap();
        let args = [a(Ty::Bool), a(Ty::String), a(Ty::Long)];
        assert_eq!(
            result_type(resolve(iff, &args).0.unwrap(), &args),
            Ty::Dynamic
        );
        let args = [a(Ty::Bool), a(Ty::String), a(Ty::String)];
        assert_eq!(
            result_type(resolve(iff, &args).0.unwrap(), &args),
            Ty::String
        );
        // an Integer parameter takes int or long only: `abs` of a timespan
        // is the timespan overload
        let abs = cat.scalar_function("abs").unwrap();
        let args = [a(Ty::TimeSpan)];
        assert_eq!(
            result_type(resolve(abs, &args).0.unwrap(), &args),
            Ty::TimeSpan
        );
        let startofday = cat.scalar_function("startofday").unwrap();
        assert!(
            resolve(startofday, &[a(Ty::DateTime), a(Ty::Int)])
                .1
                .is_none()
        );
    }

    #[test]
    fn make_timespan_takes_real_seconds_as_documented() {
        let cat = Catalog::builtin();
        let mt = cat.scalar_function("make_timespan").unwrap();
        // make_timespan(1, 2, 3.5) and make_timespan(1, 12, 30, 55.123)
        for args in [
            vec![a(Ty::Long), a(Ty::Long), a(Ty::Real)],
            vec![a(Ty::Long), a(Ty::Long), a(Ty::Long), a(Ty::Real)],
            vec![a(Ty::Int), a(Ty::Long), a(Ty::Decimal)],
        ] {
            let (sig, p) = resolve(mt, &args);
            assert_eq!(p, None, "{args:?}");
            assert_eq!(result_type(sig.unwrap(), &args), Ty::TimeSpan);
        }
        // the hours and minutes stay integers, and the seconds a number
        assert!(resolve(mt, &[a(Ty::Real), a(Ty::Long)]).1.is_some());
        assert!(
            resolve(mt, &[a(Ty::Long), a(Ty::Real), a(Ty::Long)])
                .1
                .is_some()
        );
        assert!(
            resolve(mt, &[a(Ty::Long), a(Ty::Long), a(Ty::String)])
                .1
                .is_some()
        );
    }
}
