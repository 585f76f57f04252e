//! Wording helpers: how values and places are named in messages.

use kqlint_source::{YamlKind, YamlNode};

/// A value as the rule author wrote it: `` `Critical` ``, "a list", "a
/// mapping", "nothing".
pub fn describe(node: &YamlNode) -> String {
    match &node.kind {
        YamlKind::Scalar { value, .. } => quote(value),
        YamlKind::Sequence(items) if items.is_empty() => "an empty list".into(),
        YamlKind::Sequence(_) => "a list".into(),
        YamlKind::Mapping(m) if m.is_empty() => "an empty mapping".into(),
        YamlKind::Mapping(_) => "a mapping (`key: value` lines)".into(),
        YamlKind::Null => "nothing".into(),
    }
}

/// `` `text` ``, shortened when long, with line breaks shown as `⏎`.
pub fn quote(s: &str) -> String {
    const MAX: usize = 60;
    let flat: String = s.chars().map(|c| if c == '\n' { '⏎' } else { c }).collect();
    if flat.chars().count() > MAX {
        let cut: String = flat.chars().take(MAX).collect();
        format!("`{cut}…`")
    } else {
        format!("`{flat}`")
    }
}

/// "A, B or C".
pub fn one_of(items: &[impl AsRef<str>]) -> String {
    join(items, "or")
}

/// "A, B and C".
pub fn all_of(items: &[impl AsRef<str>]) -> String {
    join(items, "and")
}

fn join(items: &[impl AsRef<str>], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., tail] => format!(
            "{} {last} {}",
            init.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            tail.as_ref()
        ),
    }
}

/// A list of names, at most `max` shown: "A, B, C and 12 more".
pub fn some_of(items: &[impl AsRef<str>], max: usize) -> String {
    if items.len() <= max {
        return all_of(items);
    }
    let shown: Vec<&str> = items[..max].iter().map(AsRef::as_ref).collect();
    format!("{} and {} more", shown.join(", "), items.len() - max)
}

/// The decoded segments of a JSON pointer.
pub fn segments(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// A pointer as a rule author reads a place in the file:
/// `entityMappings[0].fieldMappings[1].identifier`.
pub fn place(pointer: &str) -> String {
    let mut out = String::new();
    for seg in segments(pointer) {
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push('[');
            out.push_str(&seg);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// The last key of a pointer (`identifier`), or the readable place when the
/// last segment is an index.
pub fn field(pointer: &str) -> String {
    match segments(pointer).last() {
        Some(s) if !s.bytes().all(|b| b.is_ascii_digit()) => s.clone(),
        _ => place(pointer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_like_paths() {
        assert_eq!(
            place("/entityMappings/0/fieldMappings/1/identifier"),
            "entityMappings[0].fieldMappings[1].identifier"
        );
        assert_eq!(place("/a~1b"), "a/b");
        assert_eq!(place(""), "");
        assert_eq!(field("/tactics/2"), "tactics[2]");
        assert_eq!(field("/severity"), "severity");
    }

    #[test]
    fn lists_read_naturally() {
        assert_eq!(one_of(&["A"]), "A");
        assert_eq!(one_of(&["A", "B", "C"]), "A, B or C");
        assert_eq!(all_of(&["A", "B"]), "A and B");
        assert_eq!(some_of(&["A", "B", "C", "D"], 2), "A, B and 2 more");
        assert_eq!(quote("a\nb"), "`a⏎b`");
    }
}
