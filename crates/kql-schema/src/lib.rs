//! Schema data for kqlint: what tables, columns, functions and ActionTypes
//! exist, so the semantic checker can validate a Sentinel or Defender XDR
//! query offline with no configuration.
//!
//! Everything is bundled in the binary (`schemas/catalog.kqs`, generated;
//! see `schemas/README.md` for where each fact comes from and how to
//! regenerate). Start-up reads only the catalogue's index; each table or
//! function record is parsed the first time it is looked up.
//!
//! # API
//!
//! ```
//! use kql_schema::{Catalog, FunctionKind, Populated, ScalarType};
//!
//! let cat = Catalog::builtin();                         // &'static Catalog
//!
//! // Tables: exact, case-sensitive names, like KQL.
//! let t = cat.table("DeviceNetworkEvents").unwrap();
//! let c = t.column("RemoteUrl").unwrap();
//! assert_eq!(c.ty, ScalarType::String);
//! assert!(cat.table("devicenetworkevents").is_none());
//! assert_eq!(cat.suggest_table("DeviceNetworkEvent"), Some("DeviceNetworkEvents"));
//!
//! // Built-in functions (scalar, aggregate, plug-in).
//! let f = cat.function("strlen").unwrap();
//! assert_eq!(f.kind, FunctionKind::Scalar);
//! assert_eq!(f.signatures[0].fixed_result_type(), Some(ScalarType::Long));
//!
//! // Stored functions: _GetWatchlist, ASIM parsers, solution parsers.
//! assert!(cat.stored_function("_GetWatchlist").unwrap().open_result);
//!
//! // ActionTypes of DeviceNetworkEvents.
//! let at = cat.action_types("DeviceNetworkEvents").unwrap();
//! assert_eq!(at.is_populated("InboundConnectionAccepted", "RemoteUrl"), Populated::No);
//! assert_eq!(at.is_populated("ConnectionSuccess", "RemoteUrl"), Populated::Yes);
//! assert_eq!(at.suggest("ConnecitonFound"), Some("ConnectionFound"));
//!
//! // Connectors.
//! assert!(cat.connectors_for_table("DeviceNetworkEvents").iter().any(|c| c == "MicrosoftThreatProtection"));
//! assert!(cat.is_valid_connector_id("MicrosoftThreatProtection"));
//! ```
//!
//! User schema directories (Azure-Sentinel's CustomTables / CustomFunctions
//! formats) are layered on top with [`CatalogBuilder`] or
//! [`Catalog::with_schema_dirs`]; a user definition replaces a bundled one of
//! the same name, and bad files give [`SchemaLoadWarning`]s, never a failure.
//!
//! # Main types
//!
//! - [`ScalarType`]: KQL's ten scalar types; [`ScalarType::parse`] (KQL
//!   names and aliases), [`ScalarType::parse_lenient`] (every spelling seen
//!   in schema files), [`ScalarType::as_str`].
//! - [`Catalog`]: `builtin()`, `builder()`, `with_schema_dirs()`;
//!   `table`, `table_ignore_case`, `table_names`, `tables`, `suggest_table`;
//!   `function`, `function_of_kind`, `scalar_function`, `aggregate`,
//!   `plugin`, `functions_named`, `function_names`, `suggest_function`;
//!   `stored_function`, `stored_function_names`, `suggest_stored_function`;
//!   `action_types`, `action_type_tables`; `connectors_for_table`,
//!   `tables_for_connector`, `is_valid_connector_id`, `connector_ids`,
//!   `suggest_connector_id`; `info`.
//! - [`Table`] / [`Column`] (with [`ColumnOrigin`] and `hidden`): see
//!   [`Table::visible_columns`] for what a bare table reference yields.
//! - [`Function`] / [`Signature`] / [`Parameter`] with [`ParamType`],
//!   [`ArgumentKind`], [`ReturnKind`], [`Layout`], [`ResultNameKind`],
//!   [`PluginOutput`].
//! - [`StoredFunction`] / [`StoredParameter`] / [`StoredParamType`].
//! - [`ActionTypeCatalog`] / [`ActionType`] / [`ActionTypeFields`] /
//!   [`Populated`]: see the [`action_types`] module for the model.
//! - [`best_match`]: did-you-mean over any list of names.

pub mod action_types;
mod catalog;
#[doc(hidden)]
pub mod codec;
mod functions;
mod model;
mod platform;
mod suggest;
mod types;
mod user;

pub use action_types::{ActionType, ActionTypeCatalog, ActionTypeFields, NotPopulated, Populated};
pub use catalog::{
    Catalog, CatalogBuilder, CatalogInfo, ConnectorData, STANDARD_COLUMNS, add_standard_columns,
};
pub use functions::{
    ArgumentKind, Function, FunctionKind, Layout, ParamType, Parameter, PluginColumn, PluginOutput,
    PluginOutputKind, ResultNameKind, ReturnKind, Signature, TupleColumn, TypeRef,
};
pub use model::{
    Column, ColumnOrigin, Completeness, FunctionForm, PartialReason, Provenance, SourceKind,
    StoredFunction, StoredParamType, StoredParameter, Table,
};
pub use platform::Platform;
pub use suggest::{best_match, edit_distance};
pub use types::ScalarType;
pub use user::{SchemaLoadWarning, WarningKind, relax_json};

/// Reads schema JSON text (for the generator, which reads Azure-Sentinel's
/// schema files with exactly the loader users get).
#[doc(hidden)]
pub fn load_schema_text(
    path: &std::path::Path,
    text: &str,
    warnings: &mut Vec<SchemaLoadWarning>,
) -> (Vec<Table>, Vec<StoredFunction>) {
    let l = user::load_text(path, text, warnings);
    (l.tables, l.functions)
}

/// Parses a `table:(...)` parameter type (for the generator).
#[doc(hidden)]
pub fn parse_table_param_type(raw: &str) -> Option<Result<StoredParamType, String>> {
    user::parse_table_param(raw)
}
