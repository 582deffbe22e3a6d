//! Native entry to the terminal simulator, so JVM tests drive a real TCP terminal from the same
//! library: the testing artifact's public `eu.ccvlab.mapi.testing.TerminalSimulator`
//! (`testing_exports.rs`) calls these functions — app developers and this repository's own JVM,
//! Kotlin and Robolectric suites alike. Not built without `simulator`, so never in the production
//! library.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use super::errors::BridgeError;
use crate::dialect::{Dialect, SocketMode};
use crate::simulator::{
    Channel, RunStep, Script, SimEvent, Simulator, SimulatorConfig, SimulatorHandle, Stage,
};

struct Entry {
    handle: SimulatorHandle,
    /// Occurrences of each step already returned by `wait_for_step`: the next wait is for the next one.
    consumed: HashMap<&'static str, usize>,
}

static SIMULATORS: OnceLock<Mutex<HashMap<i64, Entry>>> = OnceLock::new();
static NEXT: AtomicI64 = AtomicI64::new(1);

fn table() -> &'static Mutex<HashMap<i64, Entry>> {
    SIMULATORS.get_or_init(|| Mutex::new(HashMap::new()))
}

fn with<T>(sim: i64, f: impl FnOnce(&mut Entry) -> T) -> Result<T, BridgeError> {
    let mut table = table()
        .lock()
        .map_err(|_| BridgeError::StaleHandle("simulator table poisoned".to_owned()))?;
    let entry = table.get_mut(&sim).ok_or_else(|| {
        BridgeError::StaleHandle(format!("simulator handle {sim} is stopped or unknown"))
    })?;
    Ok(f(entry))
}

/// Number of simulators alive.
pub fn live_count() -> i64 {
    table().lock().map(|t| t.len() as i64).unwrap_or(0)
}

/// `TerminalSimulator.start`.
pub fn start(dialect: i32, socket_mode: i32, scenario: &str) -> Result<i64, BridgeError> {
    let dialect = match dialect {
        0 => Dialect::OpiNl,
        1 => Dialect::OpiDe,
        other => {
            return Err(BridgeError::InvalidArgument(format!(
                "unknown dialect {other}"
            )))
        }
    };
    let mode = match socket_mode {
        0 => SocketMode::DualSocket,
        1 => SocketMode::SingleSocket,
        other => {
            return Err(BridgeError::InvalidArgument(format!(
                "unknown socket mode {other}"
            )))
        }
    };
    let script = Script::from_name(scenario)
        .ok_or_else(|| BridgeError::InvalidArgument(format!("unknown scenario '{scenario}'")))?;
    let mut config = SimulatorConfig::new(dialect, mode);
    config.script = script;
    let handle = Simulator::spawn(config)
        .map_err(|e| BridgeError::InvalidArgument(format!("simulator did not start: {e}")))?;
    let id = NEXT.fetch_add(1, Ordering::SeqCst);
    table()
        .lock()
        .map_err(|_| BridgeError::StaleHandle("simulator table poisoned".to_owned()))?
        .insert(
            id,
            Entry {
                handle,
                consumed: HashMap::new(),
            },
        );
    Ok(id)
}

/// `TerminalSimulator.port`.
pub fn port(sim: i64) -> Result<i32, BridgeError> {
    with(sim, |e| i32::from(e.handle.address().port()))
}

/// `TerminalSimulator.setPosPort`.
pub fn set_pos_port(sim: i64, port: i32) -> Result<(), BridgeError> {
    let port = u16::try_from(port)
        .map_err(|_| BridgeError::InvalidArgument(format!("{port} is not a port")))?;
    with(sim, |e| {
        e.handle
            .set_pos_address(SocketAddr::from(([127, 0, 0, 1], port)))
    })
}

/// `TerminalSimulator.release`.
pub fn release(sim: i64, stage: i32) -> Result<(), BridgeError> {
    let stage = match stage {
        0 => Stage::CardPresented,
        1 => Stage::Completion,
        other => {
            return Err(BridgeError::InvalidArgument(format!(
                "unknown stage {other}"
            )))
        }
    };
    with(sim, |e| e.handle.release(stage))
}

/// `TerminalSimulator.waitForStep`: waits for the next occurrence of `step` not returned before.
pub fn wait_for_step(sim: i64, step: &str, timeout_millis: i64) -> Result<bool, BridgeError> {
    let (wanted, name) = match step {
        "RequestReceived" => (RunStep::RequestReceived, "RequestReceived"),
        "AwaitingCard" => (RunStep::AwaitingCard, "AwaitingCard"),
        "Authorised" => (RunStep::Authorised, "Authorised"),
        "AwaitingCompletion" => (RunStep::AwaitingCompletion, "AwaitingCompletion"),
        "Responding" => (RunStep::Responding, "Responding"),
        other => {
            return Err(BridgeError::InvalidArgument(format!(
                "unknown step '{other}'"
            )))
        }
    };
    let (handle, already) = with(sim, |e| {
        (e.handle.clone(), *e.consumed.get(name).unwrap_or(&0))
    })?;
    let mut seen = 0;
    let found = handle
        .wait_for(
            |event| {
                if matches!(event, SimEvent::StageReached { step, .. } if *step == wanted) {
                    seen += 1;
                }
                seen > already
            },
            Duration::from_millis(u64::try_from(timeout_millis).unwrap_or(0)),
        )
        .is_some();
    if found {
        with(sim, |e| *e.consumed.entry(name).or_insert(0) = already + 1)?;
    }
    Ok(found)
}

/// Fields per frame in [`received_frames`]: channel, connection, root element, RequestType,
/// RequestID, XML text.
pub const FRAME_FIELDS: usize = 6;

/// `TerminalSimulator.receivedFrames`: every frame received so far, flattened into
/// [`FRAME_FIELDS`] strings each, so one JNI call returns one consistent snapshot (two calls could
/// straddle a frame arriving in between). Channel is `"0"` or `"1"`; connection is the channel-0
/// connection number (`"0"` on channel 1); root, type and id are empty for a frame that did not
/// parse.
pub fn received_frames(sim: i64) -> Result<Vec<String>, BridgeError> {
    with(sim, |e| {
        let frames = e.handle.received();
        let mut flat = Vec::with_capacity(frames.len() * FRAME_FIELDS);
        for frame in frames {
            let (channel, connection) = match frame.channel {
                Channel::Channel0(connection) => ("0", connection),
                Channel::Channel1 => ("1", 0),
            };
            let (root, request_type, request_id) = match &frame.message {
                Ok(message) => (
                    message.root_name().to_owned(),
                    message.request_type().to_owned(),
                    message.request_id().as_str().to_owned(),
                ),
                Err(_) => (String::new(), String::new(), String::new()),
            };
            flat.push(channel.to_owned());
            flat.push(connection.to_string());
            flat.push(root);
            flat.push(request_type);
            flat.push(request_id);
            flat.push(String::from_utf8_lossy(&frame.bytes).into_owned());
        }
        flat
    })
}

/// `TerminalSimulator.clearReceived`: forgets the recorded frames (one phase of a scenario).
pub fn clear_received(sim: i64) -> Result<(), BridgeError> {
    with(sim, |e| e.handle.clear_received())
}

/// `TerminalSimulator.setScenario`: the preset the next payment run follows.
pub fn set_scenario(sim: i64, scenario: &str) -> Result<(), BridgeError> {
    let script = Script::from_name(scenario)
        .ok_or_else(|| BridgeError::InvalidArgument(format!("unknown scenario '{scenario}'")))?;
    with(sim, |e| e.handle.set_script(script))
}

/// `TerminalSimulator.stop`.
pub fn stop(sim: i64) -> Result<(), BridgeError> {
    let entry = table()
        .lock()
        .map_err(|_| BridgeError::StaleHandle("simulator table poisoned".to_owned()))?
        .remove(&sim)
        .ok_or_else(|| {
            BridgeError::StaleHandle(format!("simulator handle {sim} is stopped or unknown"))
        })?;
    entry.handle.shutdown();
    Ok(())
}
