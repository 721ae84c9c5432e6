//! The app's structure as docs/architecture.md states it: the feature
//! folders depend on each other in one direction (no import cycle), and no
//! function needs scrolling. Read from the source files themselves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest function body, in lines, that the code may have.
const MAX_FUNCTION_LINES: usize = 100;

fn source_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// The app's top-level modules (a folder or a file under src/) and the
/// source of each, without the crate root, the binaries and these tests.
fn features() -> BTreeMap<String, Vec<(PathBuf, String)>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let mut features: BTreeMap<String, Vec<(PathBuf, String)>> = BTreeMap::new();
    for path in files {
        let relative = path.strip_prefix(&src).unwrap();
        let top = relative.components().next().unwrap().as_os_str();
        let top = top.to_str().unwrap().trim_end_matches(".rs").to_string();
        if ["lib", "main", "bin", "tests"].contains(&top.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        features.entry(top).or_default().push((path, text));
    }
    features
}

/// The top-level modules a source text names as `crate::name`, including
/// inside grouped imports (`use crate::{a::X, b::Y}`).
fn named_modules(text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        let group = rest
            .strip_prefix('{')
            .map(|inner| &inner[..inner.find('}').unwrap_or(0)]);
        let paths: Vec<&str> = match group {
            Some(inner) => inner.split(',').collect(),
            None => vec![rest],
        };
        for path in paths {
            let name: String = path
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if known.contains(&name) {
                named.insert(name);
            }
        }
    }
    named
}

/// Every module from which `start` can be reached again, if any.
fn cycle_through(start: &str, edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    let mut stack = vec![vec![start.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        for next in edges.get(last).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_string());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_feature_imports_another_that_imports_it_back() {
    let features = features();
    let known: BTreeSet<String> = features.keys().cloned().collect();
    assert!(
        ["expo", "world", "ui", "remote"]
            .iter()
            .all(|name| known.contains(*name)),
        "the feature folders of docs/architecture.md are missing: {known:?}"
    );
    let edges: BTreeMap<String, BTreeSet<String>> = features
        .iter()
        .map(|(feature, files)| {
            let mut named = BTreeSet::new();
            for (_, text) in files {
                named.extend(named_modules(text, &known));
            }
            named.remove(feature);
            (feature.clone(), named)
        })
        .collect();
    let cycles: Vec<String> = known
        .iter()
        .filter_map(|feature| cycle_through(feature, &edges))
        .map(|cycle| cycle.join(" → "))
        .collect();
    assert!(cycles.is_empty(), "import cycles: {cycles:#?}");
    assert!(
        edges["expo"].is_empty(),
        "expo is the bottom layer but uses {:?}",
        edges["expo"]
    );
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let known: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    let named = named_modules("use crate::{b::X, c::Y};\nlet z = crate::a::f();", &known);
    assert_eq!(named, known);
    let edges = BTreeMap::from([
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["c".to_string()])),
        ("c".to_string(), BTreeSet::from(["a".to_string()])),
    ]);
    assert_eq!(
        cycle_through("a", &edges),
        Some(
            vec!["a", "b", "c", "a"]
                .into_iter()
                .map(String::from)
                .collect()
        )
    );
}

/// Functions longer than [`MAX_FUNCTION_LINES`]: name, file and length.
/// A function runs from its `fn` line to the first line below it that
/// closes at the same indentation.
fn long_functions(path: &Path, text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut long = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let head = ["pub(crate) ", "pub(super) ", "pub "]
            .iter()
            .find_map(|visibility| trimmed.strip_prefix(visibility))
            .unwrap_or(trimmed);
        if !head.starts_with("fn ") || line.trim_end().ends_with(';') {
            continue;
        }
        let closing = " ".repeat(indent) + "}";
        let end = lines[start + 1..]
            .iter()
            .position(|l| l.starts_with(&closing) && !l.starts_with(&(closing.clone() + " else")));
        if let Some(length) = end.map(|end| end + 2)
            && length > MAX_FUNCTION_LINES
        {
            long.push(format!("{} ({}): {length} lines", head, path.display()));
        }
    }
    long
}

#[test]
fn no_function_needs_scrolling() {
    let long: Vec<String> = features()
        .values()
        .flatten()
        .flat_map(|(path, text)| long_functions(path, text))
        .collect();
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines: {long:#?}"
    );
    let example = format!("fn f() {{\n{}}}\n", "    x();\n".repeat(MAX_FUNCTION_LINES));
    assert_eq!(long_functions(Path::new("x.rs"), &example).len(), 1);
}
