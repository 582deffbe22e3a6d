//! A sans-IO session plus everything it asked for, with a clock the test moves: shared by the
//! session tests (`#[path]`-included, so each test binary compiles only what it uses).
#![allow(dead_code)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use mapi::message::abort::AbortDisplay;
use mapi::message::abort::AbortVia;
use mapi::message::{
    Amount, CardRequestType, CardServiceRequest, CardServiceResponse, Message, OverallResult,
    TotalAmount,
};
use mapi::session::{
    AbortCommand, Action, CommandId, CommandKind, ConnId, Event, Outcome, Request, Session,
    SessionConfig,
};
use mapi::{Dialect, MapiError};

/// A session plus everything it asked for, with a clock the test moves.
pub struct Harness {
    pub session: Session,
    pub now: Instant,
    pub sent: Vec<(ConnId, Message)>,
    pub connects: Vec<ConnId>,
    pub closes: Vec<ConnId>,
    pub outcomes: HashMap<CommandId, Vec<(CommandKind, Outcome)>>,
    pub others: Vec<Event>,
}

impl Harness {
    pub fn new(dialect: Dialect) -> Self {
        Harness {
            session: Session::new(SessionConfig::new(dialect, "POS1")),
            now: Instant::now(),
            sent: Vec::new(),
            connects: Vec::new(),
            closes: Vec::new(),
            outcomes: HashMap::new(),
            others: Vec::new(),
        }
    }

    pub fn drain(&mut self) {
        while let Some(action) = self.session.poll_action() {
            match action {
                Action::Connect(conn) => self.connects.push(conn),
                Action::Send { conn, bytes, .. } => {
                    let payload = &bytes[4..];
                    let message = Message::parse(payload).expect("session sends valid OPI");
                    self.sent.push((conn, message));
                }
                Action::Close(conn) => self.closes.push(conn),
            }
        }
        while let Some(event) = self.session.poll_event() {
            match event {
                Event::Finished {
                    command,
                    kind,
                    outcome,
                } => self
                    .outcomes
                    .entry(command)
                    .or_default()
                    .push((kind, outcome)),
                other => self.others.push(other),
            }
        }
    }

    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.session.handle_timeout(self.now);
        self.drain();
    }

    pub fn pay(&mut self, id: u64) -> (CommandId, ConnId) {
        let mut request = CardServiceRequest::new(CardRequestType::CardPayment, "POS1", id.into());
        request.total_amount = Some(TotalAmount::new("12.50".parse::<Amount>().unwrap(), "EUR"));
        let command = self.session.start(Request::Card(request), self.now);
        self.drain();
        let conn = *self.connects.last().expect("a payment opens a connection");
        (command, conn)
    }

    pub fn connect(&mut self, conn: ConnId) {
        self.session.handle_connected(conn, self.now);
        self.drain();
    }

    pub fn abort(&mut self, id: u64, via: AbortVia, display: AbortDisplay) -> CommandId {
        let command = self.session.abort(
            AbortCommand {
                request_id: id.into(),
                via,
                display,
                pos_timestamp: None,
            },
            self.now,
        );
        self.drain();
        command
    }

    pub fn receive(&mut self, conn: ConnId, message: &Message) {
        let frame = message.to_frame().unwrap();
        self.session.handle_data(conn, &frame, self.now);
        self.drain();
    }

    pub fn only_outcome(&self, command: CommandId) -> &Outcome {
        let outcomes = self.outcomes.get(&command).expect("command has an outcome");
        assert_eq!(
            outcomes.len(),
            1,
            "exactly one outcome for {command:?}: {outcomes:?}"
        );
        &outcomes[0].1
    }

    pub fn error_of(&self, command: CommandId) -> MapiError {
        match self.only_outcome(command) {
            Err(error) => error.error,
            Ok(response) => panic!("expected an error, got {response:?}"),
        }
    }

    pub fn result_of(&self, command: CommandId) -> OverallResult {
        match self.only_outcome(command) {
            Ok(response) => response.overall_result().clone(),
            Err(error) => panic!("expected a response, got {error:?}"),
        }
    }

    pub fn aborts_on_wire(&self) -> Vec<(ConnId, CardServiceRequest)> {
        self.sent
            .iter()
            .filter_map(|(conn, m)| match m {
                Message::CardServiceRequest(r)
                    if r.request_type == CardRequestType::AbortRequest =>
                {
                    Some((*conn, r.clone()))
                }
                _ => None,
            })
            .collect()
    }
}

pub fn card_response(id: u64, request_type: CardRequestType, result: OverallResult) -> Message {
    let request = CardServiceRequest::new(request_type, "POS1", id.into());
    Message::CardServiceResponse(CardServiceResponse::answering(&request, result))
}
