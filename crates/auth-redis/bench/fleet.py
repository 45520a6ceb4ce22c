"""The fleet benchmark (docs/revocation.md, PERFORMANCE.md): a Redis primary with a replica on
loopback, 8 verifying processes (3 Python, 3 C, 2 Rust) verifying without pause, and 2 writer
processes writing N revocations (default 1,000,000) with `WAIT 1`. Reports propagation (probe
revocations: the writer's acknowledgement until each verifier first rejects the probe),
revoked tokens accepted after acknowledgement + max_staleness, valid tokens refused, memory per
entry per process, the catch-up of a process starting against the N revocations, and the verify
cost with the store against without.

Run by crates/auth-redis/bench/fleet.sh (which builds the C and Rust verifiers and starts the
servers); bounded in time (each verifier stops at --seconds).

  python fleet.py --url redis://127.0.0.1:P --c-bin PATH --rust-bin PATH [--n N] [--seconds S]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time

import auth_core

SECRET = "a secret of at least 32 bytes, for the fleet tests"
PREFIX = "fleet:"
PROBES = 200
MAX_STALENESS = 2.0


def writer(url: str, wid: int, count: int, probes: list[str], out: str) -> None:
    """A writer process: `count` revocations, the probes spread evenly among them."""
    store = auth_core.RedisRevocationStore(url, key_prefix=PREFIX, min_replicas=1, start_timeout=600)
    every = max(1, count // max(1, len(probes)))
    acks, errors, start = {}, 0, time.time()
    exp = int(time.time()) + 3600
    p = 0
    for i in range(count):
        if p < len(probes) and i % every == 0:
            jti = probes[p]
            try:
                store.revoke(jti, exp)
                acks[jti] = time.time()
            except auth_core.AuthError:
                errors += 1
            p += 1
            continue
        try:
            store.revoke(f"w{wid}-{i}", exp)
        except auth_core.AuthError:
            errors += 1
    with open(out, "w") as f:
        json.dump({"acks": acks, "count": count, "seconds": time.time() - start, "errors": errors}, f)


def py_verifier(url: str, file: str, seconds: float) -> None:
    """A Python verifier process (prints "ready", then one JSON line)."""
    lines = open(file).read().split("\n")
    valid, probes = lines[0], [p for p in lines[1:] if p]
    store = auth_core.RedisRevocationStore(url, key_prefix=PREFIX, start_timeout=600)
    v = auth_core.Verifier(auth_core.KeyRing.single("k", SECRET.encode()), revocation=store)
    print("ready", flush=True)
    deadline = time.monotonic() + seconds
    verified = refused = unavailable = 0
    seen: dict[str, float] = {}
    i = 0
    while len(seen) < len(probes) and time.monotonic() < deadline:
        try:
            v.verify(valid)
            verified += 1
        except auth_core.RevocationUnavailable:
            unavailable += 1
        except auth_core.AuthError:
            refused += 1
        if str(i) not in seen:
            try:
                v.verify(probes[i])
            except auth_core.TokenRevoked:
                seen[str(i)] = time.time()
            except auth_core.AuthError:
                pass
        i = (i + 1) % len(probes)
    stopped = time.time()
    st = store.status()
    print(json.dumps({"lang": "python", "verified": verified, "valid_refused": refused, "unavailable": unavailable,
                      "detected": seen, "stopped": stopped, "entries": st["entries"],
                      "memory_bytes": st.get("memory_bytes", 0)}))


def pct(xs: list[float], p: float) -> float:
    return sorted(xs)[round((len(xs) - 1) * p)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--c-bin", required=True)
    ap.add_argument("--rust-bin", required=True)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=900)
    ap.add_argument("--role")
    ap.add_argument("--args", nargs="*")
    a = ap.parse_args()
    if a.role == "writer":
        wid, count, probes_file, out = a.args
        writer(a.url, int(wid), int(count), open(probes_file).read().split(), out)
        return
    if a.role == "verifier":
        py_verifier(a.url, a.args[0], float(a.args[1]))
        return

    tmp = tempfile.mkdtemp()
    issuer = auth_core.Issuer(auth_core.KeyRing.single("k", SECRET.encode()))
    valid = issuer.mint_user(1, "valid", ttl=86400, token_id="fleet-valid").token
    probe_ids = [f"probe-{i}" for i in range(PROBES)]
    probe_tokens = [issuer.mint_user(2, "probe", ttl=86400, token_id=j).token for j in probe_ids]
    tokens = f"{tmp}/tokens.txt"
    open(tokens, "w").write("\n".join([valid, *probe_tokens]) + "\n")
    me = [sys.executable, __file__, "--url", a.url, "--c-bin", a.c_bin, "--rust-bin", a.rust_bin]
    cmds = (
        [("python", [*me, "--role", "verifier", "--args", tokens, str(a.seconds)])] * 3
        + [("c", [a.c_bin, "fleet", a.url, PREFIX, tokens, str(a.seconds)])] * 3
        + [("rust", [a.rust_bin, a.url, PREFIX, SECRET, tokens, str(a.seconds)])] * 2
    )
    verifiers = [(lang, subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)) for lang, cmd in cmds]
    for _, p in verifiers:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    half = [probe_ids[0::2], probe_ids[1::2]]
    writers = []
    start = time.time()
    for w in range(2):
        pf, out = f"{tmp}/probes-{w}.txt", f"{tmp}/writer-{w}.json"
        open(pf, "w").write("\n".join(half[w]))
        writers.append((out, subprocess.Popen([*me, "--role", "writer", "--args", str(w), str(a.n // 2), pf, out])))
    for _, p in writers:
        p.wait()
    write_seconds = time.time() - start
    acks: dict[str, float] = {}
    werrors = 0
    for out, _ in writers:
        r = json.load(open(out))
        acks.update(r["acks"])
        werrors += r["errors"]
    reports = []
    for lang, p in verifiers:
        out, _ = p.communicate()
        reports.append(json.loads(out.strip().splitlines()[-1]))

    lat, late, missing = [], 0, 0
    for r in reports:
        for i, jti in enumerate(probe_ids):
            if jti not in acks:
                continue
            t = r["detected"].get(str(i))
            if t is None:
                # Acknowledged while this verifier still ran (and long enough before it stopped
                # for it to have had to see it): a revoked token it went on accepting.
                if acks[jti] + MAX_STALENESS < r["stopped"]:
                    missing += 1
                continue
            d = max(0.0, t - acks[jti])
            lat.append(d)
            if d > MAX_STALENESS:
                late += 1
    verified = sum(r["verified"] for r in reports)
    refused = sum(r["valid_refused"] for r in reports)
    per_entry = [r["memory_bytes"] / r["entries"] for r in reports if r["entries"]]

    # Catch-up of a new process against everything written.
    t0 = time.monotonic()
    fresh = auth_core.RedisRevocationStore(a.url, key_prefix=PREFIX, start_timeout=600)
    catch_up = time.monotonic() - t0
    entries = fresh.status()["entries"]

    # Verify with the store against without, in one process, interleaved.
    ring = auth_core.KeyRing.single("k", SECRET.encode())
    with_store = auth_core.Verifier(ring, revocation=fresh)
    without = auth_core.Verifier(ring)
    rounds = []
    for _ in range(5):
        times = []
        for v in (with_store, without):
            t = time.perf_counter()
            for _ in range(20_000):
                v.verify(valid)
            times.append(time.perf_counter() - t)
        rounds.append(times[0] / times[1])

    result = {
        "revocations": a.n, "write_seconds": round(write_seconds, 1),
        "write_rate": round(a.n / write_seconds), "write_errors": werrors,
        "verifiers": [f"{r['lang']}: {r['verified']} verified" for r in reports],
        "verifications_total": verified, "valid_refused": refused,
        "probes_acknowledged": len(acks), "detections": len(lat),
        "propagation_ms": {"p50": round(1000 * pct(lat, 0.5), 2), "p99": round(1000 * pct(lat, 0.99), 2),
                           "max": round(1000 * max(lat), 2)} if lat else None,
        "revoked_accepted_after_ack_plus_max_staleness": late + missing,
        "memory_bytes_per_entry": [round(x, 1) for x in per_entry],
        "catch_up": {"entries": entries, "seconds": round(catch_up, 2), "per_second": round(entries / catch_up)},
        "verify_with_store_over_without_median": round(statistics.median(rounds), 3),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
