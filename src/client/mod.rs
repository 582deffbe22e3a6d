//! The Rust client API, mirroring CCV's Java SDK: [`PaymentService`], [`TokenService`],
//! [`TerminalService`] taking a [`Terminal`] and a [`Delegate`] on every call, plus the
//! durability that keeps a crash from losing a transaction.

mod abort_tickets;
pub mod conformance;
mod delegate;
mod dispatch;
mod driver;
pub mod durability;
mod engine;
pub mod journal;
mod operation;
pub mod recovery;
mod recovery_flow;
mod recovery_state;
mod services;
mod task;
mod terminal;
mod validation;
pub mod wire_trace;

pub use crate::transport::TransportLimits;
pub use delegate::{
    AdministrationResult, Delegate, InputAsk, PaymentReceipt, PaymentResult, PendingPayment,
    PendingState, SdkError,
};
pub use engine::Engine;
pub use operation::{Administration, CardInquiry, Operation, Payment, PaymentKind};
pub use services::{PaymentService, TerminalService, TokenService};
pub use terminal::{Terminal, TerminalKey, Timeouts};
pub use wire_trace::{WireTraceConfig, WireTraceError};
