"""The checks of scripts/contract-check.sh (see there). Arguments: base URL, work dir, token."""
import glob, importlib, json, os, subprocess, sys, urllib.request

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

base, work, token = sys.argv[1:4]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
failures = []

def get(path):
    with urllib.request.urlopen(base + path) as r:
        return json.load(r)

# 1. OpenAPI.
openapi = get("/openapi.json")
validate(openapi)
print(f"openapi: {openapi['openapi']} document valid (openapi-spec-validator), {len(openapi['paths'])} paths")

# 2. The report's JSON Schema.
served = get("/schemas/report.json")
printed = json.load(open(os.path.join(work, "schema.json")))
assert served == printed, "/schemas/report.json differs from `photocheck schema report`"
Draft202012Validator.check_schema(served)
validator = Draft202012Validator(served)
print(f"schema: {served['$id']} is a valid draft 2020-12 schema, served and printed alike")

# 3. Every report the tests and a fresh run produced.
files = glob.glob(os.path.join(root, "target/tmp/reports/*.jsonl")) + [os.path.join(work, "check.jsonl"), os.path.join(work, "audit/results.jsonl")]
count = 0
for path in files:
    for n, line in enumerate(open(path), 1):
        report = json.loads(line)
        if "schema" not in report:
            continue  # the audit journal's settings header
        count += 1
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
        if errors:
            failures.append(f"{os.path.basename(path)}:{n}: {errors[0].message} at {list(errors[0].path)}")
print(f"reports: {count} from {len(files)} files validated against the schema, {len(failures)} invalid")
if count < 50:
    failures.append(f"only {count} reports found: run `cargo test --release` first")

# 4. A generated client.
gen = os.path.join(work, "gen")
os.makedirs(gen, exist_ok=True)
spec = os.path.join(work, "openapi.json")
json.dump(openapi, open(spec, "w"))
out = subprocess.run(["openapi-python-client", "generate", "--path", spec, "--meta", "none", "--output-path", os.path.join(gen, "photocheck_client")],
                     capture_output=True, text=True)
if out.returncode != 0:
    failures.append("openapi-python-client failed: " + out.stdout[-2000:] + out.stderr[-2000:])
else:
    sys.path.insert(0, gen)
    client_mod = importlib.import_module("photocheck_client")
    from photocheck_client.api.default import post_check
    from photocheck_client.models import CheckForm, Report
    from photocheck_client.types import File
    client = client_mod.AuthenticatedClient(base_url=base, token=token)
    photo = os.path.join(root, "sample_photos/london_032_03.jpg")
    raw = post_check.sync(client=client, body=File(payload=open(photo, "rb"), file_name="p.jpg", mime_type="application/octet-stream"), as_of="2026-11-26", lang="en")
    form = post_check.sync(client=client, body=CheckForm(photo=File(payload=open(photo, "rb"), file_name="p.jpg", mime_type="image/jpeg"), lang="en", as_of="2026-11-26"))
    for name, r in [("raw upload", raw), ("multipart form", form)]:
        if not isinstance(r, Report):
            failures.append(f"generated client, {name}: no report: {r!r}")
        else:
            print(f"generated client, {name}: verdict {r.verdict.value}, {len(r.checks)} checks, schema {r.schema}")
    denied = post_check.sync_detailed(client=client_mod.AuthenticatedClient(base_url=base, token="wrong"), body=File(payload=open(photo, "rb"), mime_type="application/octet-stream"))
    if denied.status_code != 401:
        failures.append(f"generated client with a wrong token got {denied.status_code}, not 401")

for f in failures:
    print("FAIL", f)
print("contract: " + ("all checks passed" if not failures else f"{len(failures)} failure(s)"))
sys.exit(1 if failures else 0)
