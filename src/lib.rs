//! An open OPI (Open Payment Initiative, XML over TCP) engine for CCV payment terminals: the core of
//! a drop-in replacement for CCV's Android payment SDK ("mAPI").
//!
//! Layers, each knowing only those below it: [`message`] (typed messages, XML, framing) →
//! [`session`] (the sans-IO state machine of one terminal). With the `simulator` feature,
//! `simulator` is a real TCP terminal for tests and demos.

#[cfg(feature = "client")]
pub mod client;
pub mod dialect;
pub mod error;
#[cfg(feature = "jni")]
pub mod jni;
pub mod message;
pub mod session;
#[cfg(feature = "simulator")]
pub mod simulator;
#[cfg(feature = "client")]
pub mod transport;

pub use dialect::{Dialect, SocketMode};
pub use error::MapiError;
