#!/usr/bin/env python3
"""Load client of crates/auth-server/bench/load.sh (read its header first).

N threads, each for a bounded time and a bounded number of rounds, against two `authctl serve`
processes sharing one Redis and one database. One round of a thread:

  login (POST /a/session.json; 429 is retried after Retry-After, counted apart)
  -> create a named token (POST /token, "ttl": TTL)
  -> VERIFIES requests with the named and the login token, GET /a/auth and /a/some-endpoint,
     alternating between the two processes
  -> log the named token out (DELETE /a/session.json) on one process; its 200 is the
     acknowledged write
  -> the revoked token, on the process that wrote: must be 401 token_revoked at once (the
     write applies locally before Redis is asked); on the other process: polled until it is
     401, the time from the acknowledgement recorded; an acceptance later than
     acknowledgement + BOUND is a violation
  -> re-check two earlier revoked tokens older than BOUND, on either process: 401 token_revoked.

Every valid request must succeed: any other answer (429 aside) or a transport error is a
wrong refusal, logged with its status and code. Only 127.0.0.1 is ever contacted.
A login answered 429 with Retry-After: 1 found every password-check slot taken (the
service's bound on Argon2 checks at once, one per CPU by default; docs/server.md): it is
retried after a pause and counted apart. Any other 429 comes from the failed-login limiter,
which must not fire here. Exit 1 on any violation, wrong refusal (a login given up after
--login-retries answers 429 included), 429 of the failed-login limiter, or RSS that keeps
growing; 0 otherwise.
"""

import argparse
import collections
import http.client
import json
import random
import sys
import threading
import time

HOST = "127.0.0.1"  # the only host this client talks to


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, action="append", required=True,
                   help="a service port on 127.0.0.1 (give exactly two)")
    p.add_argument("--account", action="append", required=True,
                   help="login:password of a load account (two per thread are used in turn)")
    p.add_argument("--pid", action="append", default=[],
                   help="name=PID of a process whose VmRSS is sampled every second")
    p.add_argument("--threads", type=int, default=32)
    p.add_argument("--duration", type=float, default=120.0)
    p.add_argument("--max-rounds", type=int, default=100_000, help="per thread")
    p.add_argument("--verifies", type=int, default=16, help="verifications per round")
    p.add_argument("--ttl", type=int, default=60, help="TTL of the named tokens (s)")
    p.add_argument("--quota", type=int, default=100, help="the service's --max-named-tokens")
    p.add_argument("--bound", type=float, default=2.0,
                   help="documented staleness bound (s): the Redis store's max_staleness")
    p.add_argument("--login-retries", type=int, default=50)
    p.add_argument("--json", help="also write the raw summary here")
    a = p.parse_args()
    if len(a.port) != 2:
        p.error("give --port twice")
    return a


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = collections.Counter()       # (kind, status, code) -> n
        self.latency = collections.defaultdict(list)  # kind -> seconds
        self.refusals = collections.Counter()     # (kind, status, code) of wrongly refused requests
        self.refusal_examples = []
        self.violations = collections.Counter()
        self.violation_examples = []
        # Retry-After -> n. "1" is the bound on password checks running at once (every check
        # slot taken: load shedding, docs/server.md); more is the failed-login limiter.
        self.login_429 = collections.Counter()
        self.login_total = []                     # seconds, first attempt -> 200, retries included
        self.propagation = []                     # seconds, ack -> other process rejects
        self.accepted_within_bound = 0
        self.quota_waits = 0
        self.rounds = 0

    def add(self, kind, status, code, secs):
        if status == 429:
            kind += " (429)"
        with self.lock:
            self.counts[(kind, status, code)] += 1
            self.latency[kind].append(secs)

    def refused(self, kind, status, code, detail):
        with self.lock:
            self.refusals[(kind, status, code)] += 1
            if len(self.refusal_examples) < 20:
                self.refusal_examples.append(f"{time.strftime('%H:%M:%S')} {kind} {status} {code} {detail}")

    def violation(self, what, detail):
        with self.lock:
            self.violations[what] += 1
            if len(self.violation_examples) < 20:
                self.violation_examples.append(f"{time.strftime('%H:%M:%S')} {what}: {detail}")


class Client:
    """One keep-alive connection per service process."""

    def __init__(self, ports, stats):
        self.ports = ports
        self.stats = stats
        self.conns = [None] * len(ports)

    def request(self, kind, server, method, path, token=None, body=None):
        """(status, code, headers, body); status 0 is a transport error (also counted)."""
        headers = {}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        try:
            if self.conns[server] is None:
                self.conns[server] = http.client.HTTPConnection(HOST, self.ports[server], timeout=30)
            c = self.conns[server]
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
            status, rh = r.status, r.headers
        except (OSError, http.client.HTTPException) as e:
            if self.conns[server] is not None:
                self.conns[server].close()
            self.conns[server] = None
            self.stats.add(kind, 0, type(e).__name__, time.perf_counter() - t0)
            return 0, type(e).__name__, {}, b""
        code = error_code(data)
        self.stats.add(kind, status, code, time.perf_counter() - t0)
        return status, code, rh, data

    def close(self):
        for c in self.conns:
            if c is not None:
                c.close()


def error_code(data):
    """The error code of a login-API or token-API error body, else None."""
    if not data:
        return None
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    if isinstance(doc, dict):
        e = doc.get("error")
        if isinstance(e, dict):
            return e.get("code")
        if isinstance(e, str) and doc.get("status") == 0:
            return e
    return None


VERIFY_OK = {"/a/auth": 204, "/a/some-endpoint": 200}


def worker(tid, args, accounts, stats, revoked, revoked_lock, deadline):
    cl = Client(args.port, stats)
    rng = random.Random(tid)
    mine = [accounts[(2 * tid) % len(accounts)], accounts[(2 * tid + 1) % len(accounts)]]
    created = {a[0]: collections.deque() for a in mine}  # token creation times per account
    rounds = 0
    try:
        while time.monotonic() < deadline and rounds < args.max_rounds:
            login, password = mine[rounds % 2]
            one = (rounds + tid) % 2  # the process this round logs in and logs out on
            other = 1 - one
            # Stay under the quota: named tokens count until they expire (plus a margin of 2 s).
            q = created[login]
            while q and q[0] < time.monotonic() - args.ttl - 2:
                q.popleft()
            if len(q) >= args.quota - 5:
                with stats.lock:
                    stats.quota_waits += 1
                time.sleep(max(0.0, min(q[0] + args.ttl + 2 - time.monotonic(), deadline - time.monotonic())))
                continue

            # Login (429 retried after Retry-After, bounded).
            login_token = None
            cut_off = False
            t_login = time.perf_counter()
            for _ in range(args.login_retries):
                st, code, h, data = cl.request("login", one, "POST", "/a/session.json",
                                               body={"login": login, "password": password})
                if st == 200:
                    login_token = json.loads(data)["token"]
                    with stats.lock:
                        stats.login_total.append(time.perf_counter() - t_login)
                    break
                if st == 429:
                    ra = h.get("Retry-After", "?")
                    with stats.lock:
                        stats.login_429[ra] += 1
                    time.sleep(min(float(ra) if ra.isdigit() else 1.0, 5.0) * rng.uniform(0.5, 1.0))
                    if time.monotonic() >= deadline:
                        cut_off = True  # the run ended while waiting: not a refusal
                        break
                    continue
                stats.refused("login", st, code, f"account {login} on process {one}")
                break
            if login_token is None:
                if st == 429 and not cut_off:
                    stats.refused("login", st, code, f"account {login}: gave up after {args.login_retries} answers 429")
                rounds += 1
                continue

            # A named token.
            st, code, h, data = cl.request("create", one, "POST", "/token", token=login_token,
                                           body={"token": {"name": f"load {tid}-{rounds}", "ttl": args.ttl}})
            if st != 200:
                stats.refused("create", st, code, f"account {login} on process {one}")
                rounds += 1
                continue
            created_at = time.monotonic()
            q.append(created_at)
            named = json.loads(data)["token"]

            # Verifications: token x route x process.
            for i in range(args.verifies):
                tok = (named, login_token)[i % 2]
                path = ("/a/auth", "/a/some-endpoint")[(i // 2) % 2]
                srv = (i // 4 + tid) % 2
                kind = "verify " + path
                st, code, h, data = cl.request(kind, srv, "GET", path, token=tok)
                if st != VERIFY_OK[path]:
                    which = "named" if i % 2 == 0 else "login"
                    stats.refused(kind, st, code, f"{which} token of {login} on process {srv}")

            # Logout of the named token: the acknowledged write.
            st, code, h, data = cl.request("logout", one, "DELETE", "/a/session.json", token=named)
            if st != 200:
                stats.refused("logout", st, code, f"named token of {login} on process {one}")
                rounds += 1
                continue
            ack = time.monotonic()

            # The writing process rejects it at once.
            for path in ("/a/some-endpoint", "/a/auth"):
                st, code, h, data = cl.request("revoked, same process", one, "GET", path, token=named)
                if st != 401 or (path == "/a/some-endpoint" and code != "token_revoked"):
                    stats.violation("writer did not reject after ack",
                                    f"{path} on process {one}: {st} {code}, {time.monotonic() - ack:.4f} s after ack")

            # The other process: polled until it rejects.
            seen = None
            while True:
                sent = time.monotonic()
                st, code, h, data = cl.request("revoked, other process", other, "GET", "/a/some-endpoint", token=named)
                if st == 401 and code == "token_revoked":
                    seen = time.monotonic() - ack
                    break
                if st == 200:
                    if sent - ack > args.bound:
                        stats.violation("revoked token accepted after ack + bound",
                                        f"process {other}, {sent - ack:.4f} s after ack")
                    else:
                        with stats.lock:
                            stats.accepted_within_bound += 1
                else:
                    stats.violation("other process: neither accepted nor token_revoked",
                                    f"process {other}: {st} {code}, {sent - ack:.4f} s after ack")
                if sent - ack > args.bound + 1.0:
                    break
                time.sleep(0.002)
            if seen is not None:
                with stats.lock:
                    stats.propagation.append(seen)
                st, code, h, data = cl.request("revoked, other process", other, "GET", "/a/auth", token=named)
                if st != 401:
                    stats.violation("other process accepted after rejecting", f"/a/auth {st}")

            # Earlier revocations, older than the bound and 5 s away from expiring (an expired
            # token is token_expired, checked before revocation), on either process.
            with revoked_lock:
                now = time.monotonic()
                old = [t for (t, at, made) in rng.sample(list(revoked), min(8, len(revoked)))
                       if now - at > args.bound and now - made < args.ttl - 5][:2]
                revoked.append((named, ack, created_at))
            for t in old:
                srv = rng.randrange(2)
                st, code, h, data = cl.request("revoked, later", srv, "GET", "/a/some-endpoint", token=t)
                if st != 401 or code != "token_revoked":
                    stats.violation("earlier revoked token not token_revoked",
                                    f"process {srv}: {st} {code}")
            rounds += 1
            with stats.lock:
                stats.rounds += 1
    finally:
        cl.close()


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def sampler(pids, series, stop):
    while not stop.wait(1.0):
        for name, pid in pids:
            v = rss_kib(pid)
            if v is not None:
                series[name].append((time.monotonic(), v))


def pct(xs, p):
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


def rss_verdict(points):
    """Whether RSS keeps growing, from at least 60 one-second samples (the first logins'
    allocations take seconds to settle): it does when the lowest sample of the last quarter is
    more than 5 MiB above the highest of the second quarter, i.e. the process never came back
    to an earlier level. Peaks alone are noise here: each password check running holds its
    Argon2 memory (19 MiB) for a moment. The least-squares slope over the second half, in MiB
    per minute, is reported beside it."""
    v = [kib for _, kib in points]
    n = len(v)
    if n < 60:
        return "run too short to tell (under 60 samples)", 0.0
    half = points[n // 2:]
    ts = [t for t, _ in half]
    ys = [k / 1024 for _, k in half]
    mt, my = sum(ts) / len(ts), sum(ys) / len(ys)
    den = sum((t - mt) ** 2 for t in ts) or 1.0
    slope = sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / den * 60  # MiB per minute
    grows = min(v[3 * n // 4:]) > max(v[n // 4: n // 2]) + 5 * 1024
    return ("keeps growing" if grows else "bounded"), slope


def main():
    args = parse_args()
    accounts = [tuple(a.split(":", 1)) for a in args.account]
    pids = [tuple(p.split("=", 1)) for p in args.pid]
    stats = Stats()
    revoked = collections.deque(maxlen=2000)
    revoked_lock = threading.Lock()
    series = {name: [] for name, _ in pids}
    stop = threading.Event()
    smp = threading.Thread(target=sampler, args=(pids, series, stop), daemon=True)
    smp.start()
    start = time.monotonic()
    deadline = start + args.duration
    threads = [threading.Thread(target=worker, args=(i, args, accounts, stats, revoked, revoked_lock, deadline),
                                daemon=True)  # a signal ends the run at once
               for i in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, deadline - time.monotonic() + 60))
    elapsed = time.monotonic() - start
    stop.set()
    smp.join()
    stuck = sum(t.is_alive() for t in threads)

    out = []
    total = sum(stats.counts.values())
    out.append(f"threads {args.threads}, {elapsed:.1f} s, {stats.rounds} complete rounds, "
               f"{total} requests, {total / elapsed:.0f} req/s"
               + (f", {stuck} THREADS STILL RUNNING" if stuck else ""))
    out.append("")
    out.append("| kind | requests | req/s | p50 ms | p99 ms | statuses |")
    out.append("|---|---:|---:|---:|---:|---|")
    order = ["login", "login (429)", "create", "verify /a/auth", "verify /a/some-endpoint", "logout"]
    kinds = sorted({k for (k, _, _) in stats.counts}, key=lambda k: (
        order.index(k) if k in order else 9, k))
    for k in kinds:
        by = {(s, c): n for (kk, s, c), n in stats.counts.items() if kk == k}
        n = sum(by.values())
        lat = stats.latency[k]
        st = ", ".join(f"{s}{' ' + c if c else ''}: {m}" for (s, c), m in sorted(by.items(), key=lambda x: -x[1]))
        out.append(f"| {k} | {n} | {n / elapsed:.1f} | {pct(lat, 50) * 1e3:.2f} | {pct(lat, 99) * 1e3:.2f} | {st} |")
    lt = stats.login_total
    out.append(f"| login, first attempt to 200 (429s retried) | {len(lt)} | {len(lt) / elapsed:.1f} | "
               f"{pct(lt, 50) * 1e3:.2f} | {pct(lt, 99) * 1e3:.2f} | |")
    out.append("")
    prop = stats.propagation
    out.append(f"propagation to the other process (ack -> first token_revoked there, {len(prop)} logouts): "
               f"p50 {pct(prop, 50) * 1e3:.2f} ms, p99 {pct(prop, 99) * 1e3:.2f} ms, "
               f"max {max(prop, default=float('nan')) * 1e3:.2f} ms; "
               f"accepted there within the bound: {stats.accepted_within_bound}")
    shed = stats.login_429.get("1", 0)
    limited = sum(stats.login_429.values()) - shed
    logins = sum(n for (k, s, _), n in stats.counts.items() if k.startswith("login"))
    out.append(f"login 429, every password-check slot taken (Retry-After: 1; retried): {shed} "
               f"of {logins} login requests ({100 * shed / max(1, logins):.1f} %); "
               f"429 of the failed-login limiter: {limited} {dict(stats.login_429) if limited else ''}; "
               f"quota waits: {stats.quota_waits}")
    wrong = sum(stats.refusals.values())
    out.append(f"valid requests refused: {wrong} {dict(stats.refusals) or ''}")
    for e in stats.refusal_examples:
        out.append("  " + e)
    viol = sum(stats.violations.values())
    out.append(f"violations: {viol} {dict(stats.violations) or ''}")
    for e in stats.violation_examples:
        out.append("  " + e)
    out.append("")
    rss = {}
    for name, pts in series.items():
        if not pts:
            out.append(f"RSS {name}: no samples")
            continue
        verdict, slope = rss_verdict(pts)
        peak, final, first = max(k for _, k in pts), pts[-1][1], pts[0][1]
        rss[name] = {"first_kib": first, "peak_kib": peak, "final_kib": final,
                     "slope_mib_per_min": slope, "verdict": verdict}
        out.append(f"RSS {name}: first {first / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, "
                   f"final {final / 1024:.1f} MiB, second-half slope {slope:+.2f} MiB/min: {verdict}")
    print("\n".join(out), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"elapsed": elapsed, "rounds": stats.rounds,
                       "counts": [[k, s, c, n] for (k, s, c), n in stats.counts.items()],
                       "propagation": prop, "login_429": stats.login_429,
                       "refusals": [[k, s, c, n] for (k, s, c), n in stats.refusals.items()],
                       "violations": stats.violations, "rss": rss,
                       "rss_series": series}, f)
    failed = viol or wrong or limited or stuck
    growing = [n for n, r in rss.items() if r["verdict"] == "keeps growing"]
    if growing:
        print(f"RSS keeps growing: {', '.join(growing)}", file=sys.stderr)
    sys.exit(1 if failed or growing else 0)


if __name__ == "__main__":
    main()
