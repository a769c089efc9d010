"""Non-apply patch formats the API server DOUBLE accepts, as kube-apiserver applies them.

``application/json-patch+json`` (RFC 6902, evanphx/json-patch as used by
``staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go`` jsonPatcher),
``application/merge-patch+json`` (RFC 7386) and ``application/strategic-merge-patch+json``
(``k8s.io/apimachinery/pkg/util/strategicpatch``: lists with a ``patchMergeKey`` merge by that
key, ``$patch: delete`` / ``$patch: replace`` directives; other lists are replaced).
"""

from __future__ import annotations

import copy
from typing import Any


class PatchError(Exception):
    """``code`` is the HTTP status the real server answers with."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(500, f"the server rejected our request due to an error in our "
                              f"request: invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc: Any, parts: list[str], path: str) -> tuple[Any, str]:
    node = doc
    for part in parts[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise PatchError(422, f"doc is missing path: \"{path}\": missing value")
    return node, parts[-1]


def json_patch(doc: dict[str, Any], ops: Any) -> dict[str, Any]:
    """RFC 6902. A failed ``test`` is 422 ("testing value ... failed: test failed"), as the real
    server maps evanphx/json-patch errors to ``errors.NewGenericServerResponse(422 ...)``."""
    if not isinstance(ops, list):
        raise PatchError(400, "json: cannot unmarshal object into Go value of type "
                              "jsonpatch.Patch")
    out = copy.deepcopy(doc)
    for op in ops:
        kind, path = op.get("op"), str(op.get("path", ""))
        parts = _pointer(path)
        if kind == "test":
            node: Any = out
            for part in parts:
                if isinstance(node, dict) and part in node:
                    node = node[part]
                elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                    node = node[int(part)]
                else:
                    raise PatchError(422, f"testing value {path} failed: test failed")
            if node != op.get("value"):
                raise PatchError(422, f"testing value {path} failed: test failed")
            continue
        if not parts:
            if kind in ("add", "replace"):
                out = copy.deepcopy(op.get("value"))
                continue
            raise PatchError(422, f"unable to {kind} the document root")
        parent, last = _parent(out, parts, path)
        if kind in ("add", "replace"):
            value = copy.deepcopy(op.get("value"))
            if isinstance(parent, list):
                if last == "-":
                    parent.append(value)
                elif last.isdigit() and int(last) <= len(parent):
                    if kind == "add":
                        parent.insert(int(last), value)
                    elif int(last) < len(parent):
                        parent[int(last)] = value
                    else:
                        raise PatchError(422, f"replace operation does not apply: doc is "
                                              f"missing key: {path}: missing value")
                else:
                    raise PatchError(422, f"add operation does not apply: doc is missing "
                                          f"path: {path}: missing value")
            elif isinstance(parent, dict):
                if kind == "replace" and last not in parent:
                    raise PatchError(422, f"replace operation does not apply: doc is missing "
                                          f"key: {path}: missing value")
                parent[last] = value
            else:
                raise PatchError(422, f"doc is missing path: \"{path}\": missing value")
        elif kind == "remove":
            if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
                del parent[int(last)]
            elif isinstance(parent, dict) and last in parent:
                del parent[last]
            else:
                raise PatchError(422, f"remove operation does not apply: doc is missing path: "
                                      f"\"{path}\": missing value")
        else:
            raise PatchError(422, f"Unexpected kind: {kind}")
    if not isinstance(out, dict):
        raise PatchError(422, "the patched document is not an object")
    return out


def merge_patch(doc: Any, patch: Any) -> Any:
    """RFC 7386: maps merge, ``null`` deletes, everything else (lists too) replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(doc) if isinstance(doc, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


# field name -> patchMergeKey, from the ``patchMergeKey`` struct tags of k8s.io/api core/v1
# and apps/v1 (the names are unique enough for the kinds the double serves).
MERGE_KEYS: dict[str, str] = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "volumes": "name", "env": "name", "volumeMounts": "mountPath",
    "imagePullSecrets": "name", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
    "ownerReferences": "uid", "volumeDevices": "devicePath",
}
PORT_KEYS = {"containers": "containerPort", "Service": "port"}


def strategic_merge_patch(doc: Any, patch: Any, field: str = "", kind: str = "") -> Any:
    """Maps merge (``null`` deletes); lists with a merge key merge item by item
    (``{"$patch": "delete", key: v}`` removes one); other lists replace."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    out = dict(doc) if isinstance(doc, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            out.pop(key, None)
            continue
        merge_key = MERGE_KEYS.get(key)
        if key == "ports":
            merge_key = "containerPort" if field == "container" else "port"
        if merge_key and isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = _merge_list(out[key], value, merge_key, key)
        else:
            child = "container" if key in ("containers", "initContainers") else key
            out[key] = strategic_merge_patch(out.get(key), value, child, kind)
    return out


def _merge_list(live: list[Any], patch: list[Any], merge_key: str, field: str) -> list[Any]:
    result = [copy.deepcopy(item) for item in live]
    child = "container" if field in ("containers", "initContainers") else field
    for item in patch:
        if not isinstance(item, dict) or merge_key not in item:
            result.append(copy.deepcopy(item))
            continue
        index = next((i for i, old in enumerate(result)
                      if isinstance(old, dict) and old.get(merge_key) == item[merge_key]), None)
        if item.get("$patch") == "delete":
            if index is not None:
                del result[index]
        elif index is None:
            result.append({k: v for k, v in item.items() if not k.startswith("$")})
        else:
            result[index] = strategic_merge_patch(result[index], item, child)
    return result
