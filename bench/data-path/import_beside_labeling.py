#!/usr/bin/env python3
"""Import a large CSV into a running LabelHub while annotators label another project.

Interim harness for issue 12 (the C# data-path benchmark replaces it): generates the file if missing (id, a 10-word
Korean review, a source column), signs in as the first admin, creates a 20,000-item project that N annotator loops
label (next task + submit, 200 ms think time) and a project to import into, uploads the file, follows the job and
samples the web process's resident memory. Prints the import time, the peak RSS and next-task latency with the
import running next to the same loops on an idle server, and every HTTP status seen.

    dotnet src/LabelHub.Web/bin/Release/net10.0/LabelHub.Web.dll   # with LabelHub__DataDir=/tmp/lh ASPNETCORE_URLS=http://127.0.0.1:5090
    python3 bench/data-path/import_beside_labeling.py --base http://127.0.0.1:5090 --log /tmp/lh.log --rows 1000000
"""
import argparse, http.cookiejar, json, os, random, re, subprocess, threading, time, urllib.error, urllib.parse, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--base", default="http://127.0.0.1:5090")
parser.add_argument("--log", required=True, help="the server's console output (for the first admin's password)")
parser.add_argument("--rows", type=int, default=1_000_000)
parser.add_argument("--annotators", type=int, default=5)
parser.add_argument("--csv", default="/tmp/labelhub-items.csv")
args = parser.parse_args()

if not os.path.exists(args.csv) or sum(1 for _ in open(args.csv, encoding="utf-8")) != args.rows + 1:
    random.seed(7)
    words = "배송 빨라요 상품 좋아요 가격 품질 만족 다시 구매 추천 포장 불량 느려요 화면 소리 크기 색상 교환 환불 문의".split()
    with open(args.csv, "w", encoding="utf-8") as f:
        f.write("id,text,source\n")
        for i in range(1, args.rows + 1):
            f.write(f'{i},{" ".join(random.choice(words) for _ in range(10))},src{i % 7}\n')

jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
password = re.search(r"password: (\S+)", open(args.log, encoding="utf-8").read()).group(1)
form = opener.open(args.base + "/account/login").read().decode()
token = re.search(r'name="__RequestVerificationToken" value="([^"]+)"', form).group(1)
opener.open(args.base + "/account/login", urllib.parse.urlencode({"userName": "admin", "password": password, "__RequestVerificationToken": token}).encode())


def call(method, path, body=None, raw=None, headers=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(args.base + path, data=data, method=method,
                                     headers=headers or ({"Content-Type": "application/json"} if body is not None else {}))
    try:
        with opener.open(request) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait(job):
    while True:
        run = json.loads(call("GET", f"/api/v1/jobs/{job}")[1])
        if run["state"] in ("Succeeded", "Failed", "Cancelled"):
            return run
        time.sleep(0.5)


schema = {"fields": [{"name": "sentiment", "kind": "Choice", "labels": ["pos", "neg"], "required": True}]}
target = json.loads(call("POST", "/api/v1/projects", {"name": "import target", "schema": schema, "overlap": 1})[1])["id"]
live = json.loads(call("POST", "/api/v1/projects", {"name": "live labeling", "schema": schema, "overlap": 1})[1])["id"]
me = json.loads(call("GET", "/api/v1/me")[1])
call("POST", f"/api/v1/projects/{live}/members", {"userId": me.get("id") or me["user"]["id"]})
wait(json.loads(call("POST", f"/api/v1/projects/{live}/items", [{"text": f"live {i}"} for i in range(20000)])[1])["id"])

pid = int(subprocess.check_output(["pgrep", "-f", "LabelHub.Web.dll"]).split()[0])


def rss_mb():
    return int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1)) // 1024


latencies, statuses, stop = [], {}, False


def annotator():
    while not stop:
        started = time.perf_counter()
        status, body = call("POST", f"/api/v1/projects/{live}/tasks/next")
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            status, _ = call("POST", f"/api/v1/tasks/{json.loads(body)['assignmentId']}/submit", {"values": {"sentiment": "pos"}})
            statuses[status] = statuses.get(status, 0) + 1
        time.sleep(0.2)


threads = [threading.Thread(target=annotator) for _ in range(args.annotators)]
for thread in threads:
    thread.start()
time.sleep(10)
idle, latencies[:] = sorted(latencies), []
before = rss_mb()
boundary = "----labelhub-bench"
with open(args.csv, "rb") as f:
    content = f.read()
upload = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{os.path.basename(args.csv)}"\r\n'
          'Content-Type: text/csv\r\n\r\n').encode() + content + f"\r\n--{boundary}--\r\n".encode()
del content
started = time.perf_counter()
status, body = call("POST", f"/api/v1/projects/{target}/imports", raw=upload, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
del upload
job, peak = json.loads(body)["id"], 0
while True:
    run = json.loads(call("GET", f"/api/v1/jobs/{job}")[1])
    peak = max(peak, rss_mb())
    if run["state"] in ("Succeeded", "Failed", "Cancelled"):
        break
    time.sleep(0.5)
elapsed = time.perf_counter() - started
stop = True
for thread in threads:
    thread.join()
busy = sorted(latencies)


def pct(values, p):
    return round(values[min(len(values) - 1, int(len(values) * p))], 1) if values else None


print(f"import of {args.rows:,} rows: {run['state']} in {elapsed:.1f} s ({run['message']})")
print(f"web process RSS: {before} MB before, peak {peak} MB during")
print(f"next-task, {args.annotators} annotator loops, idle server:    p50 {pct(idle, .5)} ms, p99 {pct(idle, .99)} ms ({len(idle)} calls)")
print(f"next-task, {args.annotators} annotator loops, during import: p50 {pct(busy, .5)} ms, p99 {pct(busy, .99)} ms, max {round(busy[-1], 1)} ms ({len(busy)} calls)")
print(f"HTTP statuses: {statuses}")
