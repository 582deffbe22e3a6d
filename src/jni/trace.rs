//! `eu.ccvlab.mapi.internal.NativeTrace`: the wire trace of the process-wide engine. One-line
//! exports into the functions below, which convert and call `client::Engine`; no logic here.
//!
//! Error mapping (through `errors::ThrowMapped`): a file that cannot be created, written or copied
//! becomes an `IllegalArgumentException` naming the file and the OS error (the public
//! `WireTrace` rethrows it as an `IOException`); exporting when no trace was ever enabled, or a
//! writer thread that stopped, becomes an `IllegalStateException`.

use std::path::Path;

use jni::objects::{JClass, JString};
use jni::sys::jlong;
use jni::{Env, EnvUnowned};

use super::convert;
use super::errors::{BridgeError, ThrowMapped};
use crate::client::{Engine, WireTraceConfig, WireTraceError};

fn bridge_error(error: WireTraceError) -> BridgeError {
    match error {
        WireTraceError::NothingRecorded | WireTraceError::WriterGone => {
            BridgeError::StaleHandle(error.to_string())
        }
        other => BridgeError::InvalidArgument(other.to_string()),
    }
}

/// `NativeTrace.enable`.
pub fn enable(env: &Env<'_>, path: &JString<'_>, max_bytes: i64) -> Result<(), BridgeError> {
    let path = convert::string(env, path, "file")?;
    let max_bytes = u64::try_from(max_bytes).map_err(|_| {
        BridgeError::InvalidArgument(format!("maxBytes must be positive, was {max_bytes}"))
    })?;
    let config = WireTraceConfig::new(path).with_max_bytes(max_bytes);
    Engine::global()
        .set_wire_trace(Some(config))
        .map_err(bridge_error)
}

/// `NativeTrace.disable`.
pub fn disable() -> Result<(), BridgeError> {
    Engine::global().set_wire_trace(None).map_err(bridge_error)
}

/// `NativeTrace.export`: the bytes copied.
pub fn export(env: &Env<'_>, destination: &JString<'_>) -> Result<i64, BridgeError> {
    let destination = convert::string(env, destination, "destination")?;
    let copied = Engine::global()
        .export_wire_trace(Path::new(&destination))
        .map_err(bridge_error)?;
    Ok(i64::try_from(copied).unwrap_or(i64::MAX))
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeTrace_enable<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    path: JString<'l>,
    max_bytes: jlong,
) {
    env.with_env(|env| enable(env, &path, max_bytes))
        .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeTrace_disable<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
) {
    env.with_env(|_| disable()).resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeTrace_export<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    destination: JString<'l>,
) -> jlong {
    env.with_env(|env| export(env, &destination))
        .resolve::<ThrowMapped>()
}
