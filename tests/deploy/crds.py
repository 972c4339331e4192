"""Offline validation of custom resources against the upstream CRDs kept in deploy/crds.

The API server checks a custom resource against `spec.versions[i].schema.openAPIV3Schema` of
its CRD; jsonschema can do the same for everything but the `x-kubernetes-*` extensions
(CEL rules, list and map types), which it ignores. Two adjustments make it closer to what
`kubectl apply` does (see deploy/crds/PROVENANCE.md):

- kubectl validates fields strictly by default: an unknown field is an error, not silently
  pruned. Structural schemas leave objects open, so every object with `properties` and no
  `additionalProperties` or `x-kubernetes-preserve-unknown-fields` is closed here.
- The patterns are Go RE2; an inline `(?i)` after the start compiles there but not in
  Python, so it moves to the front.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

CRD_DIR = Path(__file__).resolve().parents[2] / "deploy" / "crds"

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the Kafka CRD alone is 600 kB
_COMBINATORS = ("allOf", "anyOf", "oneOf")
_EMBEDDED_FIELDS = {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"}}


def load_documents(path: Path) -> list[dict[str, Any]]:
    """Every non-empty YAML document in a file."""
    return [doc for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_LOADER) if doc]


@dataclass(frozen=True)
class CustomResourceSchemas:
    """The validator of each served (apiVersion, kind), from every CRD file under a folder."""

    validators: Mapping[tuple[str, str], Draft202012Validator]

    @classmethod
    def load(cls, folder: Path = CRD_DIR) -> CustomResourceSchemas:
        validators = {}
        for path in sorted(folder.rglob("*.yaml")):
            for crd in load_documents(path):
                spec = crd["spec"]
                for version in spec["versions"]:
                    if version.get("served", False):
                        schema = strict(version["schema"]["openAPIV3Schema"])
                        key = (f"{spec['group']}/{version['name']}", spec["names"]["kind"])
                        validators[key] = Draft202012Validator(schema)
        return cls(validators)

    def knows(self, resource: Mapping[str, Any]) -> bool:
        return (resource["apiVersion"], resource["kind"]) in self.validators

    def errors(self, resource: Mapping[str, Any]) -> list[str]:
        """What the API server would refuse in this resource, one line each (empty: valid)."""
        validator = self.validators[(resource["apiVersion"], resource["kind"])]
        return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(resource)]


def strict(schema: Mapping[str, Any], structural: bool = True) -> dict[str, Any]:
    """A copy of an OpenAPI v3 structural schema that refuses unknown fields and compiles in Python.

    Objects are closed only on the structural spine: inside allOf/anyOf/oneOf/not, `properties`
    only adds value checks to fields declared elsewhere.
    """
    copy = dict(schema)
    if "properties" in copy:
        copy["properties"] = {name: strict(sub, structural) for name, sub in copy["properties"].items()}
        open_ended = "additionalProperties" in copy or copy.get("x-kubernetes-preserve-unknown-fields")
        if structural and not open_ended:
            if copy.get("x-kubernetes-embedded-resource"):
                copy["properties"] = {**_EMBEDDED_FIELDS, **copy["properties"]}
            copy["additionalProperties"] = False
    if isinstance(copy.get("additionalProperties"), Mapping):
        copy["additionalProperties"] = strict(copy["additionalProperties"], structural)
    if isinstance(copy.get("items"), Mapping):
        copy["items"] = strict(copy["items"], structural)
    for keyword in _COMBINATORS:
        if keyword in copy:
            copy[keyword] = [strict(sub, structural=False) for sub in copy[keyword]]
    if "not" in copy:
        copy["not"] = strict(copy["not"], structural=False)
    if "(?i)" in copy.get("pattern", "")[1:]:
        copy["pattern"] = "(?i)" + copy["pattern"].replace("(?i)", "")
    return copy
