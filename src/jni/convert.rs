//! Java values → Rust values for the native methods (conversion only; decisions live in `client`).

use std::time::Duration;

use std::sync::OnceLock;

use jni::ids::JFieldID;
use jni::objects::{Global, JClass, JObject, JString};
use jni::signature::{JavaType, Primitive};
use jni::{jni_sig, jni_str, Env};

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

/// Field ids of `eu.ccvlab.mapi.internal.NativeTerminal`, resolved once in `JNI_OnLoad`: looking
/// them up by name on every call cost about 30 µs of an abort's path to the wire.
struct TerminalFields {
    // Keeps the class (and so the field ids) from being unloaded.
    _class: Global<JClass<'static>>,
    ip_address: JFieldID,
    port: JFieldID,
    compatibility_port: JFieldID,
    dialect: JFieldID,
    socket_mode: JFieldID,
    workstation_id: JFieldID,
    language_code: JFieldID,
    state_directory: JFieldID,
    connect_timeout_millis: JFieldID,
    abort_timeout_millis: JFieldID,
    response_timeout_millis: JFieldID,
    request_token: JFieldID,
    shift_number: JFieldID,
    wire_profile: JFieldID,
}

static FIELDS: OnceLock<TerminalFields> = OnceLock::new();

/// Resolves `NativeTerminal`'s fields; runs in `JNI_OnLoad` (the app's class loader).
pub fn init(env: &mut Env<'_>) -> Result<(), BridgeError> {
    if FIELDS.get().is_some() {
        return Ok(());
    }
    let class = env.find_class(jni_str!("eu/ccvlab/mapi/internal/NativeTerminal"))?;
    let fields = TerminalFields {
        ip_address: env.get_field_id(
            &class,
            jni_str!("ipAddress"),
            &jni_sig!("Ljava/lang/String;"),
        )?,
        port: env.get_field_id(&class, jni_str!("port"), jni_sig!("I"))?,
        compatibility_port: env.get_field_id(
            &class,
            jni_str!("compatibilityPort"),
            jni_sig!("I"),
        )?,
        dialect: env.get_field_id(&class, jni_str!("dialect"), jni_sig!("I"))?,
        socket_mode: env.get_field_id(&class, jni_str!("socketMode"), jni_sig!("I"))?,
        workstation_id: env.get_field_id(
            &class,
            jni_str!("workstationId"),
            &jni_sig!("Ljava/lang/String;"),
        )?,
        language_code: env.get_field_id(
            &class,
            jni_str!("languageCode"),
            &jni_sig!("Ljava/lang/String;"),
        )?,
        state_directory: env.get_field_id(
            &class,
            jni_str!("stateDirectory"),
            &jni_sig!("Ljava/lang/String;"),
        )?,
        connect_timeout_millis: env.get_field_id(
            &class,
            jni_str!("connectTimeoutMillis"),
            jni_sig!("J"),
        )?,
        abort_timeout_millis: env.get_field_id(
            &class,
            jni_str!("abortTimeoutMillis"),
            jni_sig!("J"),
        )?,
        response_timeout_millis: env.get_field_id(
            &class,
            jni_str!("responseTimeoutMillis"),
            jni_sig!("J"),
        )?,
        request_token: env.get_field_id(&class, jni_str!("requestToken"), jni_sig!("Z"))?,
        shift_number: env.get_field_id(&class, jni_str!("shiftNumber"), jni_sig!("I"))?,
        wire_profile: env.get_field_id(
            &class,
            jni_str!("wireProfile"),
            &jni_sig!("Ljava/lang/String;"),
        )?,
        _class: env.new_global_ref(&class)?,
    };
    let _ = FIELDS.set(fields);
    Ok(())
}

fn fields() -> Result<&'static TerminalFields, BridgeError> {
    FIELDS.get().ok_or_else(|| {
        BridgeError::InvalidArgument("the native library was not initialised".to_owned())
    })
}

fn field<'local>(
    env: &mut Env<'local>,
    object: &JObject<'_>,
    id: JFieldID,
    ty: JavaType,
) -> Result<jni::objects::JValueOwned<'local>, BridgeError> {
    // SAFETY: every id was resolved on NativeTerminal with the signature whose type the caller
    // passes, and `object` is a NativeTerminal: the native methods' Java signatures declare it
    // so, and the JVM checks the argument types of native calls.
    let value = unsafe { env.get_field_unchecked(object, id, ty) }?;
    Ok(value)
}

fn string_field(
    env: &mut Env<'_>,
    object: &JObject<'_>,
    id: JFieldID,
) -> Result<Option<String>, BridgeError> {
    let value = field(env, object, id, JavaType::Object)?.l()?;
    if value.is_null() {
        return Ok(None);
    }
    let text: JString = env.cast_local::<JString>(value)?;
    Ok(Some(text.try_to_string(env)?))
}

fn int_field(env: &mut Env<'_>, object: &JObject<'_>, id: JFieldID) -> Result<i32, BridgeError> {
    Ok(field(env, object, id, JavaType::Primitive(Primitive::Int))?.i()?)
}

fn bool_field(env: &mut Env<'_>, object: &JObject<'_>, id: JFieldID) -> Result<bool, BridgeError> {
    Ok(field(env, object, id, JavaType::Primitive(Primitive::Boolean))?.z()?)
}

fn long_field(env: &mut Env<'_>, object: &JObject<'_>, id: JFieldID) -> Result<i64, BridgeError> {
    Ok(field(env, object, id, JavaType::Primitive(Primitive::Long))?.j()?)
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
    let f = fields()?;
    let ip =
        string_field(env, object, f.ip_address)?.ok_or(BridgeError::Null("terminal ipAddress"))?;
    let dialect = match int_field(env, object, f.dialect)? {
        0 => Dialect::OpiNl,
        1 => Dialect::OpiDe,
        other => {
            return Err(BridgeError::InvalidArgument(format!(
                "unknown terminal type {other}"
            )))
        }
    };
    let socket_mode = match int_field(env, object, f.socket_mode)? {
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
            long_field(env, object, f.connect_timeout_millis)?,
            defaults.connect,
            "connectTimeoutMillis",
        )?,
        abort: timeout(
            long_field(env, object, f.abort_timeout_millis)?,
            defaults.abort,
            "abortTimeoutMillis",
        )?,
        request: timeout(
            long_field(env, object, f.response_timeout_millis)?,
            defaults.request,
            "responseTimeoutMillis",
        )?,
        device_connection_idle: defaults.device_connection_idle,
        recovery_retry: defaults.recovery_retry,
        delivery_box_answer: defaults.delivery_box_answer,
    };
    let mut terminal = Terminal::new(&ip, dialect)
        .with_port(port(int_field(env, object, f.port)?, "port")?)
        .with_compatibility_port(port(
            int_field(env, object, f.compatibility_port)?,
            "compatibilityPort",
        )?)
        .with_socket_mode(socket_mode)
        .with_timeouts(timeouts);
    if let Some(id) = string_field(env, object, f.workstation_id)? {
        terminal = terminal.with_workstation_id(&id);
    }
    if let Some(code) = string_field(env, object, f.language_code)? {
        terminal = terminal.with_language_code(&code);
    }
    if let Some(dir) = string_field(env, object, f.state_directory)? {
        terminal = terminal.with_state_dir(dir);
    }
    terminal.request_token = bool_field(env, object, f.request_token)?;
    if let Ok(shift) = u32::try_from(int_field(env, object, f.shift_number)?) {
        terminal = terminal.with_shift_number(shift);
    }
    if let Some(text) = string_field(env, object, f.wire_profile)? {
        let profile = terminal
            .wire_profile
            .with_overrides(&text)
            .map_err(|e| BridgeError::InvalidArgument(e.to_string()))?;
        terminal = terminal.with_wire_profile(profile);
    }
    Ok(terminal)
}

/// A plain decimal amount such as "12.50".
pub fn amount(text: &str) -> Result<Amount, BridgeError> {
    text.parse()
        .map_err(|e: crate::message::values::AmountParseError| {
            BridgeError::InvalidArgument(e.to_string())
        })
}
