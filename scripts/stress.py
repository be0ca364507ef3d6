#!/usr/bin/env python3
"""Bounded stress run against a local `photocheck serve` (127.0.0.1 only): normal uploads mixed
with the worst inputs of the hardening issue, for a fixed time. Prints p50/p99 latency of the
normal requests, status counts per input kind, the 5xx count and the server's peak RSS.

    python3 scripts/stress.py [--seconds 60] [--clients 4] [--port 18089]

Builds nothing: run `cargo build --release` first. Standard library only.
"""
import argparse, http.client, os, random, signal, struct, subprocess, sys, threading, time, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def png(width, height, depth=8, colour=2, data=b""):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(data)) + chunk(b"IEND", b"")


def inputs():
    normal = open(os.path.join(ROOT, "sample_photos/london_032_03.jpg"), "rb").read()
    hopper = open(os.path.join(ROOT, "sample_photos/grace_hopper.jpg"), "rb").read()
    rows = b"".join(b"\x00" + b"\x00" * 3 * 40_000_000 for _ in range(1))  # one filter byte + one row
    worst = {
        "strip_40M_x1": png(40_000_000, 1, data=rows),
        "rgba16_6324sq_header": png(6324, 6324, depth=16, colour=6, data=b"\x00" * 1000),
        "truncated_jpeg": hopper[: len(hopper) // 2],
        "random_2MB": os.urandom(2 << 20),
        "empty": b"",
        "text": b"not a photo at all\n" * 100,
    }
    return normal, worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--port", type=int, default=18089)
    args = ap.parse_args()
    exe = os.path.join(ROOT, "target/release/photocheck")
    server = subprocess.Popen([exe, "serve", "--listen", f"127.0.0.1:{args.port}", "--queue", "16", "--timeout-ms", "5000", "--log-json"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1); c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        normal, worst = inputs()
        kinds = [("normal", normal)] * 3 + list(worst.items())  # three normal requests for each worst one
        lock = threading.Lock()
        stats = {}
        latencies = []
        peak = [0]
        stop = time.time() + args.seconds

        def client(seed):
            rnd = random.Random(seed)
            while time.time() < stop:
                name, body = rnd.choice(kinds)
                t = time.time()
                try:
                    c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                    c.request("POST", "/v1/checks?as_of=2026-11-26&lang=en", body=body, headers={"Content-Type": "image/jpeg"})
                    r = c.getresponse(); r.read(); status = r.status
                except OSError as e:
                    status = f"conn:{type(e).__name__}"
                dt = time.time() - t
                with lock:
                    stats.setdefault(name, {}).setdefault(status, 0)
                    stats[name][status] += 1
                    if name == "normal" and status == 200:
                        latencies.append(dt)

        def watch():
            while time.time() < stop:
                try:
                    for line in open(f"/proc/{server.pid}/status"):
                        if line.startswith("VmRSS"):
                            peak[0] = max(peak[0], int(line.split()[1]))
                except OSError:
                    pass
                time.sleep(0.2)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)] + [threading.Thread(target=watch)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        alive = server.poll() is None
        latencies.sort()
        q = lambda p: latencies[min(len(latencies) - 1, int(p * (len(latencies) - 1)))] * 1000 if latencies else float("nan")
        fivexx = sum(n for s in stats.values() for k, n in s.items() if isinstance(k, int) and k >= 500)
        print(f"{args.seconds:.0f} s, {args.clients} clients: normal 200s {len(latencies)}, p50 {q(0.5):.1f} ms, p99 {q(0.99):.1f} ms; "
              f"5xx {fivexx}; peak RSS {peak[0] / 1024:.0f} MB; server alive {alive}")
        for name, s in sorted(stats.items()):
            print(f"  {name:<22} {dict(sorted(s.items(), key=str))}")
        return 0 if alive and fivexx == 0 else 1
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
