//! Writes the session target's seed inputs (flows spelled in its op format) into a directory:
//! `cargo run --example write_seeds -- fuzz/corpus/session`.

fn main() {
    let directory = std::env::args()
        .nth(1)
        .expect("usage: write_seeds <corpus directory>");
    std::fs::create_dir_all(&directory).expect("corpus directory");
    for (index, seed) in mapi_fuzz::checks::session_seeds().iter().enumerate() {
        let path = std::path::Path::new(&directory).join(format!("seed-{index}"));
        std::fs::write(&path, seed).expect("seed written");
    }
}
