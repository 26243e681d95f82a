"""Properties every problem family must have, checked over all registered families.

Each family's own test file compares its solver with an independent library;
this file checks the contract: the registry finds it, instances are
reproducible from (family, level, seed), JSON-able, worded, and the reference
answer passes the answer checker while clearly wrong answers fail.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mli_drill.problems.answers import AnswerSyntaxError, check
from mli_drill.problems.registry import family_names, load_module
from mli_drill.problems.convert import dump, load
from mli_drill.problems.instance import instance_from_params, level_settings, make_instance
from mli_drill.problems.spec import LEVELS, load_spec

FAMILIES = family_names()
TOPICS = {"intro", "features", "classification", "ensembles", "neural-networks", "cnn", "segmentation", "registration", "generative", "reconstruction", "detection", "trustworthy"}


def as_text(value) -> str:
    """The reference answer as a student would type it (full precision)."""
    if isinstance(value, list):
        return "[" + ", ".join(as_text(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def wrong_version(value, kind: str):
    """A clearly wrong answer of the same shape."""
    if kind == "text":
        return value + "zzz"
    if isinstance(value, list):
        return [wrong_version(value[0], kind)] + value[1:]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1 if value != -1 else 1
    return value + max(1.0, abs(value))


def test_registry_finds_families() -> None:
    assert len(FAMILIES) >= 5


@pytest.mark.parametrize("family", FAMILIES)
def test_module_and_spec_agree(family: str) -> None:
    module = load_module(family)
    for function in ("sample", "solve", "question_fields"):
        assert callable(getattr(module, function, None)), f"{family} lacks {function}()"
    spec = load_spec(family)
    assert spec.family == family and spec.title and spec.topic in TOPICS
    assert isinstance(spec.week, int) and 2 <= spec.week <= 9
    assert set(LEVELS) <= set(spec.levels)


@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 2), level=st.sampled_from(LEVELS))
def test_instances_are_reproducible_and_self_consistent(family: str, seed: int, level: str) -> None:
    first = make_instance(family, level, seed)
    again = make_instance(family, level, seed)
    assert first.to_dict() == again.to_dict()
    data = json.loads(json.dumps(first.to_dict()))
    assert data["family"] == family and data["seed"] == seed and data["level"] == level
    assert first.question and "{" not in first.question.replace("{{", ""), "unfilled template field"
    assert first.solution.steps and all(isinstance(s, str) and s for s in first.solution.steps)
    answer = first.answer
    kind = first.answer_spec.kind
    if isinstance(answer, float):
        assert math.isfinite(answer)
    assert check(as_text(answer), answer, first.answer_spec).correct, (family, level, seed, answer)
    if isinstance(answer, (int, float)):  # the shown form of a number can be typed back
        shown = re.split(r"[≈=]", first.answer_text())[-1].strip()  # "sqrt(5) ≈ 2.236" -> "2.236"
        assert check(shown, answer, first.answer_spec).correct, first.answer_text()
    try:
        wrong = check(as_text(wrong_version(answer, kind)), answer, first.answer_spec)
    except AnswerSyntaxError:
        pytest.fail(f"{family}: a wrong answer of the right shape could not be parsed")
    assert not wrong.correct


@pytest.mark.parametrize("family", FAMILIES)
def test_params_and_levels_are_typed(family: str) -> None:
    """Params and Level are frozen dataclasses; every level of the spec converts (no unknown keys,
    values in range), and stored params convert back to the same instance."""
    import dataclasses

    module = load_module(family)
    for name in ("Params", "Level"):
        cls = getattr(module, name, None)
        assert cls is not None and dataclasses.is_dataclass(cls), f"{family} lacks a dataclass {name}"
        assert cls.__dataclass_params__.frozen, f"{family}.{name} must be frozen"
    for level in LEVELS:
        assert isinstance(level_settings(family, level), module.Level)
        for seed in range(5):
            instance = make_instance(family, level, seed)
            assert isinstance(instance.typed, module.Params)
            stored = json.loads(json.dumps(instance.params))
            assert load(module.Params, stored) == instance.typed
            assert json.dumps(dump(load(module.Params, stored))) == json.dumps(instance.params), "a stored instance loads back exactly (3 stays 3)"
            assert dump(instance.typed) == stored
            assert instance_from_params(family, level, seed, stored).to_dict() == instance.to_dict()


@pytest.mark.parametrize("family", FAMILIES)
def test_a_mistyped_level_setting_is_an_error_not_a_default(family: str) -> None:
    import dataclasses

    module = load_module(family)
    settings = dict(load_spec(family).levels["exam"])
    name = dataclasses.fields(module.Level)[0].name
    settings[name + "s" if not name.endswith("s") else name[:-1]] = settings.pop(name, None)
    with pytest.raises(ValueError, match=r"^at \$\.levels\.exam: unknown key '\w+' \(did you mean '" + name + r"'\?\)"):
        load(module.Level, settings, "$.levels.exam")


@pytest.mark.parametrize("family", FAMILIES)
def test_instances_differ_across_seeds(family: str) -> None:
    params = {json.dumps(make_instance(family, "exam", seed).params, sort_keys=True) for seed in range(30)}
    assert len(params) >= 10, "fresh numbers on every draw"
