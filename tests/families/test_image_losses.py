"""image-losses: against numpy and scipy.signal.correlate2d (always), and torch's l1_loss, mse_loss and
conv2d (when torch is installed); the slips against the same references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import convolve2d, correlate2d

from mli_drill.problems.families import image_losses as fam
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "image-losses"
LEVELS = ("easy", "exam", "hard")


def solve(params: dict):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return fam.solve(typed_params(FAMILY, params))


def scipy_reference(p: dict, loss: str = "l2", mean: bool = True, average: bool = True, flip: bool = False) -> float:
    pred, target = np.array(p["prediction"], dtype=float), np.array(p["target"], dtype=float)
    reduce = np.mean if mean else np.sum
    if p["ask"] != "perceptual":
        diff = pred - target
        return float(reduce(np.abs(diff) if p["ask"] == "l1" else diff**2))
    mapping = convolve2d if flip else correlate2d
    losses = []
    for f in p["filters"]:
        diff = mapping(pred, np.array(f), mode="valid") - mapping(target, np.array(f), mode="valid")
        losses.append(reduce(np.abs(diff) if loss == "l1" else diff**2))
    return float(np.mean(losses) if average else np.sum(losses))


def instances(per_level: int = 100):
    for level in LEVELS:
        for seed in range(per_level):
            yield make_instance(FAMILY, level, seed)


def test_against_scipy():
    asked = set()
    for inst in instances():
        asked.add(inst.params["ask"])
        assert inst.answer == pytest.approx(scipy_reference(inst.params), abs=1e-12), inst.params
    assert asked == set(fam.ASKS)


def test_against_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    for inst in instances():
        p = inst.params
        pred = torch.tensor(p["prediction"], dtype=torch.float64)[None, None]
        target = torch.tensor(p["target"], dtype=torch.float64)[None, None]
        if p["ask"] == "l1":
            expected = F.l1_loss(pred, target).item()
        elif p["ask"] == "l2":
            expected = F.mse_loss(pred, target).item()
        else:
            weights = torch.tensor(p["filters"], dtype=torch.float64)[:, None]  # (filters, 1, 2, 2)
            # mse over every map pixel of every filter = the mean over filters of each filter's mean (equal map sizes)
            expected = F.mse_loss(F.conv2d(pred, weights), F.conv2d(target, weights)).item()
        assert inst.answer == pytest.approx(expected, abs=1e-12), p


def test_hand_worked_examples():
    pred, target = [[1, 2], [3, 4]], [[1, 0], [0, 4]]
    assert solve({"ask": "l1", "prediction": pred, "target": target}).answer == pytest.approx(5 / 4)
    assert solve({"ask": "l2", "prediction": pred, "target": target}).answer == pytest.approx(13 / 4)
    # a 2x2 filter on 2x2 images gives one feature value each: (1·1 + 2·0 + 3·0 + 4·1) vs (1 + 4) -> 0
    one = {"ask": "perceptual", "prediction": pred, "target": target, "filters": [[[1, 0], [0, 1]]]}
    assert solve(one).answer == 0
    two = {**one, "filters": [[[1, 0], [0, 1]], [[0, 1], [0, 0]]]}  # second: 2 vs 0, squared 4; mean (0 + 4)/2
    assert solve(two).answer == pytest.approx(2)


SLIPS = {
    "not-divided-by-pixels": dict(mean=False),
    "filters-summed": dict(average=False),
    "l1-for-perceptual": dict(loss="l1"),
    "flipped-filter": dict(flip=True),
}


def slipped(p: dict, slip: str) -> float | None:
    if slip == "other-pixel-loss":
        return None if p["ask"] == "perceptual" else scipy_reference({**p, "ask": "l2" if p["ask"] == "l1" else "l1"})
    if slip == "not-divided-by-pixels":
        return scipy_reference(p, mean=False)
    if p["ask"] != "perceptual" or (slip == "filters-summed" and len(p["filters"]) == 1):
        return None
    return scipy_reference(p, **SLIPS[slip])


def test_slips_against_scipy(check_slips):
    check_slips(instances(), fam.MISTAKES, slipped)


def test_slips_differ_from_the_answer_and_each_other_beyond_the_tolerance():
    """Not only unequal: a flipped filter that moves the loss by under 1% would be marked correct (it did in
    about one hard perceptual question in ten), so no slip may match the answer, or another slip, by the checker."""
    from mli_drill.problems.answers import matches

    for inst in instances(150):
        values = [v for v in (m.answer(inst.typed) for m in fam.MISTAKES) if v is not None]
        for n, value in enumerate(values):
            assert not matches(value, inst.answer, inst.answer_spec), (inst.level, inst.seed, inst.params)
            assert not any(matches(value, other, inst.answer_spec) for other in values[n + 1:]), inst.params


@pytest.mark.parametrize(
    "params",
    [
        {"ask": "l1", "prediction": [[1, 2]], "target": [[1]]},
        {"ask": "l1", "prediction": [[1, 2]], "target": [[1, 2]], "filters": [[[1]]]},
        {"ask": "perceptual", "prediction": [[1, 2]], "target": [[1, 2]]},
        {"ask": "perceptual", "prediction": [[1, 2]], "target": [[1, 2]], "filters": [[[1, 1], [1, 1]]]},
        {"ask": "l2", "prediction": [[1, 2.5]], "target": [[1, 2]]},
        {"ask": "ssim", "prediction": [[1]], "target": [[1]]},
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"ask": "perceptual", "prediction": [[1, 2], [3, 4]], "target": [[1, 2], [3, 4]], "filters": [[[1, 0], [0, "1"]]]},
         "at $.filters[0][1][1]: expected an integer, got '1'"),
        ({"ask": "l2", "prediction": [[1, 2.5]], "target": [[1, 2]]}, "at $.prediction[0][1]: expected an integer, got 2.5"),
        ({"ask": "perceptual", "prediction": [[1, 2]], "target": [[1, 2]], "filters": [[[1, 1], [1, 1]]]},
         "at $.filters[0]: is larger than the image"),
        ({"ask": "l1", "prediction": [[1, 2]], "target": [[1]]}, "at $.target: is 1x1 but prediction is 1x2: they must have the same size"),
        ({"ask": "l1", "prediction": [[1, 2]], "target": [[1, 2]], "filters": [[[1]]]}, "at $.filters: are only used by the perceptual loss"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


def test_filters_key_only_for_the_perceptual_loss():
    """The JSON form keeps the old shape: no "filters" key at all for L1 and L2."""
    for inst in instances(20):
        assert ("filters" in inst.params) == (inst.params["ask"] == "perceptual"), inst.params


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 2), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    spec = load_spec(FAMILY).levels[level]
    inst = make_instance(FAMILY, level, seed)
    p = inst.params
    sizes = spec["perceptual_size"] if p["ask"] == "perceptual" else spec["size"]
    assert sizes[0] <= len(p["prediction"]) <= sizes[1] and sizes[0] <= len(p["prediction"][0]) <= sizes[1]
    values = [v for grid in (p["prediction"], p["target"]) for row in grid for v in row]
    assert spec["values"][0] <= min(values) and max(values) <= spec["values"][1]
    if p["ask"] == "perceptual":
        assert spec["filters"][0] <= len(p["filters"]) <= spec["filters"][1]
        assert all(len(f) == 2 and len(f[0]) == 2 for f in p["filters"])
    assert inst.answer > 0
    assert make_instance(FAMILY, level, seed).to_dict() == inst.to_dict()
