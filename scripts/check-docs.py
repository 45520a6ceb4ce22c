#!/usr/bin/env python3
"""Runs the code blocks of the documentation, so that a document that drifts fails the tests.

Usage: python3 scripts/check-docs.py [FILE.md ...]   (normally through scripts/check-docs.sh,
which builds `authctl` and the C library and finds the Python environment first)

Which files: every Markdown file in the repository (`git ls-files '*.md'`; without git, every
`*.md` outside `target/`, `.venv/` and hidden directories), or the files given.

Which blocks: fenced blocks (```` ``` ```` or `~~~`), by the first word of their info string:

  sh, bash, shell, console
           run by `bash -euo pipefail` in a fresh temporary directory, with `authctl` on PATH
           (ahead of the Python environment's bin directory), `$ROOT` the repository root,
           `AUTHCTL_SECRET` (and `AUTH_SECRET`, which older examples read) a fresh
           `authctl keygen` value. For `console` blocks only the lines starting with `$ ` run.
           A line whose comment says `exit N` (N > 0, e.g. `authctl verify ... # exit 1`) must
           exit with N; the block fails when it exits otherwise.
  python, py, python3
           run by the Python environment's interpreter (the one with auth_core installed) in a
           fresh temporary directory, with the same environment.
  c        written to app.c and compiled with `cc -std=c11 -Wall -Wextra -Werror -I include`
           against the release library (`-L $TARGET/release -lauth_core`, rpath), then run.
  cpp, c++ the same with `g++ -std=c++17 -Wall -Wextra -Werror` (main.cpp).
  rust     not compiled here: rustdoc does it. The check is that every Markdown file with a
           Rust block is a doc test, i.e. some crate's source includes it with
           `#[doc = include_str!("...path to the file...")]` (see crates/auth-core/src/lib.rs).
  json     parsed (strict JSON); a block that is not JSON fails.
  toml, nginx, cmake, text, sql, lua, ini, yaml, xml, http, diff, and blocks without a
  language are not run.

Markers: an HTML comment on the line just before the opening fence.

  <!-- docs-run: skip: REASON -->   the block is not run; REASON (required) says why and
                                     which suite covers it. A skip without a reason fails.
  <!-- docs-run: after=previous --> run in the same session as the previous block of the
                                     same file (shell or Python: one script, one directory),
                                     for blocks that continue each other.
  <!-- docs-run: setup: COMMAND --> a bash command run in the block's directory before it
                                     (for a file the text says the reader already has).

Output: one line per block (`ok FILE:LINE LANG`, `skip FILE:LINE LANG (reason)`,
`FAIL FILE:LINE LANG` followed by the block's output), then `docs: N passed, M failed`
(skips are neither). Exits 1 when a block fails.

Environment (set by check-docs.sh): DOCS_AUTHCTL (path of authctl), DOCS_PYTHON (the
interpreter for Python blocks), DOCS_LIBDIR (directory of libauth_core.so), DOCS_TIMEOUT
(seconds per block, default 300).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SHELL = {"sh", "bash", "shell", "console"}
PYTHON = {"python", "py", "python3"}
C = {"c"}
CPP = {"cpp", "c++"}
RUST = {"rust"}
JSON = {"json"}
NOT_RUN = {"", "toml", "nginx", "cmake", "text", "txt", "sql", "lua", "ini", "yaml", "yml", "xml", "http", "diff"}

MARKER = re.compile(r"^\s*<!--\s*docs-run:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`\s]*)(.*)$")


@dataclass
class Block:
    path: str  # relative to ROOT
    line: int  # line of the opening fence, 1-based
    lang: str
    code: str
    marker: str = ""
    skip: str | None = None
    after: bool = False
    setup: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line} {self.lang or '(none)'}"


def markdown_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z", "*.md"], cwd=ROOT, capture_output=True, check=True).stdout
        files = [ROOT / p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        files = [
            p
            for p in ROOT.rglob("*.md")
            if not any(part.startswith(".") or part == "target" for part in p.relative_to(ROOT).parts)
        ]
    return sorted(p for p in files if p.is_file())


def parse(path: Path) -> list[Block]:
    rel = path.relative_to(ROOT).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = m.group(1), m.group(2), m.group(3).lower()
        lang = lang.split(",")[0]  # rust,ignore → rust (rustdoc decides the rest)
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not re.match(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[i]):
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1  # the closing fence
        block = Block(rel, start + 1, lang, "\n".join(body) + "\n")
        prev = lines[start - 1] if start > 0 else ""
        mm = MARKER.match(prev)
        if mm:
            block.marker = mm.group(1)
            read_marker(block)
        blocks.append(block)
    return blocks


def read_marker(block: Block) -> None:
    text = block.marker
    if text.startswith("skip"):
        reason = text[len("skip"):].lstrip(":").strip()
        if not reason:
            block.errors.append("a skip marker needs a reason: <!-- docs-run: skip: WHY -->")
        block.skip = reason
    elif re.fullmatch(r"after\s*=\s*previous", text, flags=re.I):
        block.after = True
    elif text.startswith("setup:"):
        block.setup = text[len("setup:"):].strip()
        if not block.setup:
            block.errors.append("an empty setup marker")
    else:
        block.errors.append(f"unknown docs-run marker: {text!r}")


# --- running -----------------------------------------------------------------------------


def environment(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    authctl = os.environ.get("DOCS_AUTHCTL") or shutil.which("authctl")
    if not authctl:
        sys.exit("check-docs: no authctl (set DOCS_AUTHCTL; scripts/check-docs.sh does)")
    bindir = tmp / "bin"
    bindir.mkdir(exist_ok=True)
    link = bindir / "authctl"
    if not link.exists():
        link.symlink_to(Path(authctl).resolve())
    python = os.environ.get("DOCS_PYTHON", sys.executable)
    path = [str(bindir), str(Path(python).parent), env.get("PATH", "")]
    env["PATH"] = os.pathsep.join(path)
    env["ROOT"] = str(ROOT)
    secret = subprocess.run([str(link), "keygen"], capture_output=True, text=True, check=True).stdout.strip()
    env["AUTHCTL_SECRET"] = secret
    env["AUTH_SECRET"] = secret
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str], stdin: str | None = None) -> tuple[bool, str]:
    timeout = int(os.environ.get("DOCS_TIMEOUT", "300"))
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = (e.stderr or b"").decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        return False, f"timed out after {timeout} s\n{out}{err}"
    return p.returncode == 0, (p.stdout + p.stderr if p.returncode else "") + (
        f"(exit {p.returncode})" if p.returncode else ""
    )


EXIT_COMMENT = re.compile(r"^(?P<cmd>.*?\S)\s+#.*\bexit (?P<code>[1-9][0-9]*)\b")


def shell_code(block: Block) -> str:
    """The block's commands; a line whose comment says `exit N` (N > 0) must exit N."""
    lines = block.code.splitlines()
    if block.lang == "console":
        lines = [line[2:] for line in lines if line.startswith("$ ")]
    out = []
    for line in lines:
        m = EXIT_COMMENT.match(line)
        if m:
            code = m.group("code")
            line = (
                f"{{ {m.group('cmd')}\n}} && {{ echo 'exited 0, the comment says exit {code}: {m.group('cmd')}' >&2; "
                f"exit 1; }} || [ $? = {code} ] || {{ echo 'the comment says exit {code}' >&2; exit 1; }}"
            )
        out.append(line)
    return "\n".join(out) + "\n"


def run_group(group: list[Block], env: dict[str, str], tmp: Path) -> list[tuple[Block, bool, str]]:
    """Runs one block, or a chain of blocks joined by `after=previous`, in one directory."""
    lang = group[0].lang
    work = Path(tempfile.mkdtemp(prefix="block-", dir=tmp))
    for b in group:
        if b.setup:
            ok, out = run(["bash", "-euo", "pipefail", "-c", b.setup], work, env)
            if not ok:
                return [(b, False, f"setup failed: {b.setup}\n{out}")] + [(x, False, "not reached") for x in group[1:]]
    if lang in SHELL or lang in PYTHON:
        # One script; a line on fd 3 / a file names the block that is running, so a failure
        # is reported against the right block.
        progress = work / ".docs-run-progress"
        parts = []
        for n, b in enumerate(group):
            if lang in SHELL:
                parts.append(f"echo {n} >> {progress}\n{shell_code(b)}")
            else:
                parts.append(f"open({str(progress)!r}, 'a').write('{n}\\n')\n{b.code}")
        script = "\n".join(parts)
        if lang in SHELL:
            (work / ".docs-run.sh").write_text(script)
            ok, out = run(["bash", "-euo", "pipefail", str(work / ".docs-run.sh")], work, env)
        else:
            (work / ".docs-run.py").write_text(script)
            python = os.environ.get("DOCS_PYTHON", sys.executable)
            ok, out = run([python, str(work / ".docs-run.py")], work, env)
        if ok:
            return [(b, True, "") for b in group]
        reached = len(progress.read_text().split()) if progress.exists() else 1
        failed = max(reached - 1, 0)
        return [
            (b, n < failed, "" if n < failed else (out if n == failed else "not reached"))
            for n, b in enumerate(group)
        ]
    if lang in C or lang in CPP:
        (block,) = group
        libdir = os.environ.get("DOCS_LIBDIR", str(ROOT / "target" / "release"))
        if lang in C:
            src, cc = work / "app.c", [os.environ.get("CC", "cc"), "-std=c11"]
        else:
            src, cc = work / "main.cpp", [os.environ.get("CXX", "g++"), "-std=c++17"]
        src.write_text(block.code)
        flags = ["-Wall", "-Wextra", "-Werror", f"-I{ROOT / 'include'}", str(src), f"-L{libdir}", "-lauth_core"]
        flags += [f"-Wl,-rpath,{libdir}", "-o", str(work / "app")]
        ok, out = run(cc + flags, work, env)
        if not ok:
            return [(block, False, "compile: " + " ".join(cc + flags) + "\n" + out)]
        ok, out = run([str(work / "app")], work, env)
        return [(block, ok, out)]
    raise AssertionError(lang)


def rust_included(path: Path) -> bool:
    """True when some crate source includes `path` as doc text (a doc test)."""
    for rs in (ROOT / "crates").rglob("*.rs"):
        text = rs.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r'#\[doc\s*=\s*include_str!\(\s*"([^"]+)"\s*\)\s*\]', text):
            if (rs.parent / m.group(1)).resolve() == path.resolve():
                return True
    return False


def main(argv: list[str]) -> int:
    files = [Path(a).resolve() for a in argv] if argv else markdown_files()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="check-docs-") as tmpname:
        tmp = Path(tmpname)
        env = environment(tmp)

        def report(block: Block, ok: bool, out: str) -> None:
            nonlocal passed, failed
            if ok:
                passed += 1
                print(f"ok {block.where}", flush=True)
            else:
                failed += 1
                print(f"FAIL {block.where}", flush=True)
                for line in out.rstrip().splitlines()[-40:]:
                    print(f"    {line}")

        for path in files:
            blocks = parse(path)
            included = None
            groups: dict[int, list[Block]] = {}  # first block's line → the chain
            chain: list[Block] | None = None
            for b in blocks:
                if b.errors or b.skip is not None or not (b.lang in SHELL | PYTHON | C | CPP):
                    continue
                if b.after:
                    if chain is None or (chain[0].lang in SHELL) != (b.lang in SHELL) or chain[0].lang in C | CPP:
                        b.errors.append("after=previous: no previous shell or Python block to continue")
                        continue
                    chain.append(b)
                else:
                    chain = [b]
                    groups[b.line] = chain
            results: dict[int, tuple[bool, str]] = {}
            for b in blocks:
                if b.errors:
                    report(b, False, "\n".join(b.errors))
                elif b.skip is not None:
                    print(f"skip {b.where} ({b.skip})", flush=True)
                elif b.lang in SHELL | PYTHON | C | CPP:
                    if b.line in groups:
                        for block, ok, out in run_group(groups[b.line], env, tmp):
                            results[block.line] = (ok, out)
                    report(b, *results[b.line])
                elif b.lang in RUST:
                    if included is None:
                        included = rust_included(path)
                    why = (
                        f"{b.path} has Rust blocks but no crate includes it as a doc test "
                        f'(#[cfg(doctest)] #[doc = include_str!(".../{b.path}")])'
                    )
                    report(b, included, "" if included else why)
                elif b.lang in JSON:
                    try:
                        json.loads(b.code)
                        report(b, True, "")
                    except ValueError as e:
                        report(b, False, f"not JSON: {e}")
                elif b.lang not in NOT_RUN:
                    report(b, False, f"unknown block language {b.lang!r}: add it to scripts/check-docs.py")
    print(f"docs: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
