//! `Terminal`: how to reach one payment terminal (the Rust twin of the Java `ExternalTerminal`).

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use crate::dialect::{Dialect, SocketMode};
use crate::message::{Amount, WireProfile};
use crate::transport::TransportLimits;

/// Timeouts of one terminal; defaults are CCV's SDK values for the dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting to the terminal.
    pub connect: Duration,
    /// Waiting for the answer to an abort (6 s NL, 5 s DE).
    pub abort: Duration,
    /// Waiting for the answer to any other request (120 s NL, 130 s DE).
    pub request: Duration,
    /// A channel-1 connection the POS had nothing to answer on for this long is closed.
    pub device_connection_idle: Duration,
    /// First wait before automatic recovery asks again after an answer that settled nothing
    /// (doubling up to 16 times this, at most 8 automatic attempts).
    pub recovery_retry: Duration,
    /// How long the app may take to say whether the goods were delivered (DeliveryBox); then
    /// "not delivered" is answered, before the terminal gives up on its own (about 30 s).
    pub delivery_box_answer: Duration,
}

impl Timeouts {
    /// CCV's values for `dialect`.
    pub fn for_dialect(dialect: Dialect) -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            abort: dialect.default_abort_timeout(),
            request: dialect.default_request_timeout(),
            device_connection_idle: Duration::from_secs(60),
            // The public firmware that drives a CCV terminal waits 4 s between attempts.
            recovery_retry: Duration::from_secs(4),
            delivery_box_answer: Duration::from_secs(25),
        }
    }

    /// Every timeout multiplied by `factor` (tests and the CLI's `--timeout-scale`).
    pub fn scaled(self, factor: f64) -> Self {
        let scale = |d: Duration| Duration::from_secs_f64((d.as_secs_f64() * factor).max(0.001));
        Timeouts {
            connect: scale(self.connect),
            abort: scale(self.abort),
            request: scale(self.request),
            device_connection_idle: scale(self.device_connection_idle),
            recovery_retry: scale(self.recovery_retry),
            delivery_box_answer: scale(self.delivery_box_answer),
        }
    }
}

/// One payment terminal and how the POS talks to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Terminal {
    /// The terminal's IP address.
    pub ip_address: String,
    /// Channel 0 port (terminal listens): 4100 NL, 20002 DE.
    pub port: u16,
    /// Channel 1 port (POS listens, "compatibility port"): 4102 NL, 20007 DE; 0 picks a free port.
    pub compatibility_port: u16,
    /// Local address the channel-1 listener binds to.
    pub listen_ip: IpAddr,
    /// OPI-NL or OPI-DE.
    pub dialect: Dialect,
    /// Dual or single socket.
    pub socket_mode: SocketMode,
    /// The POS workstation id.
    pub workstation_id: String,
    /// Language of the terminal's texts (ISO 639-1).
    pub language_code: String,
    /// Sent as ApplicationSender.
    pub application_sender: String,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Highest amount a payment may ask (S1C/S1D); larger ones are refused before sending.
    pub max_amount: Amount,
    /// Where the RequestID counter and the in-flight journal live (Android: the app's `noBackupFilesDir`).
    /// Without it nothing survives a crash: only for tests and demos.
    pub state_dir: Option<PathBuf>,
    /// Ask the terminal for a card token with every payment and card read
    /// (`ExternalTerminal.requestToken`); the token comes back in the result.
    pub request_token: bool,
    /// How much memory a terminal's connections may hold (read queue, write queue, frame time);
    /// the defaults bound it to about 13 MiB whatever the terminal sends.
    pub transport_limits: TransportLimits,
    /// How disputed parts of the requests are spelled (see [`WireProfile`]); the dialect's
    /// public-evidence profile unless the app overrides it.
    pub wire_profile: WireProfile,
    /// The cashier shift sent in POSdata (`ExternalTerminal.shiftNumber`), in the profile's form.
    pub shift_number: Option<u32>,
}

impl Terminal {
    /// A terminal at `ip_address` with CCV's defaults for `dialect` (dual socket for NL, single for DE).
    pub fn new(ip_address: &str, dialect: Dialect) -> Self {
        Terminal {
            ip_address: ip_address.to_owned(),
            port: dialect.default_port(),
            compatibility_port: dialect.default_compatibility_port(),
            listen_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            dialect,
            socket_mode: match dialect {
                Dialect::OpiNl => SocketMode::DualSocket,
                Dialect::OpiDe => SocketMode::SingleSocket,
            },
            workstation_id: "POS1".to_owned(),
            language_code: "en".to_owned(),
            application_sender: "mapi-rs".to_owned(),
            timeouts: Timeouts::for_dialect(dialect),
            max_amount: Amount(default_max_amount()),
            state_dir: None,
            request_token: false,
            transport_limits: TransportLimits::default(),
            wire_profile: match dialect {
                Dialect::OpiNl => WireProfile::OPI_NL,
                Dialect::OpiDe => WireProfile::OPI_DE,
            },
            shift_number: None,
        }
    }

    /// With another wire profile (e.g. `WireProfile::OPI_NL.with_overrides(text)` from a file
    /// `pay conformance` suggested). Applies from the next request.
    pub fn with_wire_profile(mut self, profile: WireProfile) -> Self {
        self.wire_profile = profile;
        self
    }

    /// With a cashier shift number sent in every request's POSdata.
    pub fn with_shift_number(mut self, shift: u32) -> Self {
        self.shift_number = Some(shift);
        self
    }

    /// Sets the channel-0 port.
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets the compatibility (channel-1) port; 0 picks a free one.
    pub fn with_compatibility_port(mut self, port: u16) -> Self {
        self.compatibility_port = port;
        self
    }

    /// Sets the socket mode.
    pub fn with_socket_mode(mut self, mode: SocketMode) -> Self {
        self.socket_mode = mode;
        self
    }

    /// Sets the workstation id.
    pub fn with_workstation_id(mut self, id: &str) -> Self {
        self.workstation_id = id.to_owned();
        self
    }

    /// Sets the language.
    pub fn with_language_code(mut self, code: &str) -> Self {
        self.language_code = code.to_owned();
        self
    }

    /// Sets the timeouts.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Sets the state directory.
    pub fn with_state_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.state_dir = Some(dir.into());
        self
    }

    /// Sets the address the channel-1 listener binds to.
    pub fn with_listen_ip(mut self, ip: IpAddr) -> Self {
        self.listen_ip = ip;
        self
    }

    /// With other transport limits than the defaults (applies when the connection is next built).
    pub fn with_transport_limits(mut self, limits: TransportLimits) -> Self {
        self.transport_limits = limits;
        self
    }

    /// Identity of the session: one session (and one running request) per terminal and workstation.
    pub fn key(&self) -> TerminalKey {
        TerminalKey {
            ip_address: self.ip_address.clone(),
            port: self.port,
            workstation_id: self.workstation_id.clone(),
        }
    }
}

/// The default highest amount: eight digits with cents, what CCV's OPI amount fields carry.
pub(crate) fn default_max_amount() -> rust_decimal::Decimal {
    rust_decimal::Decimal::new(99_999_999, 2)
}

/// What identifies one session in the engine.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TerminalKey {
    /// Terminal IP.
    pub ip_address: String,
    /// Terminal port.
    pub port: u16,
    /// Workstation.
    pub workstation_id: String,
}

impl TerminalKey {
    /// Whether `terminal` has this key, without building its key (no allocation: the abort path
    /// looks its terminal up with this).
    pub fn is_of(&self, terminal: &Terminal) -> bool {
        self.port == terminal.port
            && self.ip_address == terminal.ip_address
            && self.workstation_id == terminal.workstation_id
    }

    /// A file-name-safe form, used for the journal's name.
    pub fn file_stem(&self) -> String {
        format!("{}_{}_{}", self.ip_address, self.port, self.workstation_id)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }
}
