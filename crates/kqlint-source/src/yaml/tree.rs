//! kqlint's own light YAML tree: the rest of kqlint never touches the YAML
//! crate. Every node carries its byte span in the file text.

use kqlint_diagnostics::Span;
use serde_json::Value;

/// How a scalar was written in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub enum YamlKind {
    /// Entries in file order; duplicate keys are kept (lookups use the last,
    /// as Sentinel's loaders do).
    Mapping(Vec<(YamlNode, YamlNode)>),
    Sequence(Vec<YamlNode>),
    /// A scalar exactly as the YAML parser read it: `value` is always the
    /// string (Sentinel's YamlDotNet reads every scalar as a string);
    /// [`YamlNode::to_json`] types plain scalars by YAML 1.2's core schema.
    Scalar {
        value: String,
        style: ScalarStyle,
    },
    /// An absent value (`key:` with nothing after it). An explicit `null` or
    /// `~` is a plain scalar.
    Null,
}

/// One YAML node and its span: byte offsets into the file text. The span
/// starts at the node's properties (`&anchor`, `!tag`) when it has any. A
/// node that an alias (`*name`) expanded to keeps the spans of the anchored
/// node it copies, which is where its text is.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlNode {
    pub kind: YamlKind,
    pub span: Span,
}

/// How [`YamlNode::to_json_with`] types scalars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarTyping {
    /// YAML 1.2 core schema for plain scalars: `null`/`~`, `true`/`false`,
    /// integers (also `0x`/`0o`), floats (also `.inf`, `.nan`, which JSON
    /// cannot hold and stay strings). Quoted and block scalars are strings.
    Core,
    /// Every scalar is a string, as Sentinel's YamlDotNet model reads them
    /// (`version: 1.0` is `"1.0"`, `triggerThreshold: 0` is `"0"`).
    Strings,
}

/// Where a JSON pointer's target sits in the file.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointerTarget<'a> {
    pub node: &'a YamlNode,
    /// The span of the key naming the target, when its parent is a mapping.
    pub key_span: Option<Span>,
    /// The span of the target value.
    pub value_span: Span,
}

impl YamlNode {
    pub fn is_null(&self) -> bool {
        matches!(self.kind, YamlKind::Null)
    }

    /// The scalar's raw string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            YamlKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<&[(YamlNode, YamlNode)]> {
        match &self.kind {
            YamlKind::Mapping(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&[YamlNode]> {
        match &self.kind {
            YamlKind::Sequence(s) => Some(s),
            _ => None,
        }
    }

    /// The entry of `key` (compared with the key's raw string), the last
    /// one when the key is duplicated.
    pub fn entry(&self, key: &str) -> Option<(&YamlNode, &YamlNode)> {
        self.as_mapping()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// The value of `key` in a mapping (the last one when duplicated).
    pub fn get(&self, key: &str) -> Option<&YamlNode> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The JSON view of this node, with scalars typed by the core schema.
    pub fn to_json(&self) -> Value {
        self.to_json_with(ScalarTyping::Core)
    }

    /// The JSON view of this node. Mapping keys are the keys' raw strings (a
    /// key that is a collection becomes its compact JSON text); when a key
    /// is duplicated, the last value wins.
    ///
    /// Built without recursion, so any tree the loader accepts converts on
    /// a small stack.
    pub fn to_json_with(&self, typing: ScalarTyping) -> Value {
        enum Work<'a> {
            Visit(&'a YamlNode),
            Array(usize),
            Object(&'a [(YamlNode, YamlNode)]),
        }
        let mut work = vec![Work::Visit(self)];
        let mut done: Vec<Value> = Vec::new();
        while let Some(w) = work.pop() {
            match w {
                Work::Visit(node) => match &node.kind {
                    YamlKind::Null => done.push(Value::Null),
                    YamlKind::Scalar { value, style } => done.push(match (typing, style) {
                        (ScalarTyping::Core, ScalarStyle::Plain) => core_scalar(value),
                        _ => Value::String(value.clone()),
                    }),
                    YamlKind::Sequence(items) => {
                        work.push(Work::Array(items.len()));
                        work.extend(items.iter().rev().map(Work::Visit));
                    }
                    YamlKind::Mapping(entries) => {
                        work.push(Work::Object(entries));
                        work.extend(entries.iter().rev().map(|(_, v)| Work::Visit(v)));
                    }
                },
                Work::Array(n) => {
                    let items = done.split_off(done.len() - n);
                    done.push(Value::Array(items));
                }
                Work::Object(entries) => {
                    let values = done.split_off(done.len() - entries.len());
                    let mut map = serde_json::Map::new();
                    for ((k, _), v) in entries.iter().zip(values) {
                        map.insert(json_key(k), v);
                    }
                    done.push(Value::Object(map));
                }
            }
        }
        done.pop().unwrap_or(Value::Null)
    }

    /// Every node of the tree (this one first), in document order, each with
    /// its JSON pointer (as [`YamlNode::pointer`] takes it). Mapping keys are
    /// not visited as nodes; their spans are in the parent's entries.
    /// Iterative: any tree the loader accepts is walked on a small stack.
    pub fn walk(&self) -> Walk<'_> {
        Walk {
            stack: vec![(String::new(), self)],
        }
    }

    /// The node a JSON pointer (RFC 6901, e.g.
    /// `/entityMappings/0/fieldMappings/1/columnName`) designates, with the
    /// spans of its key and value. `""` is this node itself. Keys follow
    /// [`YamlNode::to_json`]: raw key strings, last duplicate wins.
    pub fn pointer(&self, pointer: &str) -> Option<PointerTarget<'_>> {
        let (target, rest) = self.follow(pointer)?;
        rest.is_none().then_some(target)
    }

    /// Like [`YamlNode::pointer`], but when the path leaves the document
    /// (e.g. a schema error about a missing property) returns the deepest
    /// node that exists on it, so the error can still point somewhere useful.
    pub fn pointer_nearest(&self, pointer: &str) -> PointerTarget<'_> {
        match self.follow(pointer) {
            Some((t, _)) => t,
            None => PointerTarget {
                node: self,
                key_span: None,
                value_span: self.span,
            },
        }
    }

    /// Walks as far as the pointer goes: the last node reached and, when the
    /// walk stopped early, `Some(())`.
    fn follow(&self, pointer: &str) -> Option<(PointerTarget<'_>, Option<()>)> {
        let mut cur = PointerTarget {
            node: self,
            key_span: None,
            value_span: self.span,
        };
        if pointer.is_empty() {
            return Some((cur, None));
        }
        let rest = pointer.strip_prefix('/')?;
        for raw in rest.split('/') {
            let token = raw.replace("~1", "/").replace("~0", "~");
            let next =
                match &cur.node.kind {
                    YamlKind::Mapping(entries) => entries
                        .iter()
                        .rev()
                        .find(|(k, _)| json_key(k) == token)
                        .map(|(k, v)| PointerTarget {
                            node: v,
                            key_span: Some(k.span),
                            value_span: v.span,
                        }),
                    YamlKind::Sequence(items) => array_index(&token)
                        .and_then(|i| items.get(i))
                        .map(|v| PointerTarget {
                            node: v,
                            key_span: None,
                            value_span: v.span,
                        }),
                    _ => None,
                };
            match next {
                Some(n) => cur = n,
                None => return Some((cur, Some(()))),
            }
        }
        Some((cur, None))
    }
}

/// The iterator of [`YamlNode::walk`].
pub struct Walk<'a> {
    stack: Vec<(String, &'a YamlNode)>,
}

impl<'a> Iterator for Walk<'a> {
    type Item = (String, &'a YamlNode);

    fn next(&mut self) -> Option<Self::Item> {
        let (pointer, node) = self.stack.pop()?;
        match &node.kind {
            YamlKind::Mapping(entries) => {
                for (k, v) in entries.iter().rev() {
                    let token = json_key(k).replace('~', "~0").replace('/', "~1");
                    self.stack.push((format!("{pointer}/{token}"), v));
                }
            }
            YamlKind::Sequence(items) => {
                for (i, v) in items.iter().enumerate().rev() {
                    self.stack.push((format!("{pointer}/{i}"), v));
                }
            }
            _ => {}
        }
        Some((pointer, node))
    }
}

/// RFC 6901 array index: `0` or digits without a leading zero.
fn array_index(token: &str) -> Option<usize> {
    if token.is_empty()
        || !token.bytes().all(|b| b.is_ascii_digit())
        || (token.len() > 1 && token.starts_with('0'))
    {
        return None;
    }
    token.parse().ok()
}

fn json_key(key: &YamlNode) -> String {
    match &key.kind {
        YamlKind::Scalar { value, .. } => value.clone(),
        YamlKind::Null => String::new(),
        _ => key.to_json_with(ScalarTyping::Strings).to_string(),
    }
}

/// Types a plain scalar by the YAML 1.2 core schema (§10.3.2).
pub(crate) fn core_scalar(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(v) = core_int(s) {
        return v;
    }
    if is_core_float(s)
        && let Ok(f) = s.parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(s.to_owned())
}

fn core_int(s: &str) -> Option<Value> {
    let digits = |t: &str, radix: u32| !t.is_empty() && t.chars().all(|c| c.is_digit(radix));
    let (radix, body, neg) = if let Some(h) = s.strip_prefix("0x") {
        (16, h, false)
    } else if let Some(o) = s.strip_prefix("0o") {
        (8, o, false)
    } else {
        let (neg, t) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        (10, t, neg)
    };
    if !digits(body, radix) {
        return None;
    }
    let Ok(mag) = u128::from_str_radix(body, radix) else {
        // Too long for any integer type: a float, as JSON parsers would.
        return s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number);
    };
    if neg {
        if let Ok(v) = i64::try_from(mag) {
            return Some(Value::from(-v));
        }
        if mag == i64::MIN.unsigned_abs() as u128 {
            return Some(Value::from(i64::MIN));
        }
        return serde_json::Number::from_f64(-(mag as f64)).map(Value::Number);
    }
    match u64::try_from(mag) {
        Ok(v) => Some(Value::from(v)),
        Err(_) => serde_json::Number::from_f64(mag as f64).map(Value::Number),
    }
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if int_digits == 0 && i == f {
            return false;
        }
    } else if int_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn core_schema_typing() {
        for (s, v) in [
            ("", json!(null)),
            ("~", json!(null)),
            ("NULL", json!(null)),
            ("True", json!(true)),
            ("false", json!(false)),
            ("0", json!(0)),
            ("-12", json!(-12)),
            ("+7", json!(7)),
            ("0x1F", json!(31)),
            ("0o17", json!(15)),
            ("1.0", json!(1.0)),
            ("-.5", json!(-0.5)),
            ("1e3", json!(1000.0)),
            ("18446744073709551615", json!(18446744073709551615u64)),
            ("-9223372036854775808", json!(i64::MIN)),
            (".inf", json!(".inf")),
            (".", json!(".")),
            ("1.2.3", json!("1.2.3")),
            ("yes", json!("yes")),
            ("0x", json!("0x")),
            ("1e", json!("1e")),
            ("PT5H", json!("PT5H")),
        ] {
            assert_eq!(core_scalar(s), v, "{s:?}");
        }
    }

    #[test]
    fn array_indices_follow_rfc6901() {
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("12"), Some(12));
        assert_eq!(array_index("01"), None);
        assert_eq!(array_index("-1"), None);
        assert_eq!(array_index(""), None);
    }
}
