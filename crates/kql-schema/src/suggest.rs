//! Did-you-mean: the closest name of a list to a misspelt one.

/// Edit distance with adjacent transpositions counted as one edit (optimal
/// string alignment), over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    if n == 0 {
        return m;
    }
    if m == 0 {
        return n;
    }
    // Three rows: i-2, i-1, i.
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

/// [`edit_distance`] when it is at most `bound` (`None` otherwise),
/// stopping as soon as every alignment is past the bound. `rows` is
/// scratch space reused between calls.
fn bounded_distance(a: &[char], b: &[char], bound: usize, rows: &mut Vec<usize>) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > bound {
        return None;
    }
    if n == 0 || m == 0 {
        return Some(n.max(m));
    }
    rows.clear();
    rows.resize(3 * (m + 1), 0);
    let (prev2, rest) = rows.split_at_mut(m + 1);
    let (prev, cur) = rest.split_at_mut(m + 1);
    let (mut prev2, mut prev, mut cur) = (prev2, prev, cur);
    for (j, v) in prev.iter_mut().enumerate() {
        *v = j;
    }
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > bound {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[m] <= bound).then_some(prev[m])
}

/// The largest distance accepted for a name of `len` chars.
fn threshold(len: usize) -> usize {
    (len / 3).max(1)
}

/// The best candidate for `name`:
/// 1. a candidate equal to `name`;
/// 2. else one equal ignoring case (KQL names are case-sensitive, so
///    `RemoteIp` → `RemoteIP` is the most likely fix);
/// 3. else the candidate with the smallest case-insensitive edit distance,
///    if that distance is at most a third of the name's length (at least 1);
///    ties go to the earlier candidate.
pub fn best_match<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower_chars: Vec<char> = name.to_lowercase().chars().collect();
    let name_len = name.chars().count();
    let limit = threshold(name_len);
    let mut rows = Vec::new();
    let mut best: Option<(usize, &'a str)> = None;
    let mut ci: Option<&'a str> = None;
    for c in candidates {
        if c == name {
            return Some(c);
        }
        if ci.is_none() && c.eq_ignore_ascii_case(name) {
            ci = Some(c);
            continue;
        }
        // Cheap length filters before the quadratic distance: a name has
        // at most as many chars as bytes and at least a quarter as many,
        // which rules out most candidates without counting their chars.
        if c.len() + limit < name_len || c.len().div_ceil(4) > name_len + limit {
            continue;
        }
        let clen = c.chars().count();
        if clen.abs_diff(name_len) > limit {
            continue;
        }
        // only a strictly better candidate can win: bound the search by it
        let bound = best.map_or(limit, |(bd, _)| bd.saturating_sub(1));
        let cl: Vec<char> = c.to_lowercase().chars().collect();
        if let Some(d) = bounded_distance(&lower_chars, &cl, bound, &mut rows) {
            best = Some((d, c));
        }
    }
    ci.or(best.map(|(_, c)| c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("ConnecitonFound", "ConnectionFound"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        let mut rows = Vec::new();
        for (a, b) in [
            ("kitten", "sitting"),
            ("ConnecitonFound", "ConnectionFound"),
            ("abc", ""),
            ("ab", "ba"),
            ("RemoteIp", "remoteip"),
        ] {
            let d = edit_distance(a, b);
            assert_eq!(
                bounded_distance(&chars(a), &chars(b), d, &mut rows),
                Some(d),
                "{a} {b}"
            );
            if d > 0 {
                assert_eq!(
                    bounded_distance(&chars(a), &chars(b), d - 1, &mut rows),
                    None,
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    fn best_match_prefers_exact_then_case_then_distance() {
        let names = ["RemoteIP", "RemotePort", "RemoteUrl", "LocalIP"];
        assert_eq!(best_match("RemoteIP", names), Some("RemoteIP"));
        assert_eq!(best_match("RemoteIp", names), Some("RemoteIP"));
        assert_eq!(best_match("RemoteUlr", names), Some("RemoteUrl"));
        assert_eq!(best_match("Timestamp", names), None);
        assert_eq!(best_match("x", ["y"]), Some("y"));
        assert_eq!(best_match("x", ["yz"]), None);
    }
}
