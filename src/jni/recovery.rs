//! `eu.ccvlab.mapi.internal.NativeRecovery`: automatic recovery, the pending-payments query and the
//! operator's resolution, on the process-wide engine. One-line exports into the functions below,
//! which convert and call `client::Engine`; no logic here.
//!
//! A pending payment crosses as a flat `String[]` of [`FIELDS`] strings (the Java side builds its
//! `PendingPayment` from it), several as consecutive groups: no extra class for native code to
//! resolve, and nothing to keep in step but this order.
//!
//! Error mapping (through `errors::ThrowMapped`): an unreadable journal, or a resolution the
//! engine refused (the payment runs now, no reason given), becomes an `IllegalStateException`.

use std::sync::Arc;
use std::time::Duration;

use jni::objects::{JClass, JObject, JObjectArray, JString};
use jni::{Env, EnvUnowned};

use super::callbacks::{self, JniDelegate};
use super::convert;
use super::errors::{BridgeError, ThrowMapped};
use crate::client::{Engine, PendingPayment, PendingState};

/// Strings per pending payment: key, requestId, requestType, amount, currency, terminal,
/// startedAtMillis, state, attempts, reason, evidence (lines joined by `\n`).
pub const FIELDS: usize = 11;

fn flatten(pending: &PendingPayment) -> [String; FIELDS] {
    let or_empty = |value: Option<String>| value.unwrap_or_default();
    [
        pending.key.clone(),
        or_empty(pending.request_id.as_ref().map(ToString::to_string)),
        or_empty(pending.request_type.clone()),
        or_empty(pending.amount.map(|a| a.to_string())),
        or_empty(pending.currency.clone()),
        or_empty(pending.terminal.clone()),
        or_empty(pending.started_at_ms.map(|ms| ms.to_string())),
        match pending.state {
            PendingState::InFlight => "IN_FLIGHT",
            PendingState::Pending => "PENDING",
            PendingState::NeedsOperator => "NEEDS_OPERATOR",
            PendingState::Corrupt => "CORRUPT",
        }
        .to_owned(),
        pending.attempts.to_string(),
        pending.reason.clone(),
        pending.evidence.join("\n"),
    ]
}

/// `NativeRecovery.setRecoveryDelegate`: `null` turns automatic recovery off.
pub fn set_recovery_delegate(env: &Env<'_>, callbacks: &JObject<'_>) -> Result<(), BridgeError> {
    let delegate = if callbacks.is_null() {
        None
    } else {
        Some(Arc::new(JniDelegate::new(env, callbacks)?) as Arc<dyn crate::client::Delegate>)
    };
    Engine::global().set_recovery_delegate(delegate);
    Ok(())
}

/// `NativeRecovery.pendingPayments`.
pub fn pending_payments(
    env: &mut Env<'_>,
    terminal: &JObject<'_>,
) -> Result<Vec<String>, BridgeError> {
    let terminal = convert::terminal(env, terminal)?;
    let pending = Engine::global()
        .pending_payments(&terminal)
        .map_err(BridgeError::StaleHandle)?;
    Ok(pending.iter().flat_map(flatten).collect())
}

/// `NativeRecovery.resolvePending`: the resolved payment, or no strings when nothing had `key`.
pub fn resolve_pending(
    env: &mut Env<'_>,
    terminal: &JObject<'_>,
    key: &JString<'_>,
    reason: &JString<'_>,
) -> Result<Vec<String>, BridgeError> {
    let terminal = convert::terminal(env, terminal)?;
    let key = convert::string(env, key, "key")?;
    let reason = convert::string(env, reason, "reason")?;
    let resolved = Engine::global()
        .resolve_pending(&terminal, &key, &reason, Duration::from_secs(10))
        .map_err(BridgeError::StaleHandle)?;
    Ok(resolved.iter().flat_map(flatten).collect())
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeRecovery_setRecoveryDelegate<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    callbacks: JObject<'l>,
) {
    env.with_env(|env| set_recovery_delegate(env, &callbacks))
        .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeRecovery_pendingPayments<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    terminal: JObject<'l>,
) -> JObjectArray<'l, JString<'l>> {
    env.with_env(|env| {
        let flat = pending_payments(env, &terminal)?;
        Ok::<_, BridgeError>(callbacks::string_array(env, &flat)?)
    })
    .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeRecovery_resolvePending<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    terminal: JObject<'l>,
    key: JString<'l>,
    reason: JString<'l>,
) -> JObjectArray<'l, JString<'l>> {
    env.with_env(|env| {
        let flat = resolve_pending(env, &terminal, &key, &reason)?;
        Ok::<_, BridgeError>(callbacks::string_array(env, &flat)?)
    })
    .resolve::<ThrowMapped>()
}
