//! The query platforms: the same table name can mean different columns and
//! types in Sentinel (Log Analytics) and in Defender XDR advanced hunting.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a query runs. It decides which tables and functions exist and what
/// type a column has (`IdentityInfo.AccountUPN` in Sentinel is
/// `IdentityInfo.AccountUpn` in Defender XDR; `AdditionalFields` is
/// `dynamic` in one and `string` in the other).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Microsoft Sentinel and Log Analytics workspaces (analytic rules,
    /// hunting queries, workbooks).
    #[default]
    Sentinel,
    /// Defender XDR advanced hunting and custom detections. With unified
    /// security operations the workspace's Sentinel tables are queryable
    /// there too, so they are known on this platform as well; where a
    /// table exists on both, Defender XDR's definition wins.
    Defender,
    /// Azure Data Explorer: no bundled tables or workspace functions, only
    /// the user's schema files.
    Adx,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Sentinel, Platform::Defender, Platform::Adx];

    /// The name used in `kqlint.toml` and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Sentinel => "sentinel",
            Platform::Defender => "defender",
            Platform::Adx => "adx",
        }
    }

    /// The platform as users know it, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Sentinel => "Sentinel (Log Analytics)",
            Platform::Defender => "Defender XDR advanced hunting",
            Platform::Adx => "Azure Data Explorer",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = String;

    /// `sentinel`, `defender` (also `defender-xdr`, `m365d`, `mde`), `adx`
    /// (also `kusto`), any ASCII case.
    fn from_str(s: &str) -> Result<Platform, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sentinel" | "log-analytics" | "loganalytics" | "azure-monitor" => {
                Ok(Platform::Sentinel)
            }
            "defender" | "defender-xdr" | "defenderxdr" | "m365d" | "mde" | "xdr" => {
                Ok(Platform::Defender)
            }
            "adx" | "kusto" | "azure-data-explorer" => Ok(Platform::Adx),
            other => Err(format!(
                "unknown platform `{other}`: expected `sentinel`, `defender` or `adx`"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>(), Ok(p));
        }
        assert_eq!("Defender-XDR".parse::<Platform>(), Ok(Platform::Defender));
        assert!(
            "splunk"
                .parse::<Platform>()
                .unwrap_err()
                .contains("sentinel")
        );
    }
}
