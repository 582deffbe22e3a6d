//! A simulated CCV terminal as a standalone process, for POS developers without a terminal and for
//! test harnesses in other languages (the JVM tests start it and read its stdout).
//!
//! ```text
//! cargo run --example terminal_simulator -- --dialect nl --port 4100 --pos-port 4102 \
//!     --socket-mode dual --scenario abort-window
//! ```
//!
//! Prints one line per event on stdout (the first is `listening on ADDRESS`). Reads commands on
//! stdin: `card` and `complete` open the two gates, `scenario NAME` switches the script, `quit`
//! stops. Stops when stdin closes, unless `--ignore-stdin` is given (then it runs until killed).

#[cfg(not(feature = "simulator"))]
fn main() -> std::process::ExitCode {
    eprintln!("terminal_simulator needs the `simulator` cargo feature (on by default)");
    std::process::ExitCode::FAILURE
}

#[cfg(feature = "simulator")]
fn main() -> std::process::ExitCode {
    app::main()
}

/// The program proper, compiled only with the simulator.
#[cfg(feature = "simulator")]
mod app {
    use std::io::BufRead;
    use std::net::{SocketAddr, ToSocketAddrs};
    use std::process::ExitCode;

    use clap::{CommandFactory, FromArgMatches, Parser};
    use mapi::simulator::{Script, SimEvent, Simulator, SimulatorConfig, Stage};
    use mapi::{Dialect, SocketMode};
    use tokio::sync::broadcast::error::RecvError;

    /// A simulated CCV terminal (OPI-NL or OPI-DE) on TCP; prints one line per event.
    #[derive(Parser, Debug)]
    #[command(
        name = "terminal_simulator",
        version,
        // The last of a repeated option wins, as it always has.
        args_override_self = true
    )]
    struct Options {
        /// The OPI dialect.
        #[arg(long, value_name = "nl|de", default_value = "nl", value_parser = dialect)]
        dialect: Dialect,
        /// One connection or two.
        #[arg(long, value_name = "dual|single", default_value = "dual", value_parser = socket_mode)]
        socket_mode: SocketMode,
        /// Where the terminal listens for the POS.
        #[arg(long, value_name = "H", default_value = "127.0.0.1")]
        host: String,
        /// The terminal's port, channel 0 [default: the dialect's, 4100 or 20002].
        #[arg(long, value_name = "P")]
        port: Option<u16>,
        /// The POS the terminal calls back for its device requests.
        #[arg(long, value_name = "H", default_value = "127.0.0.1")]
        pos_host: String,
        /// The POS's compatibility port, channel 1 (pay's --compat-port) [default: the
        /// dialect's, 4102 or 20007].
        #[arg(long, value_name = "Q")]
        pos_port: Option<u16>,
        /// The script the terminal plays (the list is below).
        #[arg(long, value_name = "NAME", default_value = "success")]
        scenario: String,
        /// Keep running when stdin closes (until killed): for running in the background.
        #[arg(long)]
        ignore_stdin: bool,
    }

    fn dialect(name: &str) -> Result<Dialect, String> {
        Dialect::from_name(name).ok_or_else(|| "expected nl or de".to_owned())
    }

    fn socket_mode(name: &str) -> Result<SocketMode, String> {
        SocketMode::from_name(name).ok_or_else(|| "expected dual or single".to_owned())
    }

    /// The part of `--help` clap cannot know: stdin commands and the scenarios of this build.
    fn after_help() -> String {
        let mut text =
            String::from("stdin commands: card | complete | scenario NAME | quit\n\nscenarios:\n");
        for (name, description) in Script::names() {
            text.push_str(&format!("  {name:<26} {description}\n"));
        }
        text
    }

    fn resolve(host: &str, port: u16) -> Result<SocketAddr, String> {
        (host, port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut addresses| addresses.next())
            .ok_or_else(|| format!("cannot resolve {host}:{port}"))
    }

    pub fn main() -> ExitCode {
        let matches = Options::command().after_help(after_help()).get_matches();
        let options = Options::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
        match run(options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("terminal_simulator: {error}");
                ExitCode::FAILURE
            }
        }
    }

    fn run(options: Options) -> Result<(), String> {
        let script = Script::from_name(&options.scenario)
            .ok_or_else(|| format!("unknown scenario '{}' (see --help)", options.scenario))?;
        let mut config = SimulatorConfig::new(options.dialect, options.socket_mode);
        let port = options.port.unwrap_or(options.dialect.default_port());
        config.listen = resolve(&options.host, port)?;
        let pos_port = options
            .pos_port
            .unwrap_or(options.dialect.default_compatibility_port());
        config.pos_address = Some(resolve(&options.pos_host, pos_port)?);
        config.script = script;
        let terminal = Simulator::spawn(config)
            .map_err(|e| format!("cannot listen on {}:{port}: {e}", options.host))?;
        let mut events = terminal.events();
        println!("listening on {}", terminal.address());
        std::thread::spawn(move || loop {
            match events.blocking_recv() {
                Ok(SimEvent::Listening { .. }) => {}
                Ok(event) => println!("{event}"),
                Err(RecvError::Lagged(skipped)) => println!("({skipped} events not shown)"),
                Err(RecvError::Closed) => break,
            }
        });
        if options.ignore_stdin {
            loop {
                std::thread::park();
            }
        }
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            let mut words = line.split_whitespace();
            match (words.next(), words.next()) {
                (Some("card"), _) => terminal.release(Stage::CardPresented),
                (Some("complete"), _) => terminal.release(Stage::Completion),
                (Some("scenario"), Some(name)) => match Script::from_name(name) {
                    Some(script) => {
                        terminal.set_script(script);
                        println!("scenario {name}");
                    }
                    None => println!("unknown scenario '{name}'"),
                },
                (Some("quit"), _) => break,
                (None, _) => {}
                _ => println!("commands: card | complete | scenario NAME | quit"),
            }
        }
        terminal.shutdown();
        Ok(())
    }
}
