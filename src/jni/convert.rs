//! Java values → Rust values for the native methods (conversion only; decisions live in `client`).

use std::time::Duration;

use jni::objects::{JObject, JString};
use jni::{jni_sig, Env};

use super::errors::BridgeError;
use crate::client::{Terminal, Timeouts};
use crate::dialect::{Dialect, SocketMode};
use crate::message::Amount;

/// A non-null Java string as a Rust string.
pub fn string(
    env: &Env<'_>,
    value: &JString<'_>,
    name: &'static str,
) -> Result<String, BridgeError> {
    if value.is_null() {
        return Err(BridgeError::Null(name));
    }
    Ok(value.try_to_string(env)?)
}

fn string_field(
    env: &mut Env<'_>,
    object: &JObject<'_>,
    name: &'static str,
) -> Result<Option<String>, BridgeError> {
    let field = jni::strings::JNIString::from(name);
    let value = env
        .get_field(object, &field, jni_sig!("Ljava/lang/String;"))?
        .l()?;
    if value.is_null() {
        return Ok(None);
    }
    let text: JString = env.cast_local::<JString>(value)?;
    Ok(Some(text.try_to_string(env)?))
}

fn int_field(
    env: &mut Env<'_>,
    object: &JObject<'_>,
    name: &'static str,
) -> Result<i32, BridgeError> {
    let field = jni::strings::JNIString::from(name);
    Ok(env.get_field(object, &field, jni_sig!("I"))?.i()?)
}

fn bool_field(env: &mut Env<'_>, object: &JObject<'_>, name: &str) -> Result<bool, BridgeError> {
    let field = jni::strings::JNIString::from(name);
    Ok(env.get_field(object, &field, jni_sig!("Z"))?.z()?)
}

fn long_field(
    env: &mut Env<'_>,
    object: &JObject<'_>,
    name: &'static str,
) -> Result<i64, BridgeError> {
    let field = jni::strings::JNIString::from(name);
    Ok(env.get_field(object, &field, jni_sig!("J"))?.j()?)
}

fn port(value: i32, name: &str) -> Result<u16, BridgeError> {
    u16::try_from(value).map_err(|_| {
        BridgeError::InvalidArgument(format!("{name} {value} is not a TCP port (0-65535)"))
    })
}

fn timeout(millis: i64, default: Duration, name: &str) -> Result<Duration, BridgeError> {
    match millis {
        0 => Ok(default),
        m if m > 0 => Ok(Duration::from_millis(m as u64)),
        m => Err(BridgeError::InvalidArgument(format!(
            "{name} must not be negative, got {m}"
        ))),
    }
}

/// Reads an `eu.ccvlab.mapi.internal.NativeTerminal`.
pub fn terminal(env: &mut Env<'_>, object: &JObject<'_>) -> Result<Terminal, BridgeError> {
    if object.is_null() {
        return Err(BridgeError::Null("terminal"));
    }
    let ip =
        string_field(env, object, "ipAddress")?.ok_or(BridgeError::Null("terminal ipAddress"))?;
    let dialect = match int_field(env, object, "dialect")? {
        0 => Dialect::OpiNl,
        1 => Dialect::OpiDe,
        other => {
            return Err(BridgeError::InvalidArgument(format!(
                "unknown terminal type {other}"
            )))
        }
    };
    let socket_mode = match int_field(env, object, "socketMode")? {
        0 => SocketMode::DualSocket,
        1 => SocketMode::SingleSocket,
        other => {
            return Err(BridgeError::InvalidArgument(format!(
                "unknown socket mode {other}"
            )))
        }
    };
    let defaults = Timeouts::for_dialect(dialect);
    let timeouts = Timeouts {
        connect: timeout(
            long_field(env, object, "connectTimeoutMillis")?,
            defaults.connect,
            "connectTimeoutMillis",
        )?,
        abort: timeout(
            long_field(env, object, "abortTimeoutMillis")?,
            defaults.abort,
            "abortTimeoutMillis",
        )?,
        request: timeout(
            long_field(env, object, "responseTimeoutMillis")?,
            defaults.request,
            "responseTimeoutMillis",
        )?,
        device_connection_idle: defaults.device_connection_idle,
    };
    let mut terminal = Terminal::new(&ip, dialect)
        .with_port(port(int_field(env, object, "port")?, "port")?)
        .with_compatibility_port(port(
            int_field(env, object, "compatibilityPort")?,
            "compatibilityPort",
        )?)
        .with_socket_mode(socket_mode)
        .with_timeouts(timeouts);
    if let Some(id) = string_field(env, object, "workstationId")? {
        terminal = terminal.with_workstation_id(&id);
    }
    if let Some(code) = string_field(env, object, "languageCode")? {
        terminal = terminal.with_language_code(&code);
    }
    if let Some(dir) = string_field(env, object, "stateDirectory")? {
        terminal = terminal.with_state_dir(dir);
    }
    terminal.request_token = bool_field(env, object, "requestToken")?;
    Ok(terminal)
}

/// A plain decimal amount such as "12.50".
pub fn amount(text: &str) -> Result<Amount, BridgeError> {
    text.parse()
        .map_err(|e: crate::message::values::AmountParseError| {
            BridgeError::InvalidArgument(e.to_string())
        })
}
