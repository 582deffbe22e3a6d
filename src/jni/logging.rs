//! Logging for the native library: logcat on Android, stderr elsewhere (the host JVM tests).

/// Installs the logger once; later calls do nothing.
#[cfg(target_os = "android")]
pub fn init() {
    android_logger::init_once(
        android_logger::Config::default()
            .with_tag("mapi")
            .with_max_level(log::LevelFilter::Info),
    );
}

/// Installs the logger once; later calls do nothing. `MAPI_LOG=debug` (or trace, info, warn,
/// error, off) sets the level; the default is warn.
#[cfg(not(target_os = "android"))]
pub fn init() {
    static LOGGER: StderrLogger = StderrLogger;
    let level = std::env::var("MAPI_LOG")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(log::LevelFilter::Warn);
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}

#[cfg(not(target_os = "android"))]
struct StderrLogger;

#[cfg(not(target_os = "android"))]
impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!(
                "mapi {} {}: {}",
                record.level(),
                record.target(),
                record.args()
            );
        }
    }

    fn flush(&self) {}
}
