//! An open OPI (Open Payment Initiative, XML over TCP) engine for CCV payment terminals: the core of
//! a drop-in replacement for CCV's Android payment SDK ("mAPI").
//!
//! Layers, each knowing only those below it: [`message`] (typed messages, XML, framing) →
//! [`session`] (the sans-IO state machine of one terminal) → the transport (internal) →
//! `client` (the Rust API mirroring CCV's SDK; feature `client`). With the `simulator` feature,
//! `simulator` is a real TCP terminal for tests and demos, built on `message` and `session` only.
//! The JNI bridge (feature `jni`) is internal.

#[cfg(feature = "client")]
pub mod client;
pub mod dialect;
pub mod error;
// The JNI exports are reached by their symbol names only; nothing else of the bridge is API.
#[cfg(feature = "jni")]
mod jni;
pub mod message;
pub mod session;
#[cfg(feature = "simulator")]
pub mod simulator;
/// The tokio transport under the client. **Not part of the API**: public only so that the crate's
/// own transport tests (hostile peers, memory bounds) can drive it; its limits are configured
/// through [`client::TransportLimits`].
#[cfg(feature = "client")]
#[doc(hidden)]
pub mod transport;

pub use dialect::{Dialect, SocketMode};
pub use error::MapiError;
