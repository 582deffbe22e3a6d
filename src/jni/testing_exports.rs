//! The natives of `eu.ccvlab.mapi.testing.TerminalSimulator`, the public class of the testing
//! artifact (`mapi-sdk-testing-<version>.aar`). One line each into `simulator_bridge.rs`; the SDK's
//! own test suites drive the simulator through this same class, so app developers drive exactly the
//! simulator those suites run against. Built only with the `simulator`
//! feature: the production library never has these symbols (`android/check-elf.sh` checks it).

use jni::objects::{JClass, JObjectArray, JString};
use jni::sys::{jboolean, jint, jlong};
use jni::EnvUnowned;

use super::errors::{BridgeError, ThrowMapped};
use super::{callbacks, convert, simulator_bridge};

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_testing_TerminalSimulator_nativeStart<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    dialect: jint,
    mode: jint,
    scenario: JString<'l>,
) -> jlong {
    env.with_env(|env| {
        simulator_bridge::start(dialect, mode, &convert::string(env, &scenario, "scenario")?)
    })
    .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_testing_TerminalSimulator_nativePort<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    sim: jlong,
) -> jint {
    env.with_env(|_| simulator_bridge::port(sim))
        .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_testing_TerminalSimulator_nativeSetPosPort<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    sim: jlong,
    port: jint,
) {
    env.with_env(|_| simulator_bridge::set_pos_port(sim, port))
        .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_testing_TerminalSimulator_nativeSetScenario<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    sim: jlong,
    scenario: JString<'l>,
) {
    env.with_env(|env| {
        simulator_bridge::set_scenario(sim, &convert::string(env, &scenario, "scenario")?)
    })
    .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_testing_TerminalSimulator_nativeRelease<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    sim: jlong,
    stage: jint,
) {
    env.with_env(|_| simulator_bridge::release(sim, stage))
        .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_testing_TerminalSimulator_nativeWaitForStep<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    sim: jlong,
    step: JString<'l>,
    timeout: jlong,
) -> jboolean {
    env.with_env(|env| {
        simulator_bridge::wait_for_step(sim, &convert::string(env, &step, "step")?, timeout)
    })
    .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_testing_TerminalSimulator_nativeReceivedFrames<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    sim: jlong,
) -> JObjectArray<'l, JString<'l>> {
    env.with_env(|env| {
        Ok::<_, BridgeError>(callbacks::string_array(
            env,
            &simulator_bridge::received_frames(sim)?,
        )?)
    })
    .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_testing_TerminalSimulator_nativeClearReceived<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    sim: jlong,
) {
    env.with_env(|_| simulator_bridge::clear_received(sim))
        .resolve::<ThrowMapped>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_eu_ccvlab_mapi_testing_TerminalSimulator_nativeStop<'l>(
    mut env: EnvUnowned<'l>,
    _: JClass<'l>,
    sim: jlong,
) {
    env.with_env(|_| simulator_bridge::stop(sim))
        .resolve::<ThrowMapped>()
}
