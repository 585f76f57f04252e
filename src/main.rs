//! The `kqlint` command line: a thin shell over `kqlint-core`.

mod report;

fn main() {}
