//! The abort command: one abort at a time, sent on the running request's connection or a new
//! one, and only after the request itself has left.

use std::time::Instant;

use super::types::deadline;
use super::{AbortCommand, AbortFlow, AbortPhase, AbortVia, CommandId, CommandKind, Session};
use crate::error::MapiError;
use crate::message::abort::abort_request;
use crate::message::Message;

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
        let message = Message::CardServiceRequest(abort_request(
            &self.config.workstation_id,
            abort.request_id.clone(),
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
            request_id: abort.request_id,
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
