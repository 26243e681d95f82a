"""image-similarity: reference answers, and the mistake catalogue's values, against numpy, scipy, scikit-learn and scikit-image."""

from __future__ import annotations

import json
import math
import random
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cosine
from scipy.stats import entropy, pearsonr
from skimage.metrics import normalized_mutual_information
from sklearn.metrics import mutual_info_score, normalized_mutual_info_score

from mli_drill.problems.families import image_similarity as family
from mli_drill.problems.families.base import Alternatives, InvalidParams
from mli_drill.problems.instance import level_settings, make_instance, typed_params
from mli_drill.problems.mistakes import mistake_answers
from mli_drill.problems.spec import load_spec
from tests.conftest import ROOT

NAME = "image-similarity"
LEVELS = ("easy", "exam", "hard")
BASES = {2: 2.0, "e": math.e, 10: 10.0}


def _instances(per_level: int = 80):
    for level in LEVELS:
        for seed in range(per_level):
            yield make_instance(NAME, level, seed)


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return family.solve(typed_params(NAME, params))


def _solve(params: dict, measure: str, log_base: object = 2) -> float:
    return solve({**params, "measure": measure, "log_base": log_base}).answer


def _edges(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One histogram bin per integer intensity value."""
    return np.arange(-0.5, max(a.max(), b.max()) + 1.5)


# --------------------------------------------------------------------------- independent checks


def test_ssd_sad_cc_match_numpy_and_scipy_on_240_instances():
    count = 0
    for inst in _instances():
        a = np.array(inst.params["a"], dtype=float)
        b = np.array(inst.params["b"], dtype=float)
        assert _solve(inst.params, "ssd") == pytest.approx(np.mean((a - b) ** 2), abs=1e-12)
        assert _solve(inst.params, "sad") == pytest.approx(np.mean(np.abs(a - b)), abs=1e-12)
        cc = _solve(inst.params, "cc")
        assert cc == pytest.approx(np.corrcoef(a.ravel(), b.ravel())[0, 1], abs=1e-9)
        assert cc == pytest.approx(pearsonr(a.ravel(), b.ravel())[0], abs=1e-9)
        count += 1
    assert count >= 200


def test_mi_matches_sklearn_in_every_base_on_240_instances():
    for inst in _instances():
        a, b = np.ravel(inst.params["a"]), np.ravel(inst.params["b"])
        nats = mutual_info_score(a, b)
        for log_base, base in BASES.items():
            assert _solve(inst.params, "mi", log_base) == pytest.approx(nats / math.log(base), abs=1e-9)


def test_joint_entropy_matches_scipy_on_240_instances():
    for inst in _instances():
        a, b = np.ravel(inst.params["a"]), np.ravel(inst.params["b"])
        edges = _edges(a, b)
        hist, _, _ = np.histogram2d(a, b, bins=[edges, edges])
        for log_base, base in BASES.items():
            expected = entropy(hist.ravel(), base=base)
            assert _solve(inst.params, "joint_entropy", log_base) == pytest.approx(expected, abs=1e-9)


def test_nmi_matches_skimage_and_sklearn_studholme_relation_on_240_instances():
    for inst in _instances():
        a, b = np.array(inst.params["a"]), np.array(inst.params["b"])
        edges = _edges(a, b)
        skimage_nmi = normalized_mutual_information(a, b, bins=[edges, edges])
        sklearn_nmi = normalized_mutual_info_score(a.ravel(), b.ravel(), average_method="arithmetic")
        for log_base in BASES:
            ours = _solve(inst.params, "nmi", log_base)
            assert ours == pytest.approx(skimage_nmi, abs=1e-9)
            # CONVENTIONS.md: Studholme NMI = 2 / (2 - sklearn's arithmetic-mean NMI), exactly.
            assert ours == pytest.approx(2 / (2 - sklearn_nmi), abs=1e-9)


def test_instance_answer_is_the_asked_measure():
    for inst in _instances(per_level=20):
        p = inst.params
        assert inst.answer == _solve(p, p["measure"], p["log_base"])


# --------------------------------------------------------------------------- mistake catalogue

SLIPS = {mistake.id: mistake for mistake in family.MISTAKES}


def _slip(params: dict, mistake_id: str, measure: str, log_base: object = 2):
    return SLIPS[mistake_id].answer(typed_params(NAME, {**params, "measure": measure, "log_base": log_base}))


def test_slips_apply_only_to_their_measures():
    params = make_instance(NAME, "exam", 0).params
    own = {
        "not-averaged": {"ssd", "sad"},
        "wrong-log-base": {"joint_entropy", "mi"},
        "arithmetic-nmi": {"nmi"},
        "mi-for-nmi": {"nmi"},
        "uncentred-cc": {"cc"},
    }
    assert set(own) == set(SLIPS)
    for mistake_id, measures in own.items():
        for measure in family.MEASURES:
            assert (_slip(params, mistake_id, measure) is None) == (measure not in measures), (mistake_id, measure)


def test_sums_and_uncentred_cc_match_numpy_and_scipy_on_240_instances():
    for inst in _instances():
        a = np.array(inst.params["a"], dtype=float)
        b = np.array(inst.params["b"], dtype=float)
        assert _slip(inst.params, "not-averaged", "ssd") == pytest.approx(np.sum((a - b) ** 2), abs=1e-12)
        assert _slip(inst.params, "not-averaged", "sad") == pytest.approx(np.sum(np.abs(a - b)), abs=1e-12)
        # Σab / sqrt(Σa² Σb²) is the cosine similarity of the raw intensity vectors.
        assert _slip(inst.params, "uncentred-cc", "cc") == pytest.approx(1 - cosine(a.ravel(), b.ravel()), abs=1e-9)


def test_information_slips_match_sklearn_and_scipy_on_240_instances():
    for inst in _instances():
        a, b = np.ravel(inst.params["a"]), np.ravel(inst.params["b"])
        edges = _edges(a, b)
        hist, _, _ = np.histogram2d(a, b, bins=[edges, edges])
        nats = mutual_info_score(a, b)
        for log_base, base in BASES.items():
            others = sorted(value for other, value in BASES.items() if other != log_base)
            wrong_mi = _slip(inst.params, "wrong-log-base", "mi", log_base)
            assert isinstance(wrong_mi, Alternatives)
            assert sorted(wrong_mi.values) == pytest.approx(sorted(nats / math.log(other) for other in others), abs=1e-9)
            wrong_joint = _slip(inst.params, "wrong-log-base", "joint_entropy", log_base)
            assert sorted(wrong_joint.values) == pytest.approx(
                sorted(entropy(hist.ravel(), base=other) for other in others), abs=1e-9
            )
            assert _slip(inst.params, "mi-for-nmi", "nmi", log_base) == pytest.approx(nats / math.log(base), abs=1e-9)
            assert _slip(inst.params, "arithmetic-nmi", "nmi", log_base) == pytest.approx(
                normalized_mutual_info_score(a, b, average_method="arithmetic"), abs=1e-9
            )


def test_slips_on_the_conventions_example():
    params = {"a": I, "b": J}
    assert _slip(params, "not-averaged", "ssd") == 3 and _slip(params, "not-averaged", "sad") == 3  # N·(1/3)
    assert sorted(_slip(params, "wrong-log-base", "mi", 2).values) == pytest.approx([0.3017, 0.6947], abs=1e-4)
    assert _slip(params, "mi-for-nmi", "nmi") == pytest.approx(1.0022, abs=1e-4)
    # sklearn's arithmetic NMI s and Studholme's 1.3677 satisfy 1.3677 = 2 / (2 - s).
    assert _slip(params, "arithmetic-nmi", "nmi") == pytest.approx(2 - 2 / 1.3677, abs=1e-4)
    message = SLIPS["not-averaged"].message(typed_params(NAME, {**params, "measure": "ssd", "log_base": 2}))
    assert "Σ (A - B)² = 3" in message and "3/9 = 1/3" in message


def test_informative_instances_tell_the_slips_apart():
    """Point 5 of issue 11: the instances give every slip of the asked measure its own value."""
    told_apart = sum(family._informative(inst.typed) for inst in _instances(per_level=40))
    assert told_apart >= 0.95 * 120


# --------------------------------------------------------------------------- CONVENTIONS.md worked example

I = [[0, 0, 1], [1, 2, 2], [2, 3, 3]]
J = [[0, 1, 1], [1, 1, 2], [3, 3, 3]]


def test_conventions_worked_example():
    params = {"a": I, "b": J}
    assert _solve(params, "ssd") == pytest.approx(1 / 3, abs=1e-12)
    assert _solve(params, "sad") == pytest.approx(1 / 3, abs=1e-12)
    assert round(_solve(params, "cc"), 4) == 0.8572
    assert round(_solve(params, "mi", 2), 4) == 1.0022
    assert round(_solve(params, "mi", "e"), 4) == 0.6947
    for log_base in BASES:
        assert round(_solve(params, "nmi", log_base), 4) == 1.3677
    assert solve({**params, "measure": "ssd", "log_base": 2}).display == "1/3 ≈ 0.3333"


def test_conventions_joint_histogram_is_shown():
    sol = solve({"measure": "mi", "a": I, "b": J, "log_base": 2})
    table = sol.steps[1].split("\n")
    rows = [line.split()[1:5] for line in table[2:6]]
    assert rows == [["1", "1", "0", "0"], ["0", "2", "0", "0"], ["0", "1", "1", "1"], ["0", "0", "0", "2"]]
    assert "bits" in sol.display


# --------------------------------------------------------------------------- edge cases by hand


def test_identical_images():
    same = {"a": [[0, 1], [2, 3]], "b": [[0, 1], [2, 3]]}
    assert _solve(same, "ssd") == 0.0
    assert _solve(same, "cc") == pytest.approx(1.0)
    assert _solve(same, "mi", 2) == pytest.approx(2.0)  # four equiprobable values: 2 bits
    assert _solve(same, "nmi") == pytest.approx(2.0)
    assert _solve(same, "joint_entropy", 10) == pytest.approx(math.log10(4))


def test_inverted_image_has_cc_minus_one_and_full_mi():
    params = {"a": [[0, 1], [2, 3]], "b": [[3, 2], [1, 0]]}
    assert _solve(params, "cc") == pytest.approx(-1.0)
    assert _solve(params, "mi", 2) == pytest.approx(2.0)
    assert _solve(params, "ssd") == pytest.approx((9 + 1 + 1 + 9) / 4)
    assert _solve(params, "sad") == pytest.approx((3 + 1 + 1 + 3) / 4)


def test_independent_images_have_zero_mi_and_nmi_one():
    params = {"a": [[0, 0], [1, 1]], "b": [[0, 1], [0, 1]]}
    assert _solve(params, "mi") == pytest.approx(0.0, abs=1e-12)
    assert _solve(params, "nmi") == pytest.approx(1.0)
    assert _solve(params, "cc") == pytest.approx(0.0, abs=1e-12)


def test_constant_image_allowed_where_defined():
    params = {"a": [[1, 1], [1, 1]], "b": [[0, 1], [2, 3]]}
    assert _solve(params, "mi") == pytest.approx(0.0, abs=1e-12)
    assert _solve(params, "nmi") == pytest.approx(1.0)
    assert _solve(params, "ssd") == pytest.approx((1 + 0 + 1 + 4) / 4)


def test_log_base_defaults_to_2_and_accepts_strings():
    params = {"measure": "mi", "a": I, "b": J}
    assert solve(params).answer == pytest.approx(_solve(params, "mi", 2))
    assert solve({**params, "log_base": "10"}).answer == pytest.approx(_solve(params, "mi", 10))
    assert solve({**params, "log_base": "e"}).display.endswith("nats")
    assert typed_params(NAME, {**params, "log_base": "10"}) == typed_params(NAME, {**params, "log_base": 10})


@pytest.mark.parametrize(
    "params",
    [
        None,
        {},
        {"measure": "mse", "a": I, "b": J},
        {"measure": "ssd", "a": I, "b": [[0, 1], [1, 1]]},
        {"measure": "ssd", "a": [[0, -1]], "b": [[0, 1]]},
        {"measure": "ssd", "a": [[0, 1.5]], "b": [[0, 1]]},
        {"measure": "ssd", "a": [[0, "1"]], "b": [[0, 1]]},
        {"measure": "ssd", "a": [[0, True]], "b": [[0, 1]]},
        {"measure": "ssd", "a": [[0, 1], [1]], "b": [[0, 1], [1, 1]]},
        {"measure": "ssd", "a": [[0, 1000]], "b": [[0, 1]]},
        {"measure": "mi", "a": I, "b": J, "log_base": 3},
        {"measure": "mi", "a": I, "b": J, "log_base": True},
        {"measure": "cc", "a": [[2, 2], [2, 2]], "b": [[0, 1], [2, 3]]},
        {"measure": "nmi", "a": [[2, 2]], "b": [[1, 1]]},
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"measure": "ssd", "a": [[0, 1], [1, "1"]], "b": [[0, 1], [1, 1]]}, "at $.a[1][1]: expected an integer, got '1'"),
        ({"measure": "ssd", "a": [[0, -1]], "b": [[0, 1]]}, "at $.a: must hold intensities from 0 to 255 (one histogram bin per value), found -1"),
        ({"measure": "ssd", "a": I, "b": [[0, 1], [1, 1]]}, "at $.b: is 2x2 but a is 3x3; the images must overlap pixel for pixel"),
        ({"measure": "cc", "a": [[2, 2], [2, 2]], "b": [[0, 1], [2, 3]]}, "at $.a: is constant: CC is undefined for an image with zero variance"),
        ({"measure": "mi", "a": I, "b": J, "log_base": 3}, "at $.log_base: expected one of 2, 'e', 10, '2', '10', got 3"),
        ({"measure": "mse", "a": I, "b": J}, "at $.measure: expected one of 'ssd', 'sad', 'cc', 'joint_entropy', 'mi', 'nmi', got 'mse'"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


# --------------------------------------------------------------------------- properties


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(list(LEVELS)))
def test_instances_are_valid(seed, level):
    inst = make_instance(NAME, level, seed)
    spec_level = load_spec(NAME).levels[level]
    lo, hi = spec_level["size"]
    a, b = np.array(inst.params["a"]), np.array(inst.params["b"])
    assert a.shape == b.shape and lo <= a.shape[0] <= hi and lo <= a.shape[1] <= hi
    if level in ("easy", "exam"):
        assert max(a.shape) <= 4 and max(a.max(), b.max()) <= 3
    assert a.min() >= 0 and b.min() >= 0 and max(a.max(), b.max()) <= spec_level["max_value"]
    assert a.std() > 0 and b.std() > 0  # never zero variance
    assert (a != b).sum() >= 2
    measure = inst.params["measure"]
    assert measure in family.MEASURES
    if measure in ("joint_entropy", "mi"):
        assert inst.params["log_base"] in spec_level["log_bases"]
        assert family.LOG_BASES[inst.params["log_base"]][2] in inst.question
    assert math.isfinite(inst.answer)
    if measure == "nmi":
        assert 1 <= inst.answer <= 2
    if measure == "cc":
        assert -1 <= inst.answer <= 1
    assert inst.solution.display
    assert "{" not in inst.question


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(list(LEVELS)))
def test_instances_are_reproducible(seed, level):
    assert make_instance(NAME, level, seed).to_dict() == make_instance(NAME, level, seed).to_dict()


def test_sampler_uses_only_the_given_rng():
    level = level_settings(NAME, "exam")
    first = family.sample(random.Random(3), level)
    random.seed(999)
    assert family.sample(random.Random(3), level) == first


def test_every_measure_and_base_is_sampled():
    instances = [make_instance(NAME, "exam", seed) for seed in range(200)]
    assert {i.params["measure"] for i in instances} == set(family.MEASURES)
    info = [i for i in instances if i.params["measure"] in ("joint_entropy", "mi")]
    assert {i.params["log_base"] for i in info} == {2, "e", 10}


def test_doc_example_and_its_slips_are_current():
    """docs/problems/image-similarity.md shows exam seed 5, its answer and its slips' answers: they must not go stale."""
    page = (ROOT / "docs" / "problems" / "image-similarity.md").read_text(encoding="utf-8")
    instance = make_instance("image-similarity", "exam", 5)
    assert json.loads(re.search(r"```json\n(.*?)\n```", page, re.S).group(1)) == instance.params
    slips = page.split("## Mistakes it recognises")[1].split("For the example above")[1]
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", slips, re.M)
    assert listed and sorted(set(listed)) == sorted({mistake_id for mistake_id, _ in mistake_answers(instance)})



@settings(max_examples=300, deadline=None)
@given(height=st.integers(1, 5), width=st.integers(1, 5), values=st.lists(st.integers(0, 255), min_size=50, max_size=50),
       centred=st.booleans())
def test_the_integer_correlation_sums_are_the_fractions_floats(height: int, width: int, values: list, centred: bool) -> None:
    """The sampler's integer sums give the same floats as the exact Fraction sums the solver shows."""
    a = [values[r * 5 : r * 5 + width] for r in range(height)]
    b = [values[25 + r * 5 : 25 + r * 5 + width] for r in range(height)]
    exact = tuple(float(v) for v in family._correlation_sums(a, b, centred))
    assert family._correlation_floats(a, b, centred) == exact
