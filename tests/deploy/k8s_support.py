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
