//! Deadlines: connecting, the request's answer, the abort's answer. Time only enters as `now`.

use std::time::Instant;

use super::{AbortPhase, CommandKind, Session};
use crate::error::MapiError;

impl Session {
    /// Call when `now` reaches [`Session::poll_timeout`] (calling early or late is harmless).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.request.as_ref().is_some_and(|r| r.deadline <= now) {
            if let Some(flow) = self.request.take() {
                let sent = flow.unsent.is_none();
                let (error, detail) = if !sent {
                    (
                        MapiError::FailedToConnectToTerminal,
                        format!(
                            "no connection to the terminal within {:?}",
                            self.config.connect_timeout
                        ),
                    )
                } else if flow.saw_unknown_message {
                    (
                        MapiError::ReceivedUnknownMessageFromTerminal,
                        "the terminal answered with a message that could not be understood"
                            .to_owned(),
                    )
                } else {
                    (
                        MapiError::ResponseTimeout,
                        format!(
                            "no answer from the terminal within {:?}",
                            self.config.request_timeout
                        ),
                    )
                };
                self.fail(
                    flow.command,
                    CommandKind::Request,
                    error,
                    Some(flow.request_id.clone()),
                    sent,
                    detail,
                );
                self.close(flow.conn);
                if let Some(abort) = self.abort.take_if(|a| {
                    a.phase == AbortPhase::WaitingForRequest || a.conn == Some(flow.conn)
                }) {
                    let detail = "the request ended without an answer to the abort".to_owned();
                    self.fail(
                        abort.command,
                        CommandKind::Abort,
                        error,
                        Some(abort.request_id),
                        false,
                        detail,
                    );
                }
            }
        }
        if self
            .abort
            .as_ref()
            .is_some_and(|a| a.deadline.is_some_and(|d| d <= now))
        {
            if let Some(abort) = self.abort.take() {
                let (error, detail) = if abort.phase == AbortPhase::Connecting {
                    (
                        MapiError::FailedToConnectToTerminal,
                        format!(
                            "no connection for the abort within {:?}",
                            self.config.connect_timeout
                        ),
                    )
                } else {
                    (
                        MapiError::ResponseTimeout,
                        format!(
                            "no answer to the abort within {:?}",
                            self.config.abort_timeout
                        ),
                    )
                };
                self.fail(
                    abort.command,
                    CommandKind::Abort,
                    error,
                    Some(abort.request_id.clone()),
                    false,
                    detail,
                );
                self.release_abort_connection(&abort);
            }
        }
    }

    /// The earliest moment `handle_timeout` has something to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let request = self.request.as_ref().map(|r| r.deadline);
        let abort = self.abort.as_ref().and_then(|a| a.deadline);
        match (request, abort) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
