//! Sentinel's rule model as data: enums, tactics, the technique → tactic
//! map, entity types and their identifiers, limits.
//!
//! The data is `schemas/rules/sentinel-rule-model.json`, a copy of the
//! committed facts `schemas/facts/sentinel-ci-models.json` (extracted from
//! Azure-Sentinel's `detectionTemplateSchemaValidation/Models` C# source by
//! `tools/knowledge/azure_sentinel.py`, MIT). It is embedded in the binary
//! and parsed once, on first use.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The embedded model file, exactly as committed.
pub const MODEL_JSON: &str = include_str!("../../../schemas/rules/sentinel-rule-model.json");

#[derive(Debug, Deserialize)]
struct RawModel {
    kinds: Vec<String>,
    severity: Vec<String>,
    #[serde(rename = "triggerOperator")]
    trigger_operator: RawTriggerOperator,
    #[serde(rename = "eventGroupingSettings.aggregationKind")]
    aggregation_kind: Vec<String>,
    tactics: Vec<String>,
    #[serde(rename = "entityTypes")]
    entity_types: Vec<String>,
    #[serde(rename = "entityIdentifiers")]
    entity_identifiers: BTreeMap<String, RawEntity>,
    #[serde(rename = "techniqueToTactics_byTactic")]
    techniques_by_tactic: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct RawTriggerOperator {
    values: Vec<String>,
    aliases: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct RawEntity {
    identifiers: Vec<String>,
    #[serde(rename = "requiredIdentifiersAnyOf")]
    required_any_of: Vec<Vec<String>>,
}

/// One entity type: its identifiers (in Sentinel's order) and the sets of
/// which at least one must be mapped completely.
#[derive(Debug, Clone)]
pub struct EntityType {
    pub name: String,
    pub identifiers: Vec<String>,
    pub required_any_of: Vec<Vec<String>>,
}

/// Sentinel's rule model.
#[derive(Debug)]
pub struct Model {
    pub kinds: Vec<String>,
    pub severities: Vec<String>,
    /// Full operator names, then the aliases (`gt`, ...).
    pub trigger_operators: Vec<String>,
    pub aggregation_kinds: Vec<String>,
    /// The 17 tactics Sentinel accepts, in the model's order.
    pub tactics: Vec<String>,
    pub entity_types: Vec<EntityType>,
    /// Technique id (`T1078`, no sub-technique) → its tactics, sorted.
    pub technique_tactics: HashMap<String, Vec<String>>,
    /// How many techniques the map knows.
    pub technique_count: usize,
}

impl Model {
    /// The embedded model, parsed on first use.
    pub fn get() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| Model::parse(MODEL_JSON).expect("the embedded rule model is valid"))
    }

    /// Parses a model file (the committed one is checked by a unit test).
    pub fn parse(text: &str) -> Result<Model, serde_json::Error> {
        let raw: RawModel = serde_json::from_str(text)?;
        let mut technique_tactics: HashMap<String, Vec<String>> = HashMap::new();
        for (tactic, techniques) in &raw.techniques_by_tactic {
            for t in techniques {
                technique_tactics
                    .entry(t.clone())
                    .or_default()
                    .push(tactic.clone());
            }
        }
        for v in technique_tactics.values_mut() {
            v.sort();
            v.dedup();
        }
        let entity_types = raw
            .entity_types
            .iter()
            .map(|name| {
                let e = raw.entity_identifiers.get(name);
                EntityType {
                    name: name.clone(),
                    identifiers: e.map(|e| e.identifiers.clone()).unwrap_or_default(),
                    required_any_of: e.map(|e| e.required_any_of.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let mut trigger_operators = raw.trigger_operator.values.clone();
        trigger_operators.extend(raw.trigger_operator.aliases.keys().cloned());
        Ok(Model {
            kinds: raw.kinds,
            severities: raw.severity,
            trigger_operators,
            aggregation_kinds: raw.aggregation_kind,
            technique_count: technique_tactics.len(),
            tactics: raw.tactics,
            entity_types,
            technique_tactics,
        })
    }

    /// The canonical tactic for `name`, if it names one exactly.
    pub fn tactic(&self, name: &str) -> Option<&str> {
        self.tactics.iter().find(|t| *t == name).map(String::as_str)
    }

    /// The tactic a near miss most likely means: equal ignoring case,
    /// spaces, `-` and `_` (`Initial access`, `CommandandControl`,
    /// `command-and-control`), else the closest name by edit distance.
    pub fn suggest_tactic(&self, name: &str) -> Option<&str> {
        let squash = |s: &str| {
            s.chars()
                .filter(|c| !matches!(c, ' ' | '-' | '_'))
                .flat_map(char::to_lowercase)
                .collect::<String>()
        };
        let key = squash(name);
        if key.is_empty() {
            return None;
        }
        if let Some(t) = self.tactics.iter().find(|t| squash(t) == key) {
            return Some(t);
        }
        kql_schema::best_match(&key, self.tactics.iter().map(String::as_str))
    }

    pub fn entity_type(&self, name: &str) -> Option<&EntityType> {
        self.entity_types.iter().find(|e| e.name == name)
    }

    /// The tactics a technique belongs to (`T1078.004` is looked up as
    /// `T1078`, as Sentinel does); `None` when the map does not know it.
    pub fn technique_tactics(&self, technique: &str) -> Option<&[String]> {
        let base = technique.split('.').next().unwrap_or(technique);
        self.technique_tactics.get(base).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_parses_with_expected_counts() {
        let m = Model::get();
        assert_eq!(m.tactics.len(), 17);
        assert_eq!(m.entity_types.len(), 19);
        assert_eq!(m.severities, ["Informational", "Low", "Medium", "High"]);
        assert_eq!(
            m.trigger_operators,
            [
                "GreaterThan",
                "LessThan",
                "Equal",
                "NotEqual",
                "eq",
                "gt",
                "lt",
                "ne"
            ]
        );
        assert!(m.technique_count > 250, "{}", m.technique_count);
        assert!(m.entity_types.iter().all(|e| !e.identifiers.is_empty()));
    }

    #[test]
    fn techniques_map_to_their_tactics() {
        let m = Model::get();
        assert_eq!(m.technique_tactics("T1219").unwrap(), ["CommandAndControl"]);
        let t1078 = m.technique_tactics("T1078.004").unwrap();
        assert!(t1078.iter().any(|t| t == "InitialAccess"));
        assert!(t1078.iter().any(|t| t == "Persistence"));
        assert!(m.technique_tactics("T9999").is_none());
    }

    #[test]
    fn near_miss_tactics_are_suggested() {
        let m = Model::get();
        assert_eq!(m.suggest_tactic("Initial access"), Some("InitialAccess"));
        assert_eq!(
            m.suggest_tactic("CommandandControl"),
            Some("CommandAndControl")
        );
        assert_eq!(
            m.suggest_tactic("Command and control"),
            Some("CommandAndControl")
        );
        assert_eq!(m.suggest_tactic("Persistance"), Some("Persistence"));
        assert_eq!(m.suggest_tactic("Ransomware"), None);
        assert_eq!(m.suggest_tactic(""), None);
    }
}
