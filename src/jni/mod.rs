//! The JNI bridge (feature `jni`): one-line exports into ordinary Rust functions, one error
//! mapping table, callbacks through one internal interface. No protocol logic lives here.
//!
//! Java side: `eu.ccvlab.mapi.internal.NativeEngine` (native methods), `NativeTerminal` (fields
//! read here), `NativeCallbacks` (called from the engine thread, re-posted by Java on the app's
//! executor), `eu.ccvlab.mapi.testing.TerminalSimulator` (the simulator, feature `simulator`) and,
//! with the `test-hooks` feature only, `eu.ccvlab.mapi.testing.EngineFaults`.

mod api;
mod callbacks;
mod convert;
mod errors;
mod logging;
mod operations;
mod recovery;
#[cfg(feature = "simulator")]
mod simulator_bridge;
#[cfg(feature = "simulator")]
mod testing_exports;
mod trace;

use std::ffi::c_void;

use jni::objects::{JClass, JObject, JString};
use jni::sys::{jboolean, jint, jlong, JNI_ERR, JNI_VERSION_1_6};
use jni::{EnvUnowned, JavaVM};

pub use errors::{BridgeError, ThrowMapped};

/// Caches the callback interface through the app's class loader and installs logging.
///
/// # Safety
/// Called by the JVM with its own valid `JavaVM` pointer, never by Rust code.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn JNI_OnLoad(
    vm: *mut jni::sys::JavaVM,
    _reserved: *mut c_void,
) -> jint {
    logging::init();
    let loaded = std::panic::catch_unwind(|| {
        // SAFETY: the JVM passes a valid JavaVM pointer to JNI_OnLoad.
        let vm = unsafe { JavaVM::from_raw(vm) };
        vm.attach_current_thread(|env| {
            callbacks::init(env)?;
            convert::init(env)
        })
    });
    match loaded {
        Ok(Ok(())) => JNI_VERSION_1_6,
        Ok(Err(error)) => {
            log::error!("mapi native library could not initialise: {error}");
            JNI_ERR
        }
        Err(_) => {
            log::error!("mapi native library panicked while loading");
            JNI_ERR
        }
    }
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeEngine_payment<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    terminal: JObject<'l>,
    kind: jint,
    amount: JString<'l>,
    currency: JString<'l>,
    original_stan: JString<'l>,
    request_id: JString<'l>,
    pos_timestamp: JString<'l>,
    reference_number: JString<'l>,
    merchant_reference: JString<'l>,
    callbacks: JObject<'l>,
) {
    env.with_env(|env| {
        let references = api::References {
            pos_timestamp: &pos_timestamp,
            reference_number: &reference_number,
            merchant_reference: &merchant_reference,
        };
        api::payment(
            env,
            &terminal,
            kind,
            &amount,
            &currency,
            &original_stan,
            &request_id,
            &references,
            &callbacks,
        )
    })
    .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeEngine_abort<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    terminal: JObject<'l>,
    new_connection: jboolean,
    silent: jboolean,
    callbacks: JObject<'l>,
) {
    env.with_env(|env| api::abort(env, &terminal, new_connection, silent, &callbacks))
        .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeEngine_operation<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    terminal: JObject<'l>,
    operation: jint,
    callbacks: JObject<'l>,
) {
    env.with_env(|env| api::operation(env, &terminal, operation, &callbacks))
        .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeEngine_recoverPayment<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    terminal: JObject<'l>,
    callbacks: JObject<'l>,
) {
    env.with_env(|env| api::recover_payment(env, &terminal, &callbacks))
        .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeEngine_answerAsk<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    ask: jlong,
    yes: jboolean,
) {
    env.with_env(|_| callbacks::answer_ask(ask, yes))
        .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeEngine_listenPort<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    terminal: JObject<'l>,
) -> jint {
    env.with_env(|env| api::listen_port(env, &terminal))
        .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeEngine_liveHandleCount<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
) -> jlong {
    env.with_env(|_| Ok::<_, BridgeError>(live_handles()))
        .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_internal_NativeEngine_globalRefCount<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
) -> jlong {
    env.with_env(|_| Ok::<_, BridgeError>(callbacks::global_ref_count()))
        .resolve::<ThrowMapped>()
}

fn live_handles() -> i64 {
    #[cfg(feature = "simulator")]
    let simulators = simulator_bridge::live_count();
    #[cfg(not(feature = "simulator"))]
    let simulators = 0;
    callbacks::live_handle_count() + simulators
}

/// Test seams of this repository's own JVM tests (`eu.ccvlab.mapi.testing.EngineFaults`), in a
/// library built with the `test-hooks` feature only: never in an AAR.
#[cfg(feature = "test-hooks")]
mod engine_faults {
    use super::*;

    /// Makes the engine task of `terminal` panic (its pending flows must end in onError).
    #[unsafe(no_mangle)]
    pub extern "system" fn Java_eu_ccvlab_mapi_testing_EngineFaults_injectEnginePanic<'l>(
        mut env: EnvUnowned<'l>,
        _: JClass<'l>,
        terminal: JObject<'l>,
    ) {
        env.with_env(|env| api::inject_engine_panic(env, &terminal))
            .resolve::<ThrowMapped>()
    }

    /// Panics inside a native call (must become a Java RuntimeException).
    #[unsafe(no_mangle)]
    pub extern "system" fn Java_eu_ccvlab_mapi_testing_EngineFaults_panicNow<'l>(
        mut env: EnvUnowned<'l>,
        _: JClass<'l>,
    ) {
        env.with_env(|_| -> Result<(), BridgeError> { panic!("panic injected by a test") })
            .resolve::<ThrowMapped>()
    }
}
