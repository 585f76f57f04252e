//! `queryFrequency` / `queryPeriod` values, read as Azure-Sentinel's CI reads
//! them (`ScheduledTemplateTimeSpanConverter`): first .NET
//! `TimeSpan.TryParse` (`1.00:00:00`, `01:00:00`, or a whole number of
//! days), then `<int>m`, `<int>h` or `<int>d`.

/// A duration in seconds.
pub type Seconds = i64;

pub const MINUTE: Seconds = 60;
pub const HOUR: Seconds = 60 * MINUTE;
pub const DAY: Seconds = 24 * HOUR;

/// Parses a duration as Sentinel's CI does; `None` when it rejects it.
pub fn parse(value: &str) -> Option<Seconds> {
    timespan(value).or_else(|| suffixed(value))
}

/// .NET `TimeSpan.TryParse` with the invariant culture:
/// `[ws][-]{ d | [d.]hh:mm[:ss[.fffffff]] }[ws]`.
fn timespan(value: &str) -> Option<Seconds> {
    let s = value.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let digits = |t: &str| !t.is_empty() && t.len() <= 10 && t.bytes().all(|b| b.is_ascii_digit());
    let total = if !s.contains(':') {
        // A whole number of days.
        if !digits(s) {
            return None;
        }
        let d: i64 = s.parse().ok()?;
        if d > 10_675_199 {
            return None;
        }
        d * DAY
    } else {
        let (days, clock) = match s.split_once('.') {
            Some((d, rest)) if !d.contains(':') => (Some(d), rest),
            _ => (None, s),
        };
        let days: i64 = match days {
            Some(d) if digits(d) => d.parse().ok()?,
            Some(_) => return None,
            None => 0,
        };
        // The clock part: hh:mm[:ss[.fraction]].
        let (clock, _fraction) = match clock.split_once('.') {
            Some((c, f)) if digits(f) && f.len() <= 7 => (c, Some(f)),
            Some(_) => return None,
            None => (clock, None),
        };
        let parts: Vec<&str> = clock.split(':').collect();
        if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| !digits(p) || p.len() > 2) {
            return None;
        }
        let h: i64 = parts[0].parse().ok()?;
        let m: i64 = parts[1].parse().ok()?;
        let sec: i64 = parts.get(2).map_or(Some(0), |p| p.parse().ok())?;
        if h > 23 || m > 59 || sec > 59 {
            return None;
        }
        days * DAY + h * HOUR + m * MINUTE + sec
    };
    Some(if neg { -total } else { total })
}

/// `<int>m|h|d`, the number read by .NET `int.Parse` (surrounding white
/// space and a sign allowed); the unit letter is case-sensitive.
fn suffixed(value: &str) -> Option<Seconds> {
    let unit = match value.chars().last()? {
        'm' => MINUTE,
        'h' => HOUR,
        'd' => DAY,
        _ => return None,
    };
    let n = value[..value.len() - 1].trim();
    let (neg, n) = match n.as_bytes().first() {
        Some(b'-') => (true, &n[1..]),
        Some(b'+') => (false, &n[1..]),
        _ => (false, n),
    };
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = n.parse::<i32>().ok()?.into();
    let v = if neg { -v } else { v };
    Some(v * unit)
}

/// A duration in the shortest way a rule author writes it: `5m`, `2h`,
/// `14d`, `1h30m`.
pub fn show(secs: Seconds) -> String {
    if secs == 0 {
        return "0m".into();
    }
    let neg = secs < 0;
    let mut s = secs.unsigned_abs();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    for (unit, name) in [
        (DAY as u64, 'd'),
        (HOUR as u64, 'h'),
        (MINUTE as u64, 'm'),
        (1, 's'),
    ] {
        if s >= unit {
            out.push_str(&(s / unit).to_string());
            out.push(name);
            s %= unit;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixed_forms() {
        assert_eq!(parse("5m"), Some(5 * MINUTE));
        assert_eq!(parse("1h"), Some(HOUR));
        assert_eq!(parse("14d"), Some(14 * DAY));
        assert_eq!(parse(" 2h"), Some(2 * HOUR));
        assert_eq!(parse("+3d"), Some(3 * DAY));
        assert_eq!(parse("-5m"), Some(-5 * MINUTE));
        assert_eq!(parse("5M"), None);
        assert_eq!(parse("1.5h"), None);
        assert_eq!(parse("h"), None);
        assert_eq!(parse("PT5H"), None);
        assert_eq!(parse("5 minutes"), None);
        assert_eq!(parse("99999999999d"), None);
    }

    #[test]
    fn timespan_forms() {
        assert_eq!(parse("01:00:00"), Some(HOUR));
        assert_eq!(parse("1.00:00:00"), Some(DAY));
        assert_eq!(parse("14.00:00:00"), Some(14 * DAY));
        assert_eq!(parse("00:05"), Some(5 * MINUTE));
        assert_eq!(parse("00:05:30.5"), Some(5 * MINUTE + 30));
        assert_eq!(parse("2"), Some(2 * DAY));
        assert_eq!(parse("24:00:00"), None);
        assert_eq!(parse("00:60:00"), None);
        assert_eq!(parse("1:2:3:4"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("-"), None);
    }

    #[test]
    fn shows_compactly() {
        assert_eq!(show(5 * MINUTE), "5m");
        assert_eq!(show(14 * DAY), "14d");
        assert_eq!(show(HOUR + 30 * MINUTE), "1h30m");
        assert_eq!(show(-DAY), "-1d");
        assert_eq!(show(0), "0m");
    }
}
