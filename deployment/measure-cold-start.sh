#!/usr/bin/env bash
# Cold start of the packaged server: process start -> GET /q/health/ready 200 -> first answered /v1/embeddings.
# Median of N runs, broken into phases (JVM, framework, model load, warm-up) from the server's own log lines.
#
#   deployment/measure-cold-start.sh [-n RUNS] [-a APP_DIR [-j JAVA_OPTS]]... [-c] [-- JVM options for every run]
#     -n  runs (default 7)
#     -a  the application folder (default runtime/target/quarkus-app); repeat -a (each followed by its own -j)
#         to compare several builds: their runs take turns, so a busy machine weighs on all of them alike
#     -j  JVM options for the -a before it, e.g. "-XX:AOTCache=app.aot" (the server runs in APP_DIR)
#     -c  fresh model cache for every run (as in a new container without a baked cache); default: one
#         cache folder shared by all runs, filled by an unmeasured first start
#   JAVA_HOME selects the JDK. Each run listens on a free loopback port and is stopped with SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=7 FRESH=0 APPS=() OPTS=()
while getopts "n:j:a:c" o; do
  case $o in
    n) RUNS=$OPTARG ;;
    a) APPS+=("$OPTARG"); OPTS+=("") ;;
    j) [ ${#APPS[@]} -gt 0 ] || { APPS+=(runtime/target/quarkus-app); OPTS+=(""); }; OPTS[-1]=$OPTARG ;;
    c) FRESH=1 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ ${#APPS[@]} -gt 0 ] || { APPS=(runtime/target/quarkus-app); OPTS=(""); }
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
CONFIGS=()
for i in "${!APPS[@]}"; do
  [ -f "${APPS[$i]}/quarkus-run.jar" ] || { echo "no ${APPS[$i]}/quarkus-run.jar: build first (mvnw -pl runtime -am package)"; exit 1; }
  CONFIGS+=("$(cd "${APPS[$i]}" && pwd)" "${OPTS[$i]}")
done
exec python3 - "$JAVA" "$RUNS" "$FRESH" "${#APPS[@]}" "${CONFIGS[@]}" "$@" <<'PY'
import http.client, json, os, re, shlex, signal, socket, statistics, subprocess, sys, tempfile, time

java, runs, fresh, count = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", int(sys.argv[4])
configs = [(sys.argv[5 + 2 * i], sys.argv[6 + 2 * i]) for i in range(count)]
extra = sys.argv[5 + 2 * count:]
work = tempfile.mkdtemp(prefix="quiver-cold-")
shared_cache = os.path.join(work, "cache")

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def get(port, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        if body is None:
            c.request("GET", path)
        else:
            c.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()

def one(i, app, jopts, measured=True):
    port = free_port()
    cache = os.path.join(work, f"cache-{i}") if fresh else shared_cache
    log = os.path.join(work, f"run-{i}.log")
    env = dict(os.environ, PORT=str(port), QUIVER_CACHE_DIR=cache)
    # From the application folder, as the AOT cache expects (its class path is recorded relative to it).
    cmd = [java, "-Xlog:startuptime:file=" + log + ".jvm", *shlex.split(jopts), *extra, "-jar", "quarkus-run.jar"]
    with open(log, "w") as out:
        wall0 = time.time()
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, env=env, cwd=app, stdout=out, stderr=subprocess.STDOUT)
        ready = first = None
        while time.perf_counter() - t0 < 120:
            if p.poll() is not None:
                raise SystemExit(f"server exited with {p.returncode}; see {log}")
            try:
                if get(port, "/q/health/ready") == 200:
                    ready = time.perf_counter() - t0
                    break
            except OSError:
                pass
            time.sleep(0.002)
        status = get(port, "/v1/embeddings", {"input": "Knative scaled this pod from zero"})
        first = time.perf_counter() - t0
        if status != 200:
            raise SystemExit(f"first /v1/embeddings answered {status}; see {log}")
        p.send_signal(signal.SIGTERM)
        p.wait(60)
    text = open(log).read()
    vm = float("nan")
    for line in open(log + ".jvm"):
        m = re.match(r"\[(\d+\.\d+)s\].*Create VM", line)
        if m:
            vm = float(m.group(1))
    day = time.localtime(wall0)
    def at(pattern):  # seconds after the spawn at which the first log line matching pattern was written
        m = re.search(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) .*" + pattern, text, re.M)
        if not m:
            return float("nan")
        h, mi, sec, ms = map(int, m.groups())
        wall = time.mktime((day.tm_year, day.tm_mon, day.tm_mday, h, mi, sec, 0, 0, -1)) + ms / 1000
        return wall - wall0
    def ms(pattern):
        m = re.search(pattern, text)
        return int(m.group(1)) / 1000 if m else float("nan")
    main = at("startup phase launch")
    if main != main:  # no launch line: a build without the preload; JVM start as the server logs it instead
        main = at("startup phase framework") - ms(r"startup phase framework: (\d+) ms")
    listening = at("Listening on")
    pre = re.search(r"preloaded at launch: loaded in (\d+) ms, warmed in (\d+) ms", text)
    loads = [int(x) / 1000 for x in re.findall(r"loaded in (\d+) ms", text)]
    warms = [int(x) / 1000 for x in re.findall(r"warmed in (\d+) ms", text)]
    r = dict(ready=ready, first=first,
             jvm=main, framework=listening - main,
             model_load=int(pre.group(1)) / 1000 if pre else max(loads, default=float("nan")),
             warm_up=int(pre.group(2)) / 1000 if pre else max(warms, default=float("nan")),
             after_http=ready - listening, first_request=first - ready, vm_create=vm)
    if measured:
        print(f"run {i} {os.path.basename(app)} {jopts}: " + "  ".join(f"{k} {v*1000:.0f}" for k, v in r.items()) + " ms", flush=True)
    return r

print(f"load average {os.getloadavg()[0]:.2f}; {'fresh model cache every run' if fresh else 'shared model cache'}; "
      f"{os.cpu_count()} cpus", flush=True)
results = {c: [] for c in configs}
for n, (app, jopts) in enumerate(configs):
    if not fresh:
        one(f"warm-{n}", app, jopts, measured=False)
for i in range(1, runs + 1):
    for n, (app, jopts) in enumerate(configs):
        r = one(f"{n}-{i}", app, jopts)
        results[(app, jopts)].append(r)
for (app, jopts), rs in results.items():
    print(f"median of {len(rs)}, {os.path.relpath(app)} {jopts or '(no JVM options)'}:")
    print("  " + "  ".join(f"{k} {statistics.median(r[k] for r in rs)*1000:.0f}" for k in rs[0]) + " ms")
print(f"  ready = process start -> /q/health/ready 200; first = process start -> first /v1/embeddings answered")
print("  jvm = process start -> main(); framework = main() -> HTTP listening; model_load, warm_up: the slowest model"
      " (beside the framework when preloaded at launch); after_http = HTTP listening -> ready;"
      " first_request = ready -> first answer; vm_create = the JVM's own creation (-Xlog:startuptime)")
print(f"load average {os.getloadavg()[0]:.2f}; logs in {work}")
PY
