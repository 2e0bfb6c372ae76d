"""Kustomize helpers for the tests: render an overlay with kubectl, or collect a tree's objects in Python."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from deploy_support import DEPLOY, load_yaml, load_yaml_all, tool

K8S = DEPLOY / "k8s"
OVERLAYS = ("dev", "prod")
KUBERNETES_VERSION = "1.32.0"
CUSTOM_KINDS = {"RabbitmqCluster": "rabbitmq.com/v1beta1", "MongoDBCommunity": "mongodbcommunity.mongodb.com/v1"}


def kustomizations() -> list[Path]:
    """Every kustomization.yaml under deploy/k8s."""
    return sorted(K8S.rglob("kustomization.yaml"))


@cache
def render(overlay: str) -> tuple[dict[str, Any], ...]:
    """`kubectl kustomize deploy/k8s/overlays/<overlay>` as a tuple of objects."""
    kubectl = tool("kubectl")
    if kubectl is None:
        raise FileNotFoundError("kubectl")
    done = subprocess.run([kubectl, "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True,
                          timeout=60, check=False)
    if done.returncode != 0:
        raise AssertionError(f"kubectl kustomize {overlay} failed: {done.stderr}")
    return tuple(load_yaml_all(done.stdout))


def collect(directory: Path) -> list[dict[str, Any]]:
    """The objects a kustomization's resources declare, recursively, before patches and generators."""
    spec = load_yaml(directory / "kustomization.yaml")
    objects: list[dict[str, Any]] = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            objects += collect(path)
        else:
            objects += load_yaml_all(path.read_text(encoding="utf-8"))
    return objects


def generated_names(directory: Path) -> set[tuple[str, str]]:
    """(kind, name) of the ConfigMaps and Secrets a kustomization and its bases generate."""
    spec = load_yaml(directory / "kustomization.yaml")
    names = {("Secret", g["name"]) for g in spec.get("secretGenerator", [])}
    names |= {("ConfigMap", g["name"]) for g in spec.get("configMapGenerator", [])}
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            names |= generated_names(path)
    return names


def key(obj: dict[str, Any]) -> tuple[str, str]:
    """(kind, name) of an object."""
    return obj["kind"], obj["metadata"]["name"]


def by_kind(objects: tuple[dict[str, Any], ...] | list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """Objects of one kind by name."""
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


@cache
def _k8s_registry() -> Any:
    """The strict schema definitions of KUBERNETES_VERSION from kubernetes-validate, loaded once."""
    import json
    from importlib.resources import files

    from referencing import Registry, Resource

    root = files("kubernetes_validate") / "kubernetes-json-schema"
    directory = root / f"v{KUBERNETES_VERSION}-local-strict"
    definitions = Resource.from_contents(json.loads((directory / "_definitions.json").read_text()))
    return directory, definitions @ Registry()


@cache
def _k8s_validator(kind: str, api_version: str) -> Any:
    import json
    import re

    import jsonschema
    from referencing import Resource

    directory, registry = _k8s_registry()
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = json.loads((directory / f"{kind.lower()}-{group}.json").read_text())
    return jsonschema.Draft202012Validator(schema, registry=Resource.from_contents(schema) @ registry)


def k8s_schema_errors(obj: dict[str, Any]) -> list[str]:
    """Violations of the strict Kubernetes schema (the kubernetes-validate package's files), cached per kind."""
    validator = _k8s_validator(obj["kind"], obj["apiVersion"])
    return [f"{obj['kind']}/{obj['metadata']['name']} {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(obj)]
