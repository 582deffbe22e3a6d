//! The abort command: one abort at a time, sent on the running request's connection or a new
//! one, and only after the request itself has left.

use std::time::Instant;

use super::types::deadline;
use super::{
    AbortCommand, AbortFlow, AbortPhase, ArmedAbort, ArmedState, CommandId, CommandKind, ConnId,
    FiredAbort, Session,
};
use crate::error::MapiError;
use crate::message::abort::{profiled_abort_request, AbortDisplay, AbortVia};
use crate::message::{Message, RequestId};

impl Session {
    /// Asks the terminal to abort the running request. Its outcome arrives as one
    /// [`Event::Finished`]; with nothing running, or another abort running, it is answered at once
    /// and nothing is sent.
    pub fn abort(&mut self, abort: AbortCommand, now: Instant) -> CommandId {
        let command = self.new_command();
        if let Some(running) = &self.abort {
            let detail = format!(
                "abort {} is still waiting for the terminal",
                running.request_id
            );
            self.refuse(
                command,
                CommandKind::Abort,
                MapiError::SecondaryFlowAlreadyHappening,
                abort.request_id,
                detail,
            );
            return command;
        }
        let Some(request) = &self.request else {
            let detail = "no request is running on this terminal; nothing was sent".to_owned();
            self.refuse(
                command,
                CommandKind::Abort,
                MapiError::NotAFlowHappening,
                abort.request_id,
                detail,
            );
            return command;
        };
        let request_sent = request.unsent.is_none();
        let running_id = request.request_id.clone();
        let message = Message::CardServiceRequest(profiled_abort_request(
            &self.config.wire_profile,
            &self.config.workstation_id,
            abort.request_id.clone(),
            &running_id,
            self.config.application_sender.as_deref(),
            abort.pos_timestamp,
            abort.display,
        ));
        let frame = match message.to_frame() {
            Ok(frame) => frame,
            Err(error) => {
                let detail = format!("the abort could not be encoded: {error}");
                self.refuse(
                    command,
                    CommandKind::Abort,
                    MapiError::FailedToConnectToTerminal,
                    abort.request_id,
                    detail,
                );
                return command;
            }
        };
        self.abort = Some(AbortFlow {
            command,
            // The answer is matched by the id on the wire (the running request's, if the
            // profile says so: the RequestType tells the two answers apart).
            request_id: message.request_id().clone(),
            via: abort.via,
            conn: None,
            frame,
            summary: message.summary(),
            phase: AbortPhase::WaitingForRequest,
            deadline: None,
        });
        if request_sent {
            self.dispatch_abort(now);
        }
        command
    }

    /// Sends the waiting abort now that its request has left.
    pub(super) fn dispatch_abort(&mut self, now: Instant) {
        let Some(request_conn) = self.request.as_ref().map(|r| r.conn) else {
            return;
        };
        let via = match &self.abort {
            Some(abort) if abort.phase == AbortPhase::WaitingForRequest => abort.via,
            _ => return,
        };
        match via {
            AbortVia::SameConnection => {
                let abort_timeout = self.config.abort_timeout;
                if let Some(abort) = self.abort.as_mut() {
                    abort.conn = Some(request_conn);
                    abort.phase = AbortPhase::AwaitingResponse;
                    abort.deadline = Some(deadline(now, abort_timeout));
                    let (frame, summary) = (abort.frame.clone(), abort.summary.clone());
                    self.send(request_conn, frame, summary);
                }
            }
            AbortVia::NewConnection => {
                let conn = self.new_outbound();
                let connect_timeout = self.config.connect_timeout;
                if let Some(abort) = self.abort.as_mut() {
                    abort.conn = Some(conn);
                    abort.phase = AbortPhase::Connecting;
                    abort.deadline = Some(deadline(now, connect_timeout));
                }
            }
        }
    }

    /// Closes an ended abort's connection unless the running request still uses it.
    pub(super) fn release_abort_connection(&mut self, abort: &AbortFlow) {
        if let Some(conn) = abort.conn {
            let request_uses_it = self.request.as_ref().is_some_and(|r| r.conn == conn);
            if !request_uses_it {
                self.close(conn);
            }
        }
    }
}

impl Session {
    /// Prepares an AbortRequest with `request_id` for the running request, on its connection, so
    /// that it can leave without the engine thread (see [`ArmedAbort`]). `None` when no abort
    /// could go out now: nothing runs, the request has not left yet, another abort runs, or one is
    /// already armed. Nothing is sent and no command is created.
    pub fn arm_abort(
        &mut self,
        request_id: RequestId,
        pos_timestamp: Option<String>,
    ) -> Option<ArmedAbort> {
        let conn = self.abort_armable()?;
        let running = self.request.as_ref()?;
        let (for_command, running_id) = (running.command, running.request_id.clone());
        let build = |display| {
            let message = Message::CardServiceRequest(profiled_abort_request(
                &self.config.wire_profile,
                &self.config.workstation_id,
                request_id.clone(),
                &running_id,
                self.config.application_sender.as_deref(),
                pos_timestamp.clone(),
                display,
            ));
            let frame = message.to_frame().ok()?;
            Some((frame, message.summary(), message.request_id().clone()))
        };
        let (normal_frame, normal_summary, wire_id) = build(AbortDisplay::Normal)?;
        let normal = (normal_frame, normal_summary);
        let (silent_frame, silent_summary, _) = build(AbortDisplay::Silent)?;
        let silent = (silent_frame, silent_summary);
        let generation = self.next_arming;
        self.next_arming += 1;
        let armed = ArmedAbort {
            generation,
            conn,
            request_id: request_id.clone(),
            normal: normal.0.clone(),
            silent: silent.0.clone(),
        };
        self.armed = Some(ArmedState {
            generation,
            for_command,
            conn,
            request_id,
            wire_id,
            normal,
            silent,
        });
        Some(armed)
    }

    /// The connection an abort could be armed for now: a request has left on it, it is open, and
    /// no abort runs or is armed.
    pub fn abort_armable(&self) -> Option<ConnId> {
        if self.armed.is_some() || self.abort.is_some() {
            return None;
        }
        let request = self.request.as_ref().filter(|r| r.unsent.is_none())?;
        self.connections
            .get(&request.conn)
            .is_some_and(|c| c.open)
            .then_some(request.conn)
    }

    /// True while the armed abort `generation` is still the abort to send: its request runs and
    /// no other abort has started. The client disarms it as soon as this turns false.
    pub fn armed_abort_is_current(&self, generation: u64) -> bool {
        let Some(armed) = self.armed.as_ref().filter(|a| a.generation == generation) else {
            return false;
        };
        self.abort.is_none()
            && self
                .request
                .as_ref()
                .is_some_and(|r| r.command == armed.for_command)
    }

    /// Withdraws the armed abort `generation`, which never went out; returns its RequestID so the
    /// client can give it back.
    pub fn disarm_abort(&mut self, generation: u64) -> Option<RequestId> {
        self.armed
            .take_if(|a| a.generation == generation)
            .map(|a| a.request_id)
    }

    /// The armed abort `generation` was written to its connection at `at` (by the client, from
    /// whatever thread asked for it). From here it is an abort like any other: one at a time, its
    /// answer matched by RequestID, the abort timeout counted from `at`, one [`Event::Finished`].
    /// If its request had ended meanwhile the abort is too late and finishes at once with
    /// [`MapiError::NotAFlowHappening`]; the terminal's refusal is not awaited. `None` for an
    /// unknown generation (already fired or disarmed).
    pub fn armed_abort_fired(
        &mut self,
        generation: u64,
        display: AbortDisplay,
        at: Instant,
    ) -> Option<FiredAbort> {
        let armed = self.armed.take_if(|a| a.generation == generation)?;
        let command = self.new_command();
        let (frame, summary) = match display {
            AbortDisplay::Normal => armed.normal,
            AbortDisplay::Silent => armed.silent,
        };
        log::debug!(
            "conn {} → {summary} (sent from the app's thread)",
            armed.conn.0
        );
        let request_runs = self
            .request
            .as_ref()
            .is_some_and(|r| r.command == armed.for_command);
        if let Some(running) = &self.abort {
            // The client disarms before it starts another abort, so this is a bug, not a race; the
            // terminal's answer to the extra abort shows up as an unmatched response.
            let detail = format!(
                "abort {} was already waiting for the terminal when this one went out",
                running.request_id
            );
            self.fail(
                command,
                CommandKind::Abort,
                MapiError::SecondaryFlowAlreadyHappening,
                Some(armed.request_id),
                false,
                detail,
            );
        } else if !request_runs {
            let detail =
                "the request had already ended when the abort went out; its outcome stands"
                    .to_owned();
            self.fail(
                command,
                CommandKind::Abort,
                MapiError::NotAFlowHappening,
                Some(armed.request_id),
                false,
                detail,
            );
        } else {
            let abort_timeout = self.config.abort_timeout;
            self.abort = Some(AbortFlow {
                command,
                request_id: armed.wire_id,
                via: AbortVia::SameConnection,
                conn: Some(armed.conn),
                frame: frame.clone(),
                summary,
                phase: AbortPhase::AwaitingResponse,
                deadline: Some(deadline(at, abort_timeout)),
            });
        }
        Some(FiredAbort {
            command,
            conn: armed.conn,
            frame,
        })
    }
}
