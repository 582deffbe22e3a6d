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

    use mapi::simulator::{Script, SimEvent, Simulator, SimulatorConfig, Stage};
    use mapi::{Dialect, SocketMode};
    use tokio::sync::broadcast::error::RecvError;

    struct Options {
        dialect: Dialect,
        socket_mode: SocketMode,
        host: String,
        port: Option<u16>,
        pos_host: String,
        pos_port: Option<u16>,
        scenario: String,
        ignore_stdin: bool,
    }

    fn usage() -> String {
        let mut text = String::from(
            "usage: terminal_simulator [--dialect nl|de] [--host H] [--port P] [--pos-host H] [--pos-port Q]\n\
             \x20                         [--socket-mode dual|single] [--scenario NAME] [--ignore-stdin]\n\
             \n\
             Ports default to the dialect's (NL 4100/4102, DE 20002/20007); hosts to 127.0.0.1.\n\
             stdin commands: card | complete | scenario NAME | quit\n\
             \n\
             scenarios:\n",
        );
        for (name, description) in Script::names() {
            text.push_str(&format!("  {name:<26} {description}\n"));
        }
        text
    }

    fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
        let mut options = Options {
            dialect: Dialect::OpiNl,
            socket_mode: SocketMode::DualSocket,
            host: "127.0.0.1".to_owned(),
            port: None,
            pos_host: "127.0.0.1".to_owned(),
            pos_port: None,
            scenario: "success".to_owned(),
            ignore_stdin: false,
        };
        while let Some(flag) = args.next() {
            if flag == "--help" || flag == "-h" {
                return Ok(None);
            }
            if flag == "--ignore-stdin" {
                options.ignore_stdin = true;
                continue;
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let port = |text: &str| {
                text.parse::<u16>()
                    .map_err(|_| format!("{flag}: '{text}' is not a port number"))
            };
            match flag.as_str() {
                "--dialect" => {
                    options.dialect = Dialect::from_name(&value)
                        .ok_or_else(|| format!("unknown dialect '{value}' (nl or de)"))?
                }
                "--socket-mode" => {
                    options.socket_mode = SocketMode::from_name(&value)
                        .ok_or_else(|| format!("unknown socket mode '{value}' (dual or single)"))?
                }
                "--host" => options.host = value,
                "--port" => options.port = Some(port(&value)?),
                "--pos-host" => options.pos_host = value,
                "--pos-port" => options.pos_port = Some(port(&value)?),
                "--scenario" => options.scenario = value,
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(Some(options))
    }

    fn resolve(host: &str, port: u16) -> Result<SocketAddr, String> {
        (host, port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut addresses| addresses.next())
            .ok_or_else(|| format!("cannot resolve {host}:{port}"))
    }

    pub fn main() -> ExitCode {
        let options = match parse(std::env::args().skip(1)) {
            Ok(Some(options)) => options,
            Ok(None) => {
                print!("{}", usage());
                return ExitCode::SUCCESS;
            }
            Err(error) => {
                eprintln!("terminal_simulator: {error}\n\n{}", usage());
                return ExitCode::from(2);
            }
        };
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
