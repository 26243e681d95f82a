"""backprop-graph: forward values and gradients against torch autograd and central finite differences."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mli_drill.problems.convert import load
from mli_drill.problems.families import backprop_graph as fam
from mli_drill.problems.families.base import InvalidParams
from mli_drill.problems.instance import make_instance, typed_params
from mli_drill.problems.spec import load_spec

FAMILY = "backprop-graph"
LEVELS = ("easy", "exam", "hard")
SEEDS = range(100)  # 300 instances


def solve(params):
    """The solver on JSON params, through the converter, as ``problems check --params`` gives them."""
    return fam.solve(typed_params(FAMILY, params))


def graph(tree: dict) -> fam.GraphNode:
    """A JSON expression tree as the family's typed graph."""
    return load(fam.GraphNode, tree)


def evaluate(tree: dict, values: dict[str, float]) -> float:
    """Independent plain-Python evaluator of the expression tree."""
    if "var" in tree:
        return float(values[tree["var"]])
    args = [evaluate(a, values) for a in tree["args"]]
    op = tree["op"]
    if op == "add":
        return args[0] + args[1]
    if op == "mul":
        return args[0] * args[1]
    if op == "max":
        return max(args)
    if op == "relu":
        return max(args[0], 0.0)
    assert op == "sigmoid"
    return 1 / (1 + math.exp(-args[0]))


def finite_difference(tree: dict, values: dict[str, float], wrt: str, h: float = 1e-6) -> float:
    up = dict(values, **{wrt: values[wrt] + h})
    down = dict(values, **{wrt: values[wrt] - h})
    return (evaluate(tree, up) - evaluate(tree, down)) / (2 * h)


def instances():
    for level in LEVELS:
        for seed in SEEDS:
            yield make_instance(FAMILY, level, seed)


def test_against_finite_differences():
    ops_seen = set()
    for inst in instances():
        p = inst.params
        ops_seen |= {n.op for n in fam.flatten(inst.typed.graph, p["values"])}
        if p["ask"] == "value":
            assert inst.answer == pytest.approx(evaluate(p["graph"], p["values"]), abs=1e-12)
        else:
            assert inst.answer == pytest.approx(finite_difference(p["graph"], p["values"], p["wrt"]), abs=1e-6), p
        # every variable's gradient, not only the one asked
        for name in fam.variables(inst.typed.graph):
            grad = solve({**p, "ask": "grad", "wrt": name}).answer
            assert grad == pytest.approx(finite_difference(p["graph"], p["values"], name), abs=1e-6)
    assert ops_seen == {"add", "mul", "max", "relu", "sigmoid"}


def test_against_torch_autograd():
    torch = pytest.importorskip("torch")

    def build(tree, leaves):
        if "var" in tree:
            return leaves[tree["var"]]
        args = [build(a, leaves) for a in tree["args"]]
        op = tree["op"]
        if op == "add":
            return args[0] + args[1]
        if op == "mul":
            return args[0] * args[1]
        if op == "max":
            return torch.maximum(args[0], args[1])
        if op == "relu":
            return torch.relu(args[0])
        return torch.sigmoid(args[0])

    for inst in instances():
        p = inst.params
        leaves = {n: torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for n, v in p["values"].items()}
        f = build(p["graph"], leaves)
        if p["ask"] == "value":
            assert inst.answer == pytest.approx(f.item(), abs=1e-12)
            continue
        f.backward()
        assert inst.answer == pytest.approx(leaves[p["wrt"]].grad.item(), abs=1e-12), p


LECTURE_GRAPH = {  # f = (x + y) * max(z, w)
    "op": "mul",
    "args": [
        {"op": "add", "args": [{"var": "x"}, {"var": "y"}]},
        {"op": "max", "args": [{"var": "z"}, {"var": "w"}]},
    ],
}


def test_lecture_example():
    values = {"x": 3, "y": -4, "z": 2, "w": -1}
    assert solve({"graph": LECTURE_GRAPH, "values": values, "ask": "value"}).answer == -2
    grads = {v: solve({"graph": LECTURE_GRAPH, "values": values, "ask": "grad", "wrt": v}).answer for v in values}
    assert grads == {"x": 2, "y": 2, "z": -1, "w": 0}  # max routes the gradient to z only
    assert fam.expression(graph(LECTURE_GRAPH)) == "(x + y) * max(z, w)"


def test_relu_and_sigmoid_examples():
    relu_graph = {"op": "relu", "args": [{"op": "add", "args": [
        {"op": "mul", "args": [{"var": "a"}, {"var": "b"}]}, {"var": "c"}]}]}
    assert fam.expression(graph(relu_graph)) == "relu(a * b + c)"
    on = {"a": 2, "b": 3, "c": -1}
    assert solve({"graph": relu_graph, "values": on, "ask": "grad", "wrt": "a"}).answer == 3
    off = {"a": 2, "b": -3, "c": 1}
    assert solve({"graph": relu_graph, "values": off, "ask": "grad", "wrt": "a"}).answer == 0
    sig = {"op": "sigmoid", "args": [{"op": "mul", "args": [{"var": "w"}, {"var": "x"}]}]}
    s = 1 / (1 + math.exp(-2))
    assert solve({"graph": sig, "values": {"w": 1, "x": 2}, "ask": "grad", "wrt": "w"}).answer == pytest.approx(
        2 * s * (1 - s)
    )


def test_reused_variable_sums_gradients():
    graph = {"op": "mul", "args": [{"op": "add", "args": [{"var": "x"}, {"var": "y"}]}, {"var": "x"}]}  # (x + y) * x
    sol = solve({"graph": graph, "values": {"x": 2, "y": 3}, "ask": "grad", "wrt": "x"})
    assert sol.answer == 2 * 2 + 3  # d/dx (x^2 + xy) = 2x + y
    assert "used 2 times" in "\n".join(sol.steps)
    square = {"op": "mul", "args": [{"var": "x"}, {"var": "x"}]}
    assert solve({"graph": square, "values": {"x": -3}, "ask": "grad", "wrt": "x"}).answer == -6


def test_grouping_is_shown():
    right_nested = {"op": "mul", "args": [{"var": "x"}, {"op": "mul", "args": [{"var": "y"}, {"var": "z"}]}]}
    assert fam.expression(graph(right_nested)) == "x * (y * z)"
    left_nested = {"op": "add", "args": [{"op": "add", "args": [{"var": "x"}, {"var": "y"}]}, {"var": "z"}]}
    assert fam.expression(graph(left_nested)) == "x + y + z"


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"graph": {"var": "x"}, "values": {"x": 1}, "ask": "value"},
        {"graph": {"op": "pow", "args": [{"var": "x"}, {"var": "y"}]}, "values": {"x": 1, "y": 2}, "ask": "value"},
        {"graph": {"op": "add", "args": [{"var": "x"}]}, "values": {"x": 1}, "ask": "value"},
        {"graph": LECTURE_GRAPH, "values": {"x": 1, "y": 2, "z": 3}, "ask": "value"},  # w missing
        {"graph": LECTURE_GRAPH, "values": {"x": 1, "y": 2, "z": 3, "w": 3}, "ask": "grad", "wrt": "x"},  # max tie
        {"graph": {"op": "relu", "args": [{"op": "add", "args": [{"var": "x"}, {"var": "y"}]}]},
         "values": {"x": 1, "y": -1}, "ask": "grad", "wrt": "x"},  # relu kink
        {"graph": LECTURE_GRAPH, "values": {"x": 1, "y": 2, "z": 3, "w": 4}, "ask": "grad", "wrt": "q"},
        {"graph": LECTURE_GRAPH, "values": {"x": 1, "y": 2, "z": 3, "w": 4}, "ask": "hessian"},
        {"graph": {"op": "add", "args": [{"var": "x"}, {"var": "y", "code": "1"}]}, "values": {"x": 1, "y": 1},
         "ask": "value"},
    ],
)
def test_invalid_params(bad):
    with pytest.raises(InvalidParams):
        solve(bad)


GOOD = {"graph": LECTURE_GRAPH, "values": {"x": 1, "y": 2, "z": 3, "w": 4}, "ask": "grad", "wrt": "x"}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"graph": {"op": "mul", "args": [{"var": "x"}, {"op": "max", "args": [{"var": "y"}, {"var": 3}]}]}},
         "at $.graph.args[1].args[1].var: expected a string, got 3"),
        ({"graph": {"op": "mul", "args": [{"var": "x"}, {"op": "relu", "args": [{"var": "y"}, {"var": "z"}]}]}},
         "at $.graph.args[1].args: relu takes 1 argument(s), got 2"),
        ({"graph": {"op": "add", "args": [{"var": "x"}, {"op": "pow", "args": [{"var": "y"}, {"var": "z"}]}]}},
         "at $.graph.args[1].op: expected one of 'add', 'mul', 'max', 'relu', 'sigmoid', got 'pow'"),
        ({"graph": {"var": "x", "op": "add"}}, 'at $.graph.op: a leaf is {"var": name}, without op'),
        ({"values": {"x": 1, "y": 2, "z": 3}}, "at $.values: must give a number for each of x, y, z, w: 'w' is missing"),
        ({"values": {"x": 1, "y": "2", "z": 3, "w": 4}}, "at $.values.y: expected a number, got '2'"),
        ({"values": {"x": 1, "y": 2, "z": 3, "w": float("inf")}}, "at $.values.w: must be a finite number, got inf"),
        ({"wrt": "q"}, "at $.wrt: must be one of the graph's variables: x, y, z, w"),
        ({"ask": "value"}, "at $.wrt: is only used when ask is 'grad'"),
        ({"values": {"x": 1, "y": 2, "z": 3, "w": 3}}, "at $.values: max(z, w) has a tie: its gradient is not defined"),
    ],
)
def test_invalid_params_name_the_path(change, message):
    with pytest.raises(InvalidParams) as caught:
        solve({**GOOD, **change})
    assert str(caught.value) == message


def test_too_deep_a_graph_is_rejected():
    tree = {"var": "x"}
    for _ in range(13):
        tree = {"op": "relu", "args": [tree]}
    with pytest.raises(InvalidParams, match=r"at \$\.graph: is nested too deeply"):
        solve({"graph": tree, "values": {"x": 1}, "ask": "value"})


def test_level_ranges_are_checked():
    with pytest.raises(InvalidParams, match=r"at \$\.leaves: must be \[min, max\] with 2 <= min <= max <= 7"):
        load(fam.Level, {"leaves": [1, 3]})
    with pytest.raises(InvalidParams, match=r"at \$\.grad_probability: must be between 0 and 1"):
        load(fam.Level, {"grad_probability": 1.5})


def test_wrt_only_in_the_json_of_a_gradient_question():
    for seed in range(20):
        params = make_instance(FAMILY, "exam", seed).params
        assert list(params) == (["graph", "values", "ask", "wrt"] if params["ask"] == "grad" else ["graph", "values", "ask"])


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), level=st.sampled_from(LEVELS))
def test_instances_valid_and_reproducible(seed, level):
    inst = make_instance(FAMILY, level, seed)
    assert inst.to_dict() == make_instance(FAMILY, level, seed).to_dict()
    p = inst.params
    spec_level = load_spec(FAMILY).levels[level]
    nodes = fam.flatten(inst.typed.graph, p["values"])
    value_of = {n: float(v) for n, v in p["values"].items()} | {n.name: n.value for n in nodes}
    for node in nodes:
        assert node.op in spec_level["binary_ops"] + spec_level["unary_ops"]
        if node.op == "max":
            assert value_of[node.args[0]] != value_of[node.args[1]]
        if node.op == "relu":
            assert value_of[node.args[0]] != 0
        if node.op == "sigmoid":
            assert abs(value_of[node.args[0]]) <= spec_level["max_sigmoid_input"]
    leaves = sum(1 for _ in _leaves(p["graph"]))
    assert spec_level["leaves"][0] <= leaves <= spec_level["leaves"][1]
    assert nodes[-1].value != 0
    assert all(v != 0 for v in p["values"].values())
    assert inst.solution.kind == "real"
    if level == "easy":
        assert isinstance(inst.answer, float) and inst.answer == int(inst.answer)  # integers only


def _leaves(tree):
    if "var" in tree:
        yield tree["var"]
    else:
        for a in tree["args"]:
            yield from _leaves(a)


def _torch_slipped_ops(torch):
    """Each slip as a torch autograd Function with the right forward and the slipped backward."""

    class MulOwnInput(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * a, grad * b

    class MaxToBoth(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return torch.maximum(a, b)

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    class ReluPassesAll(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return torch.relu(a)

        @staticmethod
        def backward(ctx, grad):
            return grad

    class SigmoidLocalIsS(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            out = torch.sigmoid(a)
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad):
            (out,) = ctx.saved_tensors
            return grad * out

    return {"mul-own-input": ("mul", MulOwnInput), "max-to-both": ("max", MaxToBoth),
            "relu-passes-all": ("relu", ReluPassesAll), "sigmoid-local-is-s": ("sigmoid", SigmoidLocalIsS)}


def test_slips_against_torch_custom_backward():
    torch = pytest.importorskip("torch")
    slipped = _torch_slipped_ops(torch)
    right = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "max": torch.maximum,
             "relu": torch.relu, "sigmoid": torch.sigmoid}

    def build(tree, leaves, slip):
        if "var" in tree:
            return leaves[tree["var"]]
        args = [build(a, leaves, slip) for a in tree["args"]]
        op, function = slipped[slip]
        return function.apply(*args) if tree["op"] == op else right[tree["op"]](*args)

    seen = set()
    for inst in instances():
        p = inst.params
        for mistake in fam.MISTAKES:
            value = mistake.answer(inst.typed)
            op = slipped[mistake.id][0]
            if p["ask"] != "grad" or fam._count_ops(inst.typed.graph, (op,)) == 0:
                assert value is None, (mistake.id, p)
                continue
            leaves = {n: torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for n, v in p["values"].items()}
            build(p["graph"], leaves, mistake.id).backward()
            expected = leaves[p["wrt"]].grad
            assert value == pytest.approx(0.0 if expected is None else expected.item(), abs=1e-12), (mistake.id, p)
            seen.add(mistake.id)
    assert seen == set(slipped)
