//! Shared code of the fuzz targets: the property checks (also replayed by `cargo test`) and an
//! allocation meter for the memory bounds.

pub mod checks;
pub mod meter;
