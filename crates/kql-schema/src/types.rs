//! KQL's scalar types and the lenient reading of the type names found in
//! schema files.

use std::fmt;

/// One of KQL's ten scalar types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScalarType {
    Bool,
    Int,
    Long,
    Real,
    Decimal,
    String,
    DateTime,
    TimeSpan,
    Guid,
    Dynamic,
}

impl ScalarType {
    /// Every scalar type, in declaration order.
    pub const ALL: [ScalarType; 10] = [
        ScalarType::Bool,
        ScalarType::Int,
        ScalarType::Long,
        ScalarType::Real,
        ScalarType::Decimal,
        ScalarType::String,
        ScalarType::DateTime,
        ScalarType::TimeSpan,
        ScalarType::Guid,
        ScalarType::Dynamic,
    ];

    /// The KQL name (`bool`, `int`, `long`, `real`, `decimal`, `string`,
    /// `datetime`, `timespan`, `guid`, `dynamic`).
    pub fn as_str(self) -> &'static str {
        match self {
            ScalarType::Bool => "bool",
            ScalarType::Int => "int",
            ScalarType::Long => "long",
            ScalarType::Real => "real",
            ScalarType::Decimal => "decimal",
            ScalarType::String => "string",
            ScalarType::DateTime => "datetime",
            ScalarType::TimeSpan => "timespan",
            ScalarType::Guid => "guid",
            ScalarType::Dynamic => "dynamic",
        }
    }

    /// A type name as KQL itself accepts it in `datatable`, `typeof`, casts
    /// and function parameters: the ten names and KQL's aliases (`boolean`,
    /// `int64`, `double`, `date`, `time`, `uniqueid`). Exact and
    /// case-sensitive, like KQL.
    pub fn parse(name: &str) -> Option<ScalarType> {
        Some(match name {
            "bool" | "boolean" => ScalarType::Bool,
            "int" => ScalarType::Int,
            "long" | "int64" => ScalarType::Long,
            "real" | "double" => ScalarType::Real,
            "decimal" => ScalarType::Decimal,
            "string" => ScalarType::String,
            "datetime" | "date" => ScalarType::DateTime,
            "timespan" | "time" => ScalarType::TimeSpan,
            "guid" | "uniqueid" => ScalarType::Guid,
            "dynamic" => ScalarType::Dynamic,
            _ => return None,
        })
    }

    /// A type name as schema files write it: case-insensitive, surrounding
    /// blanks, quotes and a trailing `,`/`;` ignored, an optional `System.`
    /// prefix. Accepts KQL's names and aliases and the .NET and Log
    /// Analytics spellings seen in Azure-Sentinel's schema files:
    ///
    /// | type | accepted |
    /// |---|---|
    /// | string | `string`, `str`, `text`, `uri` |
    /// | datetime | `datetime`, `date`, `Date/time`, `timestamp`, `timetamp`, `datetimeoffset` |
    /// | int | `int`, `int32`, `integer`, `int16`, `short`, `byte` |
    /// | long | `long`, `int64`, `bigint`, `uint32`, `uint64` |
    /// | real | `real`, `double`, `float`, `single` |
    /// | decimal | `decimal` |
    /// | bool | `bool`, `boolean`, `sbyte` (Log Analytics reports `*_b` columns as `System.SByte`) |
    /// | dynamic | `dynamic`, `object`, `array`, `json` |
    /// | guid | `guid`, `uuid`, `uniqueid` |
    /// | timespan | `timespan`, `time` |
    ///
    /// `None` for an empty or unknown name; [`ScalarType::normalize`] turns
    /// that into `dynamic` with a note.
    pub fn parse_lenient(name: &str) -> Option<ScalarType> {
        let trimmed = name
            .trim_matches(|c: char| c.is_whitespace() || c == '\'' || c == '"')
            .trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == ';');
        let mut lower = trimmed.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("system.") {
            lower = rest.to_owned();
        }
        Some(match lower.as_str() {
            "string" | "str" | "text" | "uri" => ScalarType::String,
            "datetime" | "date" | "date/time" | "timestamp" | "timetamp" | "datetimeoffset" => {
                ScalarType::DateTime
            }
            "int" | "int32" | "integer" | "int16" | "short" | "byte" => ScalarType::Int,
            "long" | "int64" | "bigint" | "uint32" | "uint64" => ScalarType::Long,
            "real" | "double" | "float" | "single" => ScalarType::Real,
            "decimal" => ScalarType::Decimal,
            "bool" | "boolean" | "sbyte" => ScalarType::Bool,
            "dynamic" | "object" | "array" | "json" => ScalarType::Dynamic,
            "guid" | "uuid" | "uniqueid" => ScalarType::Guid,
            "timespan" | "time" => ScalarType::TimeSpan,
            _ => return None,
        })
    }

    /// [`ScalarType::parse_lenient`], falling back to `dynamic` with a note
    /// saying why (a missing or an unknown type name).
    pub fn normalize(name: Option<&str>) -> (ScalarType, Option<String>) {
        match name {
            None => (
                ScalarType::Dynamic,
                Some("no type given; using dynamic".to_owned()),
            ),
            Some(n) if n.trim().is_empty() => (
                ScalarType::Dynamic,
                Some("empty type name; using dynamic".to_owned()),
            ),
            Some(n) => match ScalarType::parse_lenient(n) {
                Some(t) => (t, None),
                None => (
                    ScalarType::Dynamic,
                    Some(format!("unknown type name `{n}`; using dynamic")),
                ),
            },
        }
    }

    /// `int`, `long`, `real` or `decimal`.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal
        )
    }

    /// `int` or `long`.
    pub fn is_integer(self) -> bool {
        matches!(self, ScalarType::Int | ScalarType::Long)
    }
}

impl fmt::Display for ScalarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ScalarType {
    type Err = String;
    /// Strict KQL names and aliases (see [`ScalarType::parse`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ScalarType::parse(s).ok_or_else(|| format!("`{s}` is not a KQL scalar type"))
    }
}

impl serde::Serialize for ScalarType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ScalarType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        ScalarType::parse_lenient(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown type `{s}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kql_names_round_trip() {
        for t in ScalarType::ALL {
            assert_eq!(ScalarType::parse(t.as_str()), Some(t));
            assert_eq!(ScalarType::parse_lenient(t.as_str()), Some(t));
            assert_eq!(t.as_str().parse::<ScalarType>(), Ok(t));
        }
    }

    #[test]
    fn kql_aliases() {
        assert_eq!(ScalarType::parse("int64"), Some(ScalarType::Long));
        assert_eq!(ScalarType::parse("double"), Some(ScalarType::Real));
        assert_eq!(ScalarType::parse("date"), Some(ScalarType::DateTime));
        assert_eq!(ScalarType::parse("time"), Some(ScalarType::TimeSpan));
        assert_eq!(ScalarType::parse("uniqueid"), Some(ScalarType::Guid));
        assert_eq!(ScalarType::parse("boolean"), Some(ScalarType::Bool));
        // KQL names are case-sensitive.
        assert_eq!(ScalarType::parse("String"), None);
        assert_eq!(ScalarType::parse("bigint"), None);
    }

    /// Every type spelling that occurs in Azure-Sentinel's schema files
    /// (schemas-sentinel/README.md lists them).
    #[test]
    fn every_variant_seen_in_sentinel_schema_files() {
        use ScalarType::*;
        let cases: &[(&str, ScalarType)] = &[
            ("String", String),
            ("string", String),
            ("string ", String),
            (" string", String),
            (" string ", String),
            ("string  ", String),
            ("string   ", String),
            ("string,", String),
            ("Uri", String),
            ("DateTime", DateTime),
            ("datetime", DateTime),
            ("Datetime", DateTime),
            ("DateTIme", DateTime),
            ("datetime ", DateTime),
            ("Date/time", DateTime),
            ("timestamp", DateTime),
            ("timetamp", DateTime),
            ("Int", Int),
            ("int", Int),
            ("int ", Int),
            ("Int32", Int),
            ("Integer", Int),
            ("SByte", Bool),
            ("Long", Long),
            ("long", Long),
            ("Int64", Long),
            ("BigInt", Long),
            ("bigint", Long),
            ("Real", Real),
            ("real", Real),
            ("Double", Real),
            ("Float", Real),
            ("Bool", Bool),
            ("bool", Bool),
            ("Boolean", Bool),
            ("boolean", Bool),
            ("Dynamic", Dynamic),
            ("dynamic", Dynamic),
            ("Object", Dynamic),
            ("Guid", Guid),
            ("GUID", Guid),
            ("guid", Guid),
            ("System.String", String),
            ("System.SByte", Bool),
            ("timespan", TimeSpan),
            ("decimal", Decimal),
        ];
        for (name, want) in cases {
            assert_eq!(ScalarType::parse_lenient(name), Some(*want), "{name:?}");
            assert_eq!(ScalarType::normalize(Some(name)), (*want, None), "{name:?}");
        }
    }

    #[test]
    fn missing_or_unknown_type_is_dynamic_with_a_note() {
        let (t, note) = ScalarType::normalize(None);
        assert_eq!(t, ScalarType::Dynamic);
        assert!(note.unwrap().contains("no type"));
        let (t, note) = ScalarType::normalize(Some(""));
        assert_eq!(t, ScalarType::Dynamic);
        assert!(note.is_some());
        let (t, note) = ScalarType::normalize(Some("varchar"));
        assert_eq!(t, ScalarType::Dynamic);
        assert!(note.unwrap().contains("varchar"));
        assert_eq!(ScalarType::parse_lenient("varchar"), None);
    }
}
