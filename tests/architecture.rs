//! The structure of the crate, read from its `use` lines: every source file is a room, every
//! `use` of another file an edge. The rooms must form no circle (a circle means two files that can
//! only be understood together), and the layers only look down: message ← session ← transport ←
//! client ← jni, with the simulator beside the client, reading message and session only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (e.g. `client::driver`) → source file, for every file under src/.
fn modules() -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("src is readable")
            .map(|e| e.expect("an entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let module = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}::{name}")
            };
            if path.is_dir() {
                walk(&path, &module, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let module = match name.as_str() {
                    "lib" => "crate".to_owned(),
                    "mod" => prefix.to_owned(),
                    _ => module,
                };
                out.insert(module, path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "",
        &mut out,
    );
    out
}

/// The modules `source` (the file of `module`) uses, resolved to files that exist.
fn uses(module: &str, source: &str, known: &BTreeMap<String, PathBuf>) -> BTreeSet<String> {
    // `super` names the parent of the module path: for a plain file its directory's module, for
    // a mod.rs the directory's parent (its module path is the directory's).
    let super_of = module
        .rsplit_once("::")
        .map(|(p, _)| p.to_owned())
        .unwrap_or_default();
    let text: String = source
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut paths = Vec::new();
    for piece in text.split("use ").skip(1) {
        let head: String = piece
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let rest = &piece[head.len()..];
        if head.ends_with("::") && rest.starts_with('{') {
            let inner = rest[1..].split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let item: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                if !item.is_empty() {
                    paths.push(format!("{head}{item}"));
                }
            }
        } else {
            paths.push(head);
        }
    }
    let mut found = BTreeSet::new();
    for path in paths {
        let absolute = if let Some(rest) = path.strip_prefix("crate::") {
            rest.to_owned()
        } else if let Some(rest) = path.strip_prefix("super::") {
            if super_of.is_empty() {
                rest.to_owned()
            } else {
                format!("{super_of}::{rest}")
            }
        } else if let Some(rest) = path.strip_prefix("self::") {
            format!("{module}::{rest}")
        } else {
            continue;
        };
        let segments: Vec<&str> = absolute.split("::").filter(|s| !s.is_empty()).collect();
        for end in (1..=segments.len()).rev() {
            let candidate = segments[..end].join("::");
            if known.contains_key(&candidate) {
                if candidate != module {
                    found.insert(candidate);
                }
                break;
            }
        }
    }
    found
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let known = modules();
    known
        .iter()
        .map(|(module, path)| {
            let source = std::fs::read_to_string(path).expect("a source file");
            (module.clone(), uses(module, &source, &known))
        })
        .collect()
}

/// Every circle, as the list of its rooms.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Tarjan's strongly connected components; a component of two or more rooms is a circle.
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a str) {
        state.index.insert(node, state.next);
        state.low.insert(node, state.next);
        state.next += 1;
        state.stack.push(node);
        state.on_stack.insert(node);
        for next in state.graph.get(node).into_iter().flatten() {
            let next = next.as_str();
            if !state.graph.contains_key(next) {
                continue;
            }
            if !state.index.contains_key(next) {
                visit(state, next);
                let low = state.low[node].min(state.low[next]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(next) {
                let low = state.low[node].min(state.index[next]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = Vec::new();
            while let Some(top) = state.stack.pop() {
                state.on_stack.remove(top);
                component.push(top.to_owned());
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                state.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.found
}

#[test]
fn the_house_has_no_circles() {
    let graph = graph();
    assert!(
        graph.len() > 40,
        "too few modules found: {:?}",
        graph.keys()
    );
    assert_eq!(circles(&graph), Vec::<Vec<String>>::new());
}

#[test]
fn the_circle_finder_finds_a_circle() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    graph.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    graph.insert("d".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(circles(&graph), vec![vec!["a", "b", "c"]]);
}

/// The floor of each top-level room; a room may only use rooms on its floor or below.
fn floor(module: &str) -> Option<u8> {
    let top = module.split("::").next()?;
    Some(match top {
        "dialect" | "error" => 0,
        "message" => 1,
        "session" => 2,
        "transport" => 3,
        "simulator" => 4,
        "client" => 4,
        "jni" => 5,
        _ => return None,
    })
}

#[test]
fn layers_only_look_down_and_the_simulator_never_reads_the_client() {
    let mut wrong = Vec::new();
    for (module, used) in graph() {
        let Some(own) = floor(&module) else { continue };
        for target in used {
            let Some(other) = floor(&target) else {
                continue;
            };
            let top = |m: &str| m.split("::").next().unwrap_or("").to_owned();
            let sideways = top(&module) != top(&target) && own == other;
            let transport_from_simulator =
                top(&module) == "simulator" && top(&target) == "transport";
            if other > own || sideways || transport_from_simulator {
                wrong.push(format!("{module} uses {target}"));
            }
        }
    }
    assert_eq!(wrong, Vec::<String>::new());
}
