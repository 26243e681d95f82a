"""iou-nms: IoU by counting unit cells on the integer grid, NMS by an independent numpy loop,
and both against torchvision.ops when it is installed; the slips against the same references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mli_drill.problems.families import iou_nms as fam
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "iou-nms"
LEVELS = ("easy", "exam", "hard")


def solve(params):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return fam.solve(typed_params(FAMILY, params))


def cells(box: list[int], plus_one: bool = False) -> set[tuple[int, int]]:
    """The unit cells a box covers: its area is their count (the +1 convention covers one more row and column)."""
    extra = 1 if plus_one else 0
    return {(x, y) for x in range(box[0], box[2] + extra) for y in range(box[1], box[3] + extra)}


def grid_iou(a: list[int], b: list[int], plus_one: bool = False) -> float:
    ca, cb = cells(a, plus_one), cells(b, plus_one)
    return len(ca & cb) / len(ca | cb)


def numpy_nms(boxes, scores, threshold, overlap=grid_iou, inclusive=False, against_all=False) -> list[int]:
    """NMS as a mask over a precomputed IoU matrix: each box in score order removes the boxes it overlaps."""
    n = len(boxes)
    matrix = np.array([[overlap(boxes[i], boxes[j]) for j in range(n)] for i in range(n)])
    alive = np.ones(n, dtype=bool)
    kept = []
    for i in np.argsort(-np.array(scores), kind="stable"):
        if not alive[i] and not against_all:
            continue
        if alive[i]:
            kept.append(int(i))
        hit = matrix[i] >= threshold - 1e-12 if inclusive else matrix[i] > threshold + 1e-12
        hit[i] = False
        later = np.array(scores) < scores[i]
        alive &= ~(hit & later)
    return kept


def reference(params: dict):
    if params["ask"] == "iou":
        return grid_iou(params["a"], params["b"])
    return numpy_nms(params["boxes"], params["scores"], params["threshold"])


def instances(per_level: int = 100):
    for level in LEVELS:
        for seed in range(per_level):
            yield make_instance(FAMILY, level, seed)


def test_against_grid_counting_and_numpy_nms():
    asked = set()
    for inst in instances():
        asked.add(inst.params["ask"])
        expected = reference(inst.params)
        if inst.params["ask"] == "iou":
            assert inst.answer == pytest.approx(expected, abs=1e-12), inst.params
        else:
            assert inst.answer == expected, inst.params
    assert asked == {"iou", "nms"}


def test_against_torchvision():
    torch = pytest.importorskip("torch")
    ops = pytest.importorskip("torchvision.ops")
    for inst in instances():
        p = inst.params
        if p["ask"] == "iou":
            value = ops.box_iou(torch.tensor([p["a"]], dtype=torch.float64), torch.tensor([p["b"]], dtype=torch.float64))
            assert inst.answer == pytest.approx(value.item(), abs=1e-12)
        else:
            kept = ops.nms(torch.tensor(p["boxes"], dtype=torch.float64), torch.tensor(p["scores"], dtype=torch.float64),
                           p["threshold"])
            assert inst.answer == kept.tolist()


def test_hand_worked_examples():
    # A = [0, 0, 4, 4], B = [2, 2, 6, 6]: overlap 2x2 = 4, union 16 + 16 - 4 = 28, IoU = 1/7
    assert solve({"ask": "iou", "a": [0, 0, 4, 4], "b": [2, 2, 6, 6]}).answer == pytest.approx(1 / 7)
    # touching boxes share an edge and no area
    assert solve({"ask": "iou", "a": [0, 0, 2, 2], "b": [2, 0, 4, 2]}).answer == 0
    # nested: IoU = inner / outer
    assert solve({"ask": "iou", "a": [0, 0, 4, 4], "b": [1, 1, 3, 3]}).answer == pytest.approx(4 / 16)
    # the chain: 1 is suppressed by 0; 2 overlaps only 1, so it survives
    boxes = [[0, 0, 4, 4], [2, 0, 6, 4], [4, 0, 8, 4]]
    params = {"ask": "nms", "boxes": boxes, "scores": [0.9, 0.8, 0.7], "threshold": 0.3}
    assert solve(params).answer == [0, 2]


def test_threshold_is_strict():
    # overlap 3x2 = 6, union 8 + 8 - 6 = 10: IoU exactly 0.6, which does not exceed the threshold 0.6
    params = {"ask": "nms", "boxes": [[0, 0, 4, 2], [1, 0, 5, 2]], "scores": [0.6, 0.9], "threshold": 0.6}
    assert grid_iou(*params["boxes"]) == pytest.approx(0.6)
    assert solve(params).answer == [1, 0]
    inclusive = next(m for m in fam.MISTAKES if m.id == "threshold-inclusive")
    assert inclusive.answer(typed_params(FAMILY, params)) == [1]


def slipped(params: dict, slip: str):
    """Each catalogued slip computed independently with the grid and numpy references."""
    ask = params["ask"]
    if ask == "iou":
        a, b = params["a"], params["b"]
        inter, size_a, size_b = len(cells(a) & cells(b)), len(cells(a)), len(cells(b))
        return {
            "plus-one-pixel": grid_iou(a, b, plus_one=True),
            "intersection-over-sum": inter / (size_a + size_b),
            "dice-for-iou": 2 * inter / (size_a + size_b),
        }.get(slip)
    boxes, scores, t = params["boxes"], params["scores"], params["threshold"]
    if slip == "plus-one-pixel":
        return numpy_nms(boxes, scores, t, overlap=lambda a, b: grid_iou(a, b, plus_one=True))
    if slip == "threshold-inclusive":
        return numpy_nms(boxes, scores, t, inclusive=True)
    if slip == "suppress-against-all":
        return numpy_nms(boxes, scores, t, against_all=True)
    if slip == "index-order":
        return sorted(numpy_nms(boxes, scores, t))
    return None


def test_slips_against_independent_references(check_slips):
    check_slips(instances(), fam.MISTAKES, slipped)


def test_hard_nms_always_has_a_chain():
    for seed in range(60):
        p = make_instance(FAMILY, "hard", seed).params
        if p["ask"] == "nms":
            assert numpy_nms(p["boxes"], p["scores"], p["threshold"], against_all=True) != reference(p)


@pytest.mark.parametrize(
    "params",
    [
        {"ask": "iou", "a": [0, 0, 4], "b": [0, 0, 1, 1]},
        {"ask": "iou", "a": [3, 0, 1, 4], "b": [0, 0, 1, 1]},
        {"ask": "iou", "a": [0, 0, 1.5, 4], "b": [0, 0, 1, 1]},
        {"ask": "nms", "boxes": [[0, 0, 1, 1]], "scores": [0.5], "threshold": 0.5},
        {"ask": "nms", "boxes": [[0, 0, 1, 1], [0, 0, 2, 2]], "scores": [0.5, 0.5], "threshold": 0.5},
        {"ask": "nms", "boxes": [[0, 0, 1, 1], [0, 0, 2, 2]], "scores": [0.5, 0.6], "threshold": 1.5},
        {"ask": "area"},
        [],
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParams):
        solve(params)


TWO = [[0, 0, 1, 1], [0, 0, 2, 2]]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"ask": "nms", "boxes": [[0, 0, 1, 1], [0, 0, "2", 2]], "scores": [0.5, 0.6], "threshold": 0.5},
         "at $.boxes[1][2]: expected an integer, got '2'"),
        ({"ask": "nms", "boxes": [[0, 0, 1, 1], [3, 0, 1, 4]], "scores": [0.5, 0.6], "threshold": 0.5},
         "at $.boxes[1]: needs x1 < x2 and y1 < y2, got [3, 0, 1, 4]"),
        ({"ask": "nms", "boxes": TWO, "scores": [0.5, 0.6], "threshold": 1.5}, "at $.threshold: must be a number in [0, 1), got 1.5"),
        ({"ask": "nms", "boxes": TWO, "scores": [0.5, 0.5], "threshold": 0.5},
         "at $.scores: must be distinct, or the order of NMS is not defined"),
        ({"ask": "nms", "boxes": TWO, "scores": [0.5], "threshold": 0.5}, "at $.scores: must give one number per box: 1 for 2 boxes"),
        ({"ask": "iou", "a": [0, 0, 4], "b": [0, 0, 1, 1]}, "at $.a: expected a list of 4, got 3 item(s)"),
        ({"ask": "iou", "a": [0, 0, 4, 4]}, "at $.b: must be given when ask is 'iou'"),
        ({"ask": "iou", "a": [0, 0, 4, 4], "b": [0, 0, 1, 1], "threshold": 0.5}, "at $.threshold: does not apply when ask is 'iou'"),
    ],
)
def test_invalid_params_name_the_path(params, message):
    with pytest.raises(InvalidParams) as caught:
        solve(params)
    assert str(caught.value) == message


def test_each_ask_keeps_only_its_own_keys():
    """The JSON form of an IoU question has no NMS keys and the other way round (as before the typed params)."""
    from mli_drill.problems.convert import dump

    for written in ({"ask": "iou", "a": [0, 0, 4, 4], "b": [2, 2, 6, 6]},
                  {"ask": "nms", "boxes": TWO, "scores": [0.5, 0.6], "threshold": 0.5}):
        assert dump(typed_params(FAMILY, written)) == written


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 2), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    spec = load_spec(FAMILY).levels[level]
    inst = make_instance(FAMILY, level, seed)
    p = inst.params
    boxes = [p["a"], p["b"]] if p["ask"] == "iou" else p["boxes"]
    low, high = spec["side"]
    for box in boxes:
        assert box[0] < box[2] and box[1] < box[3]
    if p["ask"] == "nms":
        assert spec["boxes"][0] <= len(boxes) <= spec["boxes"][1]
        assert p["threshold"] in spec["thresholds"]
        assert len(set(p["scores"])) == len(p["scores"])
        assert 1 < len(inst.answer) < len(boxes)
    else:
        assert 0 <= inst.answer <= 1
    assert make_instance(FAMILY, level, seed).to_dict() == inst.to_dict()


def test_boxes_lie_inside_the_image():
    """Corners lie in [0, extent], as the spec documents: a detector's boxes have no negative coordinates."""
    for level in LEVELS:
        extent = load_spec(FAMILY).levels[level]["extent"]
        for seed in range(150):
            p = make_instance(FAMILY, level, seed).params
            for box in [p["a"], p["b"]] if p["ask"] == "iou" else p["boxes"]:
                assert 0 <= box[0] < box[2] <= extent and 0 <= box[1] < box[3] <= extent, (level, seed, box)


def test_an_iou_slip_is_never_accepted_as_correct():
    """A small box nested in a large one makes |A ∩ B|/(|A| + |B|) fall within the checker's tolerance of
    the IoU (1/19 against 1/18), so forgetting to subtract the overlap would be marked right: the sampler
    prefers instances where every slip's value is told apart from the answer."""
    from mli_drill.problems.answers import matches

    for level in LEVELS:
        for seed in range(200):
            inst = make_instance(FAMILY, level, seed)
            if inst.params["ask"] != "iou":
                continue
            for mistake in fam.MISTAKES:
                value = mistake.answer(inst.typed)
                assert value == inst.answer or not matches(value, inst.answer, inst.answer_spec), (mistake.id, level, seed)


def test_messages_quote_the_instance_numbers():
    """The Dice slip shows its own fraction and the IoU's; the suppress-against-all slip names the box that
    survives and the suppressed box over it (the hand-worked chain: 1 is suppressed by 0, 2 overlaps only 1)."""
    messages = {m.id: m.message for m in fam.MISTAKES}
    dice = messages["dice-for-iou"](typed_params(FAMILY, {"ask": "iou", "a": [0, 0, 4, 4], "b": [2, 2, 6, 6]}))
    assert "2·4/32 = 1/4" in dice and "4/28" in dice
    chain = {"ask": "nms", "boxes": [[0, 0, 4, 4], [2, 0, 6, 4], [4, 0, 8, 4]], "scores": [0.9, 0.8, 0.7], "threshold": 0.3}
    assert "box 2 overlaps box 1 with IoU 1/3" in messages["suppress-against-all"](typed_params(FAMILY, chain))
