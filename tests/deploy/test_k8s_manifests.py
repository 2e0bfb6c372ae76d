"""Kustomize: every overlay renders, the objects validate against the Kubernetes schemas, references resolve."""

from __future__ import annotations

from typing import Any

import pytest
from deploy_support import PORTS, SERVICES, load_yaml, runner_commands
from k8s_support import (
    CUSTOM_KINDS,
    K8S,
    OVERLAYS,
    by_kind,
    collect,
    generated_names,
    k8s_schema_errors,
    key,
    kustomizations,
    render,
)

pytest.importorskip("kubernetes_validate", reason="pip install kubernetes-validate")


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request) -> tuple[str, tuple[dict[str, Any], ...]]:
    return request.param, render_or_skip(request.param)


def schema_errors(obj: dict[str, Any]) -> list[str]:
    return [] if obj["kind"] in CUSTOM_KINDS else k8s_schema_errors(obj)


def test_every_rendered_builtin_object_validates_against_the_strict_kubernetes_schema(rendered):
    overlay, objects = rendered
    assert len(objects) > 20
    errors = [e for obj in objects for e in schema_errors(obj)]
    assert errors == [], f"{overlay}: {errors}"


def test_the_schema_validation_catches_a_misspelt_field(rendered):
    _, objects = rendered
    deployment = dict(by_kind(objects, "Deployment")["intake"])
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    assert schema_errors(broken)


def test_each_service_has_deployment_service_configmap_pdb_and_hpa(rendered):
    overlay, objects = rendered
    for name in SERVICES:
        deployment = by_kind(objects, "Deployment")[name]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        service = by_kind(objects, "Service")[name]
        assert service["spec"]["selector"].items() <= labels.items()
        assert service["spec"]["ports"][0]["port"] == PORTS[name]
        assert by_kind(objects, "PodDisruptionBudget")[name]["spec"]["selector"]["matchLabels"].items() <= labels.items()
        hpa = by_kind(objects, "HorizontalPodAutoscaler")[name]
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert f"{name}-config" in by_kind(objects, "ConfigMap"), overlay


def test_containers_probe_readyz_and_healthz_request_resources_and_run_the_runner_command(rendered):
    _, objects = rendered
    commands = runner_commands()
    for name in SERVICES:
        pod = by_kind(objects, "Deployment")[name]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["command"] == commands[name]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["ports"][0]["containerPort"] == PORTS[name]
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_every_referenced_configmap_and_secret_exists_or_is_provided_by_an_operator(rendered):
    overlay, objects = rendered
    present = {key(o) for o in objects}
    mongo = next(iter(by_kind(objects, "MongoDBCommunity").values()))
    rabbit = next(iter(by_kind(objects, "RabbitmqCluster").values()))
    from_operators = {f"{rabbit['metadata']['name']}-default-user"}
    from_operators |= {u["connectionStringSecretName"] for u in mongo["spec"]["users"]}
    passwords = {u["passwordSecretRef"]["name"] for u in mongo["spec"]["users"]}
    # Prod never carries secret values: docs/operations.md lists what the operator of the platform creates.
    external = {"whistle-secrets", "whistle-tls", "whistle-org", *passwords} if overlay == "prod" else set()
    missing = set()
    for ref_kind, name in references(objects):
        if (ref_kind, name) not in present and name not in from_operators | external:
            missing.add((ref_kind, name))
    assert missing == set()
    if overlay == "dev":
        assert {("Secret", p) in present for p in passwords} == {True}


def references(objects: tuple[dict[str, Any], ...]) -> set[tuple[str, str]]:
    """(kind, name) of every ConfigMap/Secret a pod template or a TLS section points at."""
    refs: set[tuple[str, str]] = set()
    for deployment in by_kind(objects, "Deployment").values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    refs.add(("ConfigMap", source["configMapRef"]["name"]))
            for env in container.get("env", []):
                ref = env.get("valueFrom", {})
                if "secretKeyRef" in ref:
                    refs.add(("Secret", ref["secretKeyRef"]["name"]))
                if "configMapKeyRef" in ref:
                    refs.add(("ConfigMap", ref["configMapKeyRef"]["name"]))
        for volume in deployment["spec"]["template"]["spec"].get("volumes", []):
            if "configMap" in volume:
                refs.add(("ConfigMap", volume["configMap"]["name"]))
            if "secret" in volume:
                refs.add(("Secret", volume["secret"]["secretName"]))
    for ingress in by_kind(objects, "Ingress").values():
        refs |= {("Secret", tls["secretName"]) for tls in ingress["spec"].get("tls", [])}
    return refs


def test_the_dev_secret_holds_every_key_a_container_requires():
    objects = render_or_skip("dev")
    secrets = by_kind(objects, "Secret")
    for deployment in by_kind(objects, "Deployment").values():
        for env in deployment["spec"]["template"]["spec"]["containers"][0].get("env", []):
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref and ref["name"] in secrets and not ref.get("optional"):
                assert ref["key"] in secrets[ref["name"]]["data"], (deployment["metadata"]["name"], env["name"])


def test_the_dev_organisation_is_the_demo_district():
    copy = (K8S / "overlays" / "dev" / "org.yaml").read_text(encoding="utf-8")
    demo = (K8S.parent / "demo" / "org.yaml").read_text(encoding="utf-8")
    assert copy == demo, "cp deploy/demo/org.yaml deploy/k8s/overlays/dev/org.yaml"


def render_or_skip(overlay: str) -> tuple[dict[str, Any], ...]:
    try:
        return render(overlay)
    except FileNotFoundError:
        pytest.skip("kubectl is not installed")


def test_rabbitmq_is_a_cluster_operator_resource_and_mongodb_a_replica_set(rendered):
    overlay, objects = rendered
    (rabbit,) = by_kind(objects, "RabbitmqCluster").values()
    (mongo,) = by_kind(objects, "MongoDBCommunity").values()
    assert rabbit["apiVersion"] == CUSTOM_KINDS["RabbitmqCluster"]
    assert mongo["apiVersion"] == CUSTOM_KINDS["MongoDBCommunity"]
    assert {"rabbitmq_management", "rabbitmq_prometheus"} <= set(rabbit["spec"]["rabbitmq"]["additionalPlugins"])
    assert mongo["spec"]["type"] == "ReplicaSet"
    assert mongo["spec"]["security"]["authentication"]["modes"] == ["SCRAM"]
    users = {u["name"]: u for u in mongo["spec"]["users"]}
    for name in SERVICES:
        assert users[name]["roles"] == [{"name": "readWrite", "db": f"whistle_{name}"}]
    expected = {"dev": (1, 1), "prod": (3, 3)}[overlay]
    assert (rabbit["spec"]["replicas"], mongo["spec"]["members"]) == expected


def test_base_declares_three_rabbitmq_nodes_and_three_mongodb_members():
    objects = collect(K8S / "base")
    assert by_kind(objects, "RabbitmqCluster")["whistle-rabbitmq"]["spec"]["replicas"] == 3
    assert by_kind(objects, "MongoDBCommunity")["whistle-mongodb"]["spec"]["members"] == 3


def test_every_overlay_sets_its_namespace_and_images(rendered):
    overlay, objects = rendered
    namespaces = {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"}
    assert namespaces == {"whistle" if overlay == "prod" else "whistle-dev"}
    images = {by_kind(objects, "Deployment")[n]["spec"]["template"]["spec"]["containers"][0]["image"] for n in SERVICES}
    if overlay == "prod":
        assert all(i.startswith("registry.example.gov.cn/whistle/") and not i.endswith(":dev") for i in images)
    assert ("Secret", "whistle-secrets") in generated_names(K8S / "overlays" / "dev")
    assert not [k for k in generated_names(K8S / "overlays" / "prod") if k[0] == "Secret"]


def test_kustomizations_are_all_reachable_from_an_overlay():
    reachable = set()

    def walk(directory):
        reachable.add(directory / "kustomization.yaml")
        for entry in load_yaml(directory / "kustomization.yaml").get("resources", []):
            target = (directory / entry).resolve()
            if (target / "kustomization.yaml").exists():
                walk(target)

    for overlay in OVERLAYS:
        walk((K8S / "overlays" / overlay).resolve())
    assert {p.resolve() for p in kustomizations()} == reachable
