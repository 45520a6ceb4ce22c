//! The README as a reader uses it: the Rust quick start pasted into a new Cargo project
//! builds and runs, the `authctl` install line names this package, and the `authctl`
//! examples exit as their comments say.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).expect("README.md")
}

/// The text of `## title` up to the next `## ` heading.
fn section<'a>(text: &'a str, title: &str) -> &'a str {
    let start = text
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("no section {title:?}"));
    let rest = &text[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

/// The fenced code blocks of `text` whose info string is `lang`, in order.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_end() == format!("```{lang}") => current = Some(String::new()),
            Some(_) if line.trim_end() == "```" => out.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    out
}

/// The quick start's `Cargo.toml` and `src/main.rs`, written as given into a fresh
/// project (only the dependency's path changed to this checkout), build offline against
/// the workspace's lock file and run successfully.
#[test]
fn rust_quick_start_builds_and_runs_as_pasted() {
    let text = readme();
    let quick = section(&text, "Rust quick start");
    let (toml, rust) = match (&blocks(quick, "toml")[..], &blocks(quick, "rust")[..]) {
        ([toml], [rust]) => (toml.clone(), rust.clone()),
        other => panic!("expected one toml and one rust block, got {other:?}"),
    };
    assert!(rust.contains("fn main()"), "a complete program: {rust}");
    let dependency = r#"auth-core = { path = "../auth-core/crates/auth-core" }"#;
    assert!(toml.contains(dependency), "{toml}");
    let core = repo().join("crates/auth-core").canonicalize().unwrap();
    let toml = toml.replace(
        dependency,
        &format!("auth-core = {{ path = {:?} }}", core.to_str().unwrap()),
    );

    // A project of its own (its own workspace root); the workspace's Cargo.lock pins the
    // same dependency versions, and building into this test's own target directory
    // (free while tests run) reuses the dependencies already compiled there: seconds,
    // not minutes, and no network (`--offline`).
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-quick-start");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), format!("{toml}\n[workspace]\n")).unwrap();
    std::fs::write(dir.join("src/main.rs"), &rust).unwrap();
    std::fs::copy(repo().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["run", "--quiet", "--offline", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap(),
        )
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the quick start does not build or run:\n{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with(r#"verified: {"type":"reseller","id":1,"name":"reseller_name""#),
        "{stdout}"
    );
}

/// `cargo install --path crates/auth-cli --locked` is in the README, and that path is
/// the package whose binary is `authctl`.
#[test]
fn readme_install_line_names_the_authctl_package() {
    let text = readme();
    let line = "cargo install --path crates/auth-cli --locked";
    assert!(section(&text, "`authctl`").contains(line));
    let manifest = std::fs::read_to_string(repo().join("crates/auth-cli/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"authctl\""), "{manifest}");
    assert_eq!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .canonicalize()
            .unwrap(),
        repo().join("crates/auth-cli").canonicalize().unwrap()
    );
}

/// The `authctl` example lines, run in order in one shell with this build's `authctl`
/// first on `PATH`: each exits as its comment says (`exit N`, otherwise 0).
#[test]
fn readme_authctl_examples_exit_as_commented() {
    let text = readme();
    let examples = blocks(section(&text, "`authctl`"), "sh");
    let example = examples
        .iter()
        .find(|b| b.contains("authctl verify"))
        .expect("an example block");
    let mut script = String::from("set +e\n");
    let mut expected = Vec::new();
    for line in example.lines().filter(|l| !l.trim().is_empty()) {
        let exit = line
            .split_once('#')
            .and_then(|(_, comment)| comment.split_once("exit "))
            .and_then(|(_, rest)| rest[..1].parse::<i32>().ok())
            .unwrap_or(0);
        expected.push((line.to_string(), exit));
        script.push_str(&format!("{line} >/dev/null 2>&1\necho \"rc=$?\"\n"));
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_authctl")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .env("PATH", path)
        .env_remove("AUTHCTL_SECRET")
        .output()
        .expect("bash runs");
    let codes: Vec<i32> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("rc=")?.parse().ok())
        .collect();
    assert_eq!(codes.len(), expected.len(), "{out:?}");
    for ((line, want), got) in expected.iter().zip(codes) {
        assert_eq!(got, *want, "{line}");
    }
}
