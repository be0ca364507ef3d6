#!/usr/bin/env bash
# Validates the Kubernetes manifests against the Kubernetes API schemas with `kubernetes-validate`
# (PyPI; schemas bundled, no cluster needed), strictly: unknown fields are errors. KEDA's
# ScaledObject and TriggerAuthentication are custom resources whose schemas the package does not
# ship: it reports them as "couldn't find schema" warnings and they are not machine-checked here.
set -euo pipefail
cd "$(dirname "$0")"
venv="${VENV:-../target/deploy-venv}"
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "kubernetes-validate==1.37.*"
fi
"$venv/bin/kubernetes-validate" --strict --kubernetes-version "${K8S_VERSION:-1.31.0}" k8s/serve.yaml k8s/worker.yaml
