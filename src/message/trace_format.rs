//! The names a wire trace file is read and written by. The client writes traces
//! (`client::wire_trace`) and the simulator replays them (`simulator::replay`); both take the
//! format's vocabulary from here so the simulator needs nothing from the client.

/// The `format` field of the header line.
pub const FORMAT: &str = "mapi-wire-trace";
/// The `format_version` field of the header line; bumped on incompatible changes.
pub const FORMAT_VERSION: u64 = 1;
/// The `dir` of a frame the POS sent.
pub const POS_TO_TERMINAL: &str = "pos_to_terminal";
/// The `dir` of a frame the terminal sent.
pub const TERMINAL_TO_POS: &str = "terminal_to_pos";
