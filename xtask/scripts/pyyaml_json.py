#!/usr/bin/env python3
"""PyYAML's reading of YAML files as JSON, the reference perimeter's YAML parser is held to.

Usage: pyyaml_json.py FILE... > out.jsonl

Prints one JSON object a line: {"path": FILE, "value": ...} when PyYAML reads the file, or
{"path": FILE, "error": "..."} when it refuses it. The loader is PyYAML's safe loader plus one
constructor for every `!Tag` outside the YAML namespace, as the CloudFormation tools (SAM CLI,
the AWS CLI's `cloudformation package`, cfn-flip) register: `!Ref X` and `!Condition X` are
`{"Ref": X}` / `{"Condition": X}`, every other `!Name arg` is `{"Fn::Name": arg}`, and a scalar
`!GetAtt A.B.C` is split at its first dot. Values that JSON lacks are written as text: dates
and timestamps in ISO form, binary as base64, NaN and infinities as `.nan`, `.inf`, `-.inf`.
Only the first document is read (`safe_load` refuses a stream of several; that is reported as
the error PyYAML gives). Nothing in the files is executed: the safe loader builds only plain
data.

Used by `cargo xtask yaml-pyyaml` (the comparison over a corpus) and to write the expected
JSON of perimeter's own fixtures in crates/perimeter_model/tests/fixtures/yaml/pyyaml/.
"""

import base64
import datetime
import json
import math
import sys

import yaml


class CfnLoader(yaml.SafeLoader):
    """The safe loader with CloudFormation short forms."""


def _short_form(loader, suffix, node):
    name = suffix
    key = name if name in ("Ref", "Condition") else "Fn::" + name
    if isinstance(node, yaml.ScalarNode):
        arg = loader.construct_scalar(node)
        if name == "GetAtt":
            arg = arg.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        arg = loader.construct_sequence(node, deep=True)
    else:
        arg = loader.construct_mapping(node, deep=True)
    return {key: arg}


CfnLoader.add_multi_constructor("!", _short_form)


def plain(value):
    """The value with every non-JSON leaf written as text and every key as a string."""
    if isinstance(value, dict):
        return {key_text(k): plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return {key_text(k): None for k in value}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def key_text(key):
    """A mapping key as JSON writes it (`true`, `null`, `1`), or compact JSON for a collection."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (int, float)):
        return str(key)
    return json.dumps(plain(key), separators=(",", ":"), sort_keys=True)


def main(paths):
    for path in paths:
        try:
            with open(path, "rb") as f:
                data = f.read()
            value = yaml.load(data, Loader=CfnLoader)
            line = json.dumps({"path": path, "value": plain(value)}, ensure_ascii=False)
        except Exception as e:  # every refusal is an answer, not a crash of the run
            message = f"{type(e).__name__}: {e}".splitlines()[0]
            line = json.dumps({"path": path, "error": message}, ensure_ascii=False)
        sys.stdout.write(line + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
