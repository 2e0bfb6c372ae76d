"""Kustomize sources checked in Python, with or without kubectl: files, patch targets, comments that matter."""

from __future__ import annotations

import re

import pytest
from deploy_support import SERVICES, load_yaml, load_yaml_all
from k8s_support import CUSTOM_KINDS, K8S, OVERLAYS, by_kind, collect, k8s_schema_errors, key, kustomizations


@pytest.mark.parametrize("path", kustomizations(), ids=lambda p: str(p.parent.relative_to(K8S)))
def test_every_resource_and_patch_file_of_a_kustomization_exists(path):
    spec = load_yaml(path)
    assert spec["apiVersion"] == "kustomize.config.k8s.io/v1beta1" and spec["kind"] == "Kustomization"
    for entry in spec.get("resources", []):
        target = path.parent / entry
        assert target.is_file() or (target / "kustomization.yaml").is_file(), f"{path}: {entry}"
    for patch in spec.get("patches", []):
        assert "path" in patch or "patch" in patch
        if "path" in patch:
            assert (path.parent / patch["path"]).is_file(), f"{path}: {patch['path']}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_strategic_merge_patch_targets_an_object_of_the_base(overlay):
    directory = K8S / "overlays" / overlay
    objects = {key(o) for o in collect(directory)}
    for patch in load_yaml(directory / "kustomization.yaml").get("patches", []):
        if "path" in patch:
            for doc in load_yaml_all((directory / patch["path"]).read_text(encoding="utf-8")):
                assert key(doc) in objects, f"{overlay}/{patch['path']} patches a missing {key(doc)}"
        else:
            kind = patch["target"]["kind"]
            assert any(k == kind for k, _ in objects), f"{overlay}: no {kind} to patch"


def test_custom_resources_carry_the_fields_their_operators_require():
    # The operators' CRD schemas are not available offline; these are the fields each CRD marks required or
    # that the operator refuses to reconcile without.
    objects = collect(K8S / "base")
    rabbit = by_kind(objects, "RabbitmqCluster")["whistle-rabbitmq"]
    assert rabbit["apiVersion"] == CUSTOM_KINDS["RabbitmqCluster"]
    assert isinstance(rabbit["spec"]["replicas"], int) and rabbit["spec"]["replicas"] % 2 == 1
    assert re.fullmatch(r"rabbitmq:\d+\.\d+[\w.-]*", rabbit["spec"]["image"])
    mongo = by_kind(objects, "MongoDBCommunity")["whistle-mongodb"]
    assert mongo["apiVersion"] == CUSTOM_KINDS["MongoDBCommunity"]
    spec = mongo["spec"]
    assert {"members", "type", "version", "security", "users"} <= set(spec)
    assert re.fullmatch(r"\d+\.\d+\.\d+", spec["version"])
    for user in spec["users"]:
        assert {"name", "db", "passwordSecretRef", "roles", "scramCredentialsSecretName"} <= set(user)
        assert user["roles"] and all({"name", "db"} == set(r) for r in user["roles"])


def test_deployments_say_how_replicas_share_work():
    text = {name: comments(K8S / "base" / name / "deployment.yaml") for name in SERVICES}
    assert re.search(r"lease", text["notifier"], re.I) and "never fire the same timer" in text["notifier"]
    for name in ("router", "reports"):
        assert "competing consumers" in text[name], name
        assert "idempotent" in text[name] or "duplicates change nothing" in text[name], name
    assert "quorum queue" in comments(K8S / "base" / "rabbitmq" / "rabbitmqcluster.yaml")


def comments(path):
    """The YAML comments of a file joined into one line of prose."""
    lines = [line.split("#", 1)[1].strip() for line in path.read_text(encoding="utf-8").splitlines() if "#" in line]
    return " ".join(lines)


def test_base_objects_validate_against_the_kubernetes_schemas_without_kubectl():
    pytest.importorskip("kubernetes_validate", reason="pip install kubernetes-validate")
    errors = [e for obj in collect(K8S / "base") if obj["kind"] not in CUSTOM_KINDS for e in k8s_schema_errors(obj)]
    assert errors == []
