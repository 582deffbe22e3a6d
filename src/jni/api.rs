//! The ordinary Rust functions behind each native method: convert, then call the client.

use std::sync::Arc;
use std::time::Duration;

use jni::objects::{JObject, JString};
use jni::Env;

use super::callbacks::JniDelegate;
use super::convert;
use super::errors::BridgeError;
use super::operations;
use crate::client::{Engine, Operation, Payment};
use crate::message::abort::AbortDisplay;
use crate::message::abort::AbortVia;
use crate::message::RequestId;

fn run(
    env: &mut Env<'_>,
    terminal: &JObject<'_>,
    callbacks: &JObject<'_>,
    operation: Operation,
) -> Result<(), BridgeError> {
    let terminal = convert::terminal(env, terminal)?;
    let delegate = JniDelegate::new(env, callbacks)?;
    Engine::global().run(&terminal, operation, Arc::new(delegate));
    Ok(())
}

/// The optional values of `Payment` the app set, as `NativeEngine.payment` passes them (null for
/// none).
pub struct References<'a, 'l> {
    /// `Payment.posTimestamp()`.
    pub pos_timestamp: &'a JString<'l>,
    /// `Payment.referenceNumber()` as a string.
    pub reference_number: &'a JString<'l>,
    /// `Payment.merchantReference()`.
    pub merchant_reference: &'a JString<'l>,
}

fn optional(
    env: &mut Env<'_>,
    value: &JString<'_>,
    name: &'static str,
) -> Result<Option<String>, BridgeError> {
    if value.is_null() {
        Ok(None)
    } else {
        convert::string(env, value, name).map(Some)
    }
}

/// `NativeEngine.payment`.
// One argument per parameter group of the Java native method.
#[allow(clippy::too_many_arguments)]
pub fn payment(
    env: &mut Env<'_>,
    terminal: &JObject<'_>,
    payment_type: i32,
    amount: &JString<'_>,
    currency: &JString<'_>,
    original_stan: &JString<'_>,
    request_id: &JString<'_>,
    references: &References<'_, '_>,
    callbacks: &JObject<'_>,
) -> Result<(), BridgeError> {
    let stan = if original_stan.is_null() {
        None
    } else {
        Some(convert::string(env, original_stan, "originalStan")?)
    };
    let request_id = if request_id.is_null() {
        None
    } else {
        Some(RequestId(convert::string(env, request_id, "requestId")?))
    };
    let kind = operations::payment_kind(payment_type, stan)?;
    let amount = convert::amount(&convert::string(env, amount, "amount")?)?;
    let currency = convert::string(env, currency, "currency")?;
    let payment = Payment {
        kind,
        amount,
        currency,
        transaction_number: None,
        request_id,
        pos_timestamp: optional(env, references.pos_timestamp, "posTimestamp")?,
        reference_number: optional(env, references.reference_number, "referenceNumber")?,
        merchant_reference: optional(env, references.merchant_reference, "merchantReference")?,
    };
    run(env, terminal, callbacks, Operation::Payment(payment))
}

/// `NativeEngine.abort`.
pub fn abort(
    env: &mut Env<'_>,
    terminal: &JObject<'_>,
    new_connection: bool,
    silent: bool,
    callbacks: &JObject<'_>,
) -> Result<(), BridgeError> {
    let operation = Operation::Abort {
        via: if new_connection {
            AbortVia::NewConnection
        } else {
            AbortVia::SameConnection
        },
        display: if silent {
            AbortDisplay::Silent
        } else {
            AbortDisplay::Normal
        },
    };
    run(env, terminal, callbacks, operation)
}

/// `NativeEngine.operation`: an administrative request or a card read, by its code.
pub fn operation(
    env: &mut Env<'_>,
    terminal: &JObject<'_>,
    code: i32,
    callbacks: &JObject<'_>,
) -> Result<(), BridgeError> {
    let operation = operations::operation(code)?;
    run(env, terminal, callbacks, operation)
}

/// `NativeEngine.recoverPayment`.
pub fn recover_payment(
    env: &mut Env<'_>,
    terminal: &JObject<'_>,
    callbacks: &JObject<'_>,
) -> Result<(), BridgeError> {
    run(env, terminal, callbacks, Operation::RecoverPayment)
}

/// `NativeEngine.listenPort`: the bound channel-1 port, or -1 in single-socket mode.
pub fn listen_port(env: &mut Env<'_>, terminal: &JObject<'_>) -> Result<i32, BridgeError> {
    let terminal = convert::terminal(env, terminal)?;
    match Engine::global().listen_address(&terminal, Duration::from_secs(10)) {
        Ok(Some(address)) => Ok(i32::from(address.port())),
        Ok(None) => Ok(-1),
        Err(error) => Err(BridgeError::InvalidArgument(error)),
    }
}

/// `EngineFaults.injectEnginePanic` (test builds only).
#[cfg(feature = "test-hooks")]
pub fn inject_engine_panic(env: &mut Env<'_>, terminal: &JObject<'_>) -> Result<(), BridgeError> {
    let terminal = convert::terminal(env, terminal)?;
    Engine::global().run(&terminal, Operation::InjectPanic, Arc::new(Silent));
    Ok(())
}

/// The delegate of the injection itself: it never gets a callback (its task panics first).
#[cfg(feature = "test-hooks")]
struct Silent;

#[cfg(feature = "test-hooks")]
impl crate::client::Delegate for Silent {}
