//! The types scalar operators accept and return, after Kusto.Language's
//! operator signatures (`Operators.cs`).

use crate::ty::Ty;
use kql_syntax::ast::{BinaryOp, InOp, UnaryOp};

/// One operand constraint of an operator signature.
#[derive(Clone, Copy)]
enum P {
    T(Ty),
    /// int, long, real, decimal.
    Number,
    NumberOrBool,
    /// datetime or timespan.
    DateOrSpan,
    /// int, long, real, decimal, timespan, datetime.
    DynAddable,
    StringOrDynamic,
}

impl P {
    fn accepts(self, t: Ty) -> bool {
        match self {
            P::T(x) => x == t,
            P::Number => t.is_numeric(),
            P::NumberOrBool => t.is_numeric() || t == Ty::Bool,
            P::DateOrSpan => matches!(t, Ty::DateTime | Ty::TimeSpan),
            P::DynAddable => t.is_numeric() || matches!(t, Ty::DateTime | Ty::TimeSpan),
            P::StringOrDynamic => matches!(t, Ty::String | Ty::Dynamic),
        }
    }
}

/// What a signature returns.
#[derive(Clone, Copy)]
enum R {
    T(Ty),
    Widest,
    Left,
    Right,
}

use P::*;

fn arith(op: BinaryOp) -> &'static [(P, P, R)] {
    const DYN: Ty = Ty::Dynamic;
    const SPAN: Ty = Ty::TimeSpan;
    const DATE: Ty = Ty::DateTime;
    const INT: Ty = Ty::Int;
    match op {
        BinaryOp::Add => &[
            (Number, Number, R::Widest),
            (T(SPAN), T(SPAN), R::T(SPAN)),
            (DateOrSpan, DateOrSpan, R::T(DATE)),
            (T(DYN), T(DYN), R::T(DYN)),
            (T(DYN), T(INT), R::T(Ty::Long)),
            (T(INT), T(DYN), R::T(Ty::Long)),
            (T(DYN), DynAddable, R::Right),
            (DynAddable, T(DYN), R::Left),
        ],
        BinaryOp::Sub => &[
            (Number, Number, R::Widest),
            (T(SPAN), T(SPAN), R::T(SPAN)),
            (T(DATE), T(DATE), R::T(SPAN)),
            (T(DATE), T(SPAN), R::T(DATE)),
            (T(SPAN), T(DATE), R::T(DATE)),
            (T(DYN), T(DYN), R::T(DYN)),
            (T(DYN), T(INT), R::T(Ty::Long)),
            (T(INT), T(DYN), R::T(Ty::Long)),
            (T(DYN), DynAddable, R::Right),
            (DynAddable, T(DYN), R::Left),
        ],
        BinaryOp::Mul => &[
            (Number, Number, R::Widest),
            (T(SPAN), T(SPAN), R::T(SPAN)),
            (T(SPAN), Number, R::T(SPAN)),
            (Number, T(SPAN), R::T(SPAN)),
            (T(DATE), Number, R::T(DATE)),
            (Number, T(DATE), R::T(DATE)),
            (T(DYN), T(DYN), R::T(DYN)),
            (T(DYN), T(INT), R::T(Ty::Long)),
            (T(INT), T(DYN), R::T(Ty::Long)),
            (T(DYN), Number, R::Right),
            (Number, T(DYN), R::Left),
        ],
        BinaryOp::Div => &[
            (Number, Number, R::Widest),
            (T(SPAN), T(SPAN), R::T(Ty::Real)),
            (T(SPAN), Number, R::T(SPAN)),
            (T(DATE), T(DATE), R::T(Ty::Real)),
            (T(DATE), T(SPAN), R::T(Ty::Real)),
            (T(DATE), Number, R::T(DATE)),
            (T(DYN), T(DYN), R::T(DYN)),
            (T(DYN), T(INT), R::T(Ty::Long)),
            (T(INT), T(DYN), R::T(Ty::Long)),
            (T(DYN), Number, R::Right),
            (Number, T(DYN), R::Left),
        ],
        BinaryOp::Mod => &[
            (Number, Number, R::Widest),
            (T(SPAN), T(SPAN), R::T(SPAN)),
            (T(SPAN), Number, R::T(SPAN)),
            (T(DATE), T(DATE), R::T(SPAN)),
            (T(DATE), T(SPAN), R::T(SPAN)),
            (T(DATE), Number, R::T(DATE)),
            (T(DYN), T(DYN), R::T(DYN)),
            (T(DYN), T(INT), R::T(Ty::Long)),
            (T(INT), T(DYN), R::T(Ty::Long)),
            (T(DYN), Number, R::Right),
            (Number, T(DYN), R::Left),
        ],
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => &[
            (T(Ty::Bool), NumberOrBool, R::T(Ty::Bool)),
            (Number, NumberOrBool, R::T(Ty::Bool)),
            (T(SPAN), T(SPAN), R::T(Ty::Bool)),
            (T(DATE), T(DATE), R::T(Ty::Bool)),
            (T(DYN), T(DYN), R::T(Ty::Bool)),
            (T(DYN), Number, R::T(Ty::Bool)),
            (Number, T(DYN), R::T(Ty::Bool)),
        ],
        BinaryOp::And | BinaryOp::Or => &[
            (T(Ty::Bool), T(Ty::Bool), R::T(Ty::Bool)),
            (T(DYN), T(Ty::Bool), R::T(Ty::Bool)),
            (T(Ty::Bool), T(DYN), R::T(Ty::Bool)),
            (T(DYN), T(DYN), R::T(Ty::Bool)),
        ],
        _ => &[],
    }
}

fn widest(l: Ty, r: Ty) -> Ty {
    if l == Ty::Real || r == Ty::Real {
        Ty::Real
    } else if l == Ty::Decimal || r == Ty::Decimal {
        Ty::Decimal
    } else {
        Ty::Long
    }
}

/// The result of a binary operator: `Err` with the result type to go on
/// with when the operand types are certain and no signature accepts them.
pub(crate) fn binary(op: BinaryOp, l: Ty, r: Ty) -> Result<Ty, Ty> {
    use BinaryOp::*;
    if op == SearchColon {
        return Ok(Ty::Bool);
    }
    if op.is_string_op() || matches!(op, EqCi | NotEqCi) {
        // StringBinary: left string|dynamic; right string|dynamic, or
        // exactly string for the has-family.
        let rhs_dynamic_ok = !matches!(
            op,
            Has | HasCs
                | NotHas
                | NotHasCs
                | HasPrefix
                | HasPrefixCs
                | NotHasPrefix
                | NotHasPrefixCs
                | HasSuffix
                | HasSuffixCs
                | NotHasSuffix
                | NotHasSuffixCs
        );
        let lok = !l.is_known() || StringOrDynamic.accepts(l);
        let rok = !r.is_known() || r == Ty::String || (rhs_dynamic_ok && r == Ty::Dynamic);
        return if lok && rok {
            Ok(Ty::Bool)
        } else {
            Err(Ty::Bool)
        };
    }
    if matches!(op, Eq | NotEq) {
        return Ok(Ty::Bool);
    }
    let sigs = arith(op);
    if sigs.is_empty() {
        return Ok(Ty::Unknown);
    }
    let comparison = op.is_comparison() || op.is_logical();
    if !l.is_known() || !r.is_known() {
        // Guess the result from the known side, as far as it is certain.
        return Ok(if comparison { Ty::Bool } else { Ty::Unknown });
    }
    for (pl, pr, ret) in sigs {
        if pl.accepts(l) && pr.accepts(r) {
            return Ok(match *ret {
                R::T(t) => t,
                R::Widest => widest(l, r),
                R::Left => l,
                R::Right => r,
            });
        }
    }
    Err(if comparison { Ty::Bool } else { Ty::Unknown })
}

/// The result of a unary `-`/`+`: `Err` when the operand is certainly not
/// a number, timespan, datetime or dynamic. `constant`: an `int` constant
/// keeps its type (Kusto folds it).
pub(crate) fn unary(_op: UnaryOp, t: Ty, constant: bool) -> Result<Ty, Ty> {
    match t {
        Ty::Unknown => Ok(Ty::Unknown),
        Ty::Int if !constant => Ok(Ty::Long),
        Ty::Int | Ty::Long | Ty::Real | Ty::Decimal | Ty::DateTime | Ty::TimeSpan | Ty::Dynamic => {
            Ok(t)
        }
        _ => Err(Ty::Unknown),
    }
}

/// Whether the left operand of an `in`-family operator has an acceptable
/// type (`in~`, `!in~`, `has_any`, `has_all` need a string or dynamic).
pub(crate) fn in_lhs_ok(op: InOp, t: Ty) -> bool {
    match op {
        InOp::In | InOp::NotIn => true,
        InOp::InCi | InOp::NotInCi | InOp::HasAny | InOp::HasAll => {
            !t.is_known() || StringOrDynamic.accepts(t)
        }
    }
}

/// `between`: the value must be a number, datetime, timespan or dynamic.
pub(crate) fn between_ok(t: Ty) -> bool {
    !t.is_known() || t.is_numeric() || matches!(t, Ty::DateTime | Ty::TimeSpan | Ty::Dynamic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_like_kusto() {
        assert_eq!(binary(BinaryOp::Add, Ty::Int, Ty::Int), Ok(Ty::Long));
        assert_eq!(binary(BinaryOp::Mul, Ty::Int, Ty::Real), Ok(Ty::Real));
        assert_eq!(
            binary(BinaryOp::Sub, Ty::DateTime, Ty::TimeSpan),
            Ok(Ty::DateTime)
        );
        assert_eq!(
            binary(BinaryOp::Sub, Ty::DateTime, Ty::DateTime),
            Ok(Ty::TimeSpan)
        );
        assert_eq!(
            binary(BinaryOp::Div, Ty::TimeSpan, Ty::TimeSpan),
            Ok(Ty::Real)
        );
        assert_eq!(binary(BinaryOp::Add, Ty::Dynamic, Ty::Long), Ok(Ty::Long));
        assert!(binary(BinaryOp::Add, Ty::String, Ty::Long).is_err());
        assert!(binary(BinaryOp::Gt, Ty::DateTime, Ty::TimeSpan).is_err());
        assert!(binary(BinaryOp::Lt, Ty::String, Ty::String).is_err());
        assert_eq!(binary(BinaryOp::Eq, Ty::String, Ty::Long), Ok(Ty::Bool));
        assert!(binary(BinaryOp::Has, Ty::Long, Ty::String).is_err());
        assert!(binary(BinaryOp::Has, Ty::String, Ty::Dynamic).is_err());
        assert_eq!(
            binary(BinaryOp::Contains, Ty::String, Ty::Dynamic),
            Ok(Ty::Bool)
        );
        assert_eq!(
            binary(BinaryOp::Add, Ty::Unknown, Ty::Long),
            Ok(Ty::Unknown)
        );
    }
}
