"""Client mistakes in generation parameters are refused before admission, with `param`."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from pydantic import ValidationError

from server.api.common.logprobs import MIN_LOGPROB, chat_logprobs, completion_logprobs
from server.api.common.protocol import SEED_MAX, SEED_MIN, SamplingFields
from server.api.common.sampling import build_sampling
from server.engine.protocol import TokenLogprob
from server.errors import InvalidRequestError


def _fields(**extra: Any) -> SamplingFields:
    return SamplingFields.model_validate({"model": "m", **extra})


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"structured_outputs": {"regex": "(["}}, "structured_outputs.regex"),
        ({"structured_outputs": {"json": {"type": 5}}}, "structured_outputs.json"),
        ({"structured_outputs": {"json": {"properties": []}}}, "structured_outputs.json"),
        (
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"schema": {"type": "object", "required": 3}},
                }
            },
            "response_format.json_schema.schema",
        ),
    ],
)
def test_malformed_regex_and_schemas_name_their_param(extra: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        build_sampling(_fields(**extra), 4, None)
    assert info.value.param == param


def test_valid_schema_and_regex_pass() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    sampling = build_sampling(_fields(structured_outputs={"json": schema}), 4, None)
    assert sampling.structured is not None and sampling.structured.json_schema == schema
    sampling = build_sampling(_fields(structured_outputs={"regex": r"INV-\d{4}"}), 4, None)
    assert sampling.structured is not None and sampling.structured.regex == r"INV-\d{4}"


@pytest.mark.parametrize("seed", [SEED_MAX + 1, 2**64, SEED_MIN - 1])
def test_seed_outside_int64_is_refused(seed: int) -> None:
    with pytest.raises(ValidationError) as info:
        _fields(seed=seed)
    assert info.value.errors()[0]["loc"] == ("seed",)


@pytest.mark.parametrize("seed", [SEED_MIN, -1, 0, SEED_MAX])
def test_seed_inside_int64_is_kept(seed: int) -> None:
    assert build_sampling(_fields(seed=seed), 4, None).seed == seed


def test_masked_logprobs_are_json_at_vllms_floor() -> None:
    items = [TokenLogprob("yes", -0.1, (("yes", -0.1), ("no", -math.inf)), (1, 2))]
    for body in (chat_logprobs(items), completion_logprobs(items)):
        text = json.dumps(body, allow_nan=False)  # raises on -inf
        assert str(MIN_LOGPROB) in text
    assert completion_logprobs(items)["top_logprobs"] == [{"yes": -0.1, "no": MIN_LOGPROB}]
    assert chat_logprobs([TokenLogprob("x", -math.inf)])["content"][0]["logprob"] == MIN_LOGPROB
