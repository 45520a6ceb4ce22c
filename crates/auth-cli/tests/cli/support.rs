//! Running `authctl` and reading what it printed: the helpers every test uses.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// A fixed 43-character secret (as `keygen` would print).
pub const SECRET: &str = "Q2hhbmdlLW1lLXRoaXMtaXMtYS10ZXN0LXNlY3JldC0";
/// A fixed clock for mint and verify.
pub const NOW: u64 = 1_700_000_000;

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// The stderr error object, checked to be exactly one line of JSON with a
    /// string `error` and `message`.
    pub fn error(&self) -> Value {
        let line = self.stderr.strip_suffix('\n').unwrap_or(&self.stderr);
        assert!(
            !line.is_empty() && !line.contains('\n'),
            "stderr is not one line: {:?}",
            self.stderr
        );
        let v: Value = serde_json::from_str(line).expect("stderr is JSON");
        assert!(v["error"].is_string() && v["message"].is_string(), "{v}");
        v
    }

    pub fn code_str(&self) -> String {
        self.error()["error"].as_str().unwrap().to_string()
    }

    /// Asserts a failure with this exit code and error code, and nothing on stdout.
    pub fn fails(&self, exit: i32, code: &str) {
        assert_eq!(
            self.code, exit,
            "stdout {:?} stderr {:?}",
            self.stdout, self.stderr
        );
        assert_eq!(self.code_str(), code, "stderr {:?}", self.stderr);
        assert_eq!(self.stdout, "", "nothing on stdout on failure");
    }

    /// Asserts success and returns stdout without its final newline.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "stderr {:?}", self.stderr);
        assert_eq!(self.stderr, "");
        self.stdout
            .strip_suffix('\n')
            .expect("output ends with a newline")
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(self.ok()).expect("stdout is JSON")
    }
}

pub struct Run {
    pub cmd: Command,
    pub stdin: Option<Vec<u8>>,
}

/// `authctl ARGS` with no secret in the environment.
pub fn authctl(args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_authctl"));
    cmd.args(args).env_remove("AUTHCTL_SECRET");
    Run { cmd, stdin: None }
}

/// `authctl ARGS` with `AUTHCTL_SECRET=SECRET`.
pub fn with_secret(args: &[&str]) -> Run {
    authctl(args).secret(SECRET)
}

impl Run {
    pub fn secret(mut self, s: &str) -> Self {
        self.cmd.env("AUTHCTL_SECRET", s);
        self
    }

    pub fn stdin(mut self, bytes: &[u8]) -> Self {
        self.stdin = Some(bytes.to_vec());
        self
    }

    pub fn run(mut self) -> Out {
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("authctl runs");
        if let Some(bytes) = self.stdin.take() {
            let mut stdin = child.stdin.take().unwrap();
            // The binary may stop reading early (oversized input): ignore EPIPE.
            let _ = stdin.write_all(&bytes);
        }
        let out = child.wait_with_output().unwrap();
        Out {
            code: out.status.code().expect("exited normally"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }
}

/// A file in a fresh temporary directory, removed on drop.
pub struct TempFile(PathBuf);

impl TempFile {
    pub fn new(bytes: &[u8]) -> TempFile {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "authctl-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, bytes).unwrap();
        TempFile(path)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub fn now_arg(t: u64) -> String {
    format!("--now={t}")
}

/// A user token minted with SECRET at NOW, plus extra mint options.
pub fn mint_user(extra: &[&str]) -> String {
    let now = now_arg(NOW);
    let mut args = vec!["mint", "user", "--id", "123", "--name", "alice", &now];
    args.extend_from_slice(extra);
    with_secret(&args).run().ok().to_string()
}

pub fn verify_at(token: &str, t: u64, extra: &[&str]) -> Out {
    let now = now_arg(t);
    let mut args = vec!["verify", &now];
    args.extend_from_slice(extra);
    args.push(token);
    with_secret(&args).run()
}
