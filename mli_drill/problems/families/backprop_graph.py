"""Forward and backward pass on a small computational graph, by hand.

Drills the lecture's way of backpropagating: evaluate the graph node by node,
then walk it backwards multiplying each upstream gradient by the node's local
gradient (add passes it on, mul swaps in the other input, max routes it to
the larger input, ReLU gates it, sigmoid scales it by s(1 - s)); a variable
used twice sums the gradients of its uses.

Params (JSON form):
    graph   expression tree; an inner node is {"op": OP, "args": [node, ...]} with OP one of
            "add", "mul", "max" (two args) or "relu", "sigmoid" (one arg); a leaf is {"var": name}
    values  {name: number} for every variable in the graph
    ask     "value" (f itself) | "grad" (df/d wrt)
    wrt     variable name (only when ask == "grad")
The tree is interpreted, never evaluated as code.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from mli_drill.problems.families.base import InvalidParams, Mistake, Rejections, Solution
from mli_drill.problems.families.common import fmt

BINARY = ("add", "mul", "max")
UNARY = ("relu", "sigmoid")
VARIABLE_NAMES = ("x", "y", "z", "w", "u", "v")


# ----------------------------------------------------------------------------- graph


@dataclass
class Node:
    """One operation of the flattened graph; ``args`` are node names (variables or earlier nodes)."""

    name: str
    op: str
    args: list[str]
    value: float = 0.0
    locals: list[float] = field(default_factory=list)


def _validate_tree(tree: object, depth: int = 0) -> None:
    if depth > 12:
        raise InvalidParams("graph is nested too deeply")
    if not isinstance(tree, dict):
        raise InvalidParams("every graph node must be a mapping")
    if "var" in tree:
        if set(tree) != {"var"} or not isinstance(tree["var"], str) or not tree["var"]:
            raise InvalidParams('a leaf must be {"var": name}')
        return
    op, args = tree.get("op"), tree.get("args")
    if op not in BINARY + UNARY:
        raise InvalidParams(f"unknown op {op!r}; use one of {', '.join(BINARY + UNARY)}")
    if not isinstance(args, list) or len(args) != (2 if op in BINARY else 1):
        raise InvalidParams(f"{op} takes {2 if op in BINARY else 1} argument(s)")
    for arg in args:
        _validate_tree(arg, depth + 1)


def variables(tree: dict) -> list[str]:
    """Variable names in order of first appearance (left to right)."""
    if "var" in tree:
        return [tree["var"]]
    seen: list[str] = []
    for arg in tree["args"]:
        seen += [v for v in variables(arg) if v not in seen]
    return seen


def flatten(tree: dict, values: dict[str, float]) -> list[Node]:
    """Inner nodes in evaluation (post-) order, named q1, q2, ... and the last one f, with values and local gradients."""
    nodes: list[Node] = []

    def visit(sub: dict) -> tuple[str, float]:
        if "var" in sub:
            return sub["var"], float(values[sub["var"]])
        children = [visit(arg) for arg in sub["args"]]
        names = [n for n, _ in children]
        inputs = [v for _, v in children]
        node = Node(name=f"q{len(nodes) + 1}", op=sub["op"], args=names)
        node.value, node.locals = _apply(sub["op"], inputs)
        nodes.append(node)
        return node.name, node.value

    visit(tree)
    if nodes:
        nodes[-1].name = "f"  # the root; no other node refers to it, so no argument needs renaming
    return nodes


def _apply(op: str, inputs: list[float]) -> tuple[float, list[float]]:
    """Value and local gradients d(out)/d(input_i)."""
    if op == "add":
        return inputs[0] + inputs[1], [1.0, 1.0]
    if op == "mul":
        return inputs[0] * inputs[1], [inputs[1], inputs[0]]
    if op == "max":
        a, b = inputs
        return max(a, b), [1.0, 0.0] if a > b else [0.0, 1.0]
    if op == "relu":
        return max(inputs[0], 0.0), [1.0 if inputs[0] > 0 else 0.0]
    s = 1.0 / (1.0 + math.exp(-inputs[0]))
    return s, [s * (1.0 - s)]


def gradients(nodes: list[Node], names: list[str]) -> dict[str, float]:
    """df/d(every node and variable) by the upstream * local rule, summing over a variable's uses."""
    grad = {node.name: 0.0 for node in nodes} | {name: 0.0 for name in names}
    grad[nodes[-1].name] = 1.0
    for node in reversed(nodes):
        for arg, local in zip(node.args, node.locals):
            grad[arg] += grad[node.name] * local
    return grad


# ----------------------------------------------------------------------------- wording


def expression(tree: dict) -> str:
    """Infix text of the tree. Brackets where a sum sits inside a product, and around a right operand with
    the same operator, so the text's grouping is the graph's (x * (y * z) is not (x * y) * z)."""
    if "var" in tree:
        return tree["var"]
    op, args = tree["op"], tree["args"]
    if op in ("max", "relu", "sigmoid"):
        return f"{op}({', '.join(expression(a) for a in args)})"
    parts = [expression(a) for a in args]
    if op == "mul":
        parts = [f"({p})" if a.get("op") == "add" else p for p, a in zip(parts, args)]
    if args[1].get("op") == op:
        parts[1] = f"({parts[1]})"
    return f"{parts[0]} {'*' if op == 'mul' else '+'} {parts[1]}"


def _node_formula(node: Node) -> str:
    a = node.args
    if node.op == "add":
        return f"{a[0]} + {a[1]}"
    if node.op == "mul":
        return f"{a[0]} * {a[1]}"
    return f"{node.op}({', '.join(a)})"


def _paren(value: float) -> str:
    return fmt(value) if value >= 0 else f"({fmt(value)})"


def _forward_line(node: Node, value_of: dict[str, float]) -> str:
    inputs = [_paren(value_of[a]) for a in node.args]
    if node.op == "add":
        shown = f"{inputs[0]} + {inputs[1]}"
    elif node.op == "mul":
        shown = f"{inputs[0]} * {inputs[1]}"
    else:
        shown = f"{node.op}({', '.join(fmt(value_of[a]) for a in node.args)})"
    return f"{node.name} = {_node_formula(node)} = {shown} = {fmt(node.value)}"


def _local_text(node: Node, index: int, value_of: dict[str, float]) -> str:
    arg = node.args[index]
    if node.op == "add":
        return "1"
    if node.op == "mul":
        return f"{node.args[1 - index]} = {fmt(node.locals[index])}"
    if node.op == "max":
        other = node.args[1 - index]
        larger = value_of[arg] > value_of[other]
        return f"{'1' if larger else '0'} ({arg} {'>' if larger else '<'} {other})"
    if node.op == "relu":
        return f"{'1' if value_of[arg] > 0 else '0'} ({arg} = {fmt(value_of[arg])} {'>' if value_of[arg] > 0 else '<'} 0)"
    return f"s(1 - s) = {fmt(node.value)} * {fmt(1 - node.value)} = {fmt(node.locals[0])}"


def _backward_line(node: Node, grad: dict[str, float], value_of: dict[str, float]) -> str:
    up = grad[node.name]
    parts = [
        f"local d{node.name}/d{arg} = {_local_text(node, i, value_of)}, downstream df/d{arg} "
        f"{'+=' if node.args.count(arg) > 1 and i > node.args.index(arg) else '='} {_paren(up)} * "
        f"{_paren(node.locals[i])} = {fmt(up * node.locals[i])}"
        for i, arg in enumerate(node.args)
    ]
    return f"{node.name} = {_node_formula(node)}, upstream df/d{node.name} = {fmt(up)}: " + "; ".join(parts)


# ----------------------------------------------------------------------------- sampling


def sample(rng: random.Random, level: dict) -> dict:
    rejections = Rejections()
    while True:
        n_leaves = rng.randint(*level["leaves"])
        tree = _random_tree(rng, n_leaves, level)
        names = iter(VARIABLE_NAMES)
        _name_leaves(tree, names, rng, level.get("reuse_probability", 0.0), [])
        values = {name: _random_value(rng, level) for name in variables(tree)}
        params = {"graph": tree, "values": values, "ask": "value"}
        if rng.random() < level.get("grad_probability", 0.75):
            params["ask"] = "grad"
            params["wrt"] = rng.choice(variables(tree))
        if _acceptable(params, level, rng):
            return params
        rejections.again()


def _random_tree(rng: random.Random, n_leaves: int, level: dict) -> dict:
    if n_leaves == 1:
        return {"var": ""}
    left = rng.randint(1, n_leaves - 1)
    tree = {
        "op": rng.choice(level["binary_ops"]),
        "args": [_random_tree(rng, left, level), _random_tree(rng, n_leaves - left, level)],
    }
    if level["unary_ops"] and rng.random() < level.get("unary_probability", 0.0):
        tree = {"op": rng.choice(level["unary_ops"]), "args": [tree]}
    return tree


def _name_leaves(tree: dict, names, rng: random.Random, reuse: float, used: list[str]) -> None:
    """Name leaves left to right; at ``reuse`` probability a later leaf repeats an earlier variable."""
    if "var" in tree:
        if used and rng.random() < reuse:
            tree["var"] = rng.choice(used)
        else:
            tree["var"] = next(names)
            used.append(tree["var"])
        return
    for arg in tree["args"]:
        _name_leaves(arg, names, rng, reuse, used)


def _random_value(rng: random.Random, level: dict) -> int | float:
    """A non-zero input: a zero factor would silence every gradient through its product."""
    return rng.choice([v for v in level["values"] if v != 0])


def _count_ops(tree: dict, ops: tuple[str, ...]) -> int:
    if "var" in tree:
        return 0
    return (tree["op"] in ops) + sum(_count_ops(a, ops) for a in tree["args"])


def _acceptable(params: dict, level: dict, rng: random.Random) -> bool:
    """No max ties, no ReLU at its kink, unsaturated sigmoids, a non-trivial output, some zero answers but not many."""
    tree, values = params["graph"], params["values"]
    if _count_ops(tree, ("sigmoid",)) > level.get("max_sigmoids", 1):
        return False
    if len(variables(tree)) < 2:
        return False
    nodes = flatten(tree, values)
    value_of = dict(values) | {n.name: n.value for n in nodes}
    for node in nodes:
        if node.op == "max" and value_of[node.args[0]] == value_of[node.args[1]]:
            return False
        if node.op == "relu" and value_of[node.args[0]] == 0:
            return False
        if node.op == "max" and node.args[0] == node.args[1]:
            return False
        if node.op == "sigmoid" and abs(value_of[node.args[0]]) > level.get("max_sigmoid_input", 3):
            return False  # a saturated sigmoid gives gradients too small to work with by hand
    if abs(nodes[-1].value) > level.get("max_abs_value", 100) or nodes[-1].value == 0:
        return False
    grad = gradients(nodes, variables(tree))
    if all(grad[v] == 0 for v in variables(tree)):
        return False
    if params["ask"] == "grad" and grad[params["wrt"]] == 0:
        return rng.random() < level.get("zero_grad_probability", 0.2)  # keep some "gradient is blocked" lessons
    return True


# ----------------------------------------------------------------------------- solving


def _validate(params: dict) -> None:
    if not isinstance(params, dict):
        raise InvalidParams("params must be a mapping")
    _validate_tree(params.get("graph"))
    tree, values = params["graph"], params.get("values")
    if "var" in tree:
        raise InvalidParams("the graph needs at least one operation")
    names = variables(tree)
    if not isinstance(values, dict) or any(
        not isinstance(values.get(n), (int, float)) or isinstance(values.get(n), bool) or not math.isfinite(values[n])
        for n in names
    ):
        raise InvalidParams(f"values must give a number for each of {', '.join(names)}")
    if params.get("ask") not in ("value", "grad"):
        raise InvalidParams("ask must be 'value' or 'grad'")
    if params["ask"] == "grad" and params.get("wrt") not in names:
        raise InvalidParams(f"wrt must be one of the graph's variables: {', '.join(names)}")
    nodes = flatten(tree, values)
    value_of = {n: float(values[n]) for n in names} | {n.name: n.value for n in nodes}
    for node in nodes:
        if node.op == "max" and value_of[node.args[0]] == value_of[node.args[1]]:
            raise InvalidParams(f"max({', '.join(node.args)}) has a tie: its gradient is not defined")
        if node.op == "relu" and value_of[node.args[0]] == 0:
            raise InvalidParams(f"relu({node.args[0]}) sits at its kink (input 0): its gradient is not defined")


def solve(params: dict) -> Solution:
    _validate(params)
    tree, values = params["graph"], params["values"]
    names = variables(tree)
    nodes = flatten(tree, values)
    value_of = {n: float(values[n]) for n in names} | {n.name: n.value for n in nodes}
    steps = [
        f"f = {expression(tree)} with " + ", ".join(f"{n} = {fmt(values[n])}" for n in names) + ".",
        "Forward pass, node by node:\n" + "\n".join(_forward_line(node, value_of) for node in nodes),
    ]
    if params["ask"] == "value":
        return Solution(answer=nodes[-1].value, steps=steps, kind="real", display=fmt(nodes[-1].value))
    grad = gradients(nodes, names)
    steps.append(
        "Backward pass (downstream = upstream * local), starting from df/df = 1:\n"
        + "\n".join(_backward_line(node, grad, value_of) for node in reversed(nodes))
    )
    wrt = params["wrt"]
    uses = [(node, i) for node in nodes for i, a in enumerate(node.args) if a == wrt]
    if len(uses) > 1:
        contributions = " + ".join(_paren(grad[node.name] * node.locals[i]) for node, i in uses)
        steps.append(f"{wrt} is used {len(uses)} times, so its gradients add: df/d{wrt} = {contributions} = {fmt(grad[wrt])}")
    steps.append(f"df/d{wrt} = {fmt(grad[wrt])}")
    return Solution(answer=grad[wrt], steps=steps, kind="real", display=fmt(grad[wrt]))


def question_fields(params: dict) -> dict[str, str]:
    tree, values = params["graph"], params["values"]
    names = variables(tree)
    target = "the value of f" if params["ask"] == "value" else f"the gradient df/d{params['wrt']}"
    return {
        "variant": params["ask"],
        "expression": expression(tree),
        "values": ", ".join(f"{n} = {fmt(values[n])}" for n in names),
        "target": target,
        "wrt": params.get("wrt", ""),
    }


# ----------------------------------------------------------------------------- mistakes

# Each slip rewrites one op's local gradients, given the node's input values and output.
_SLIPPED_LOCALS = {
    "mul-own-input": ("mul", lambda inputs, out: [inputs[0], inputs[1]]),
    "max-to-both": ("max", lambda inputs, out: [1.0, 1.0]),
    "relu-passes-all": ("relu", lambda inputs, out: [1.0]),
    "sigmoid-local-is-s": ("sigmoid", lambda inputs, out: [out]),
}


def _slipped_gradient(slip: str):
    op, local = _SLIPPED_LOCALS[slip]

    def answer(params: dict) -> float | None:
        _validate(params)
        if params["ask"] != "grad":
            return None
        tree, values = params["graph"], params["values"]
        names = variables(tree)
        nodes = flatten(tree, values)
        value_of = {n: float(values[n]) for n in names} | {n.name: n.value for n in nodes}
        if not any(node.op == op for node in nodes):
            return None
        for node in nodes:
            if node.op == op:
                node.locals = local([value_of[a] for a in node.args], node.value)
        return gradients(nodes, names)[params["wrt"]]

    return answer


def _first(params: dict, op: str) -> tuple[Node, dict[str, float]] | None:
    tree, values = params["graph"], params["values"]
    nodes = flatten(tree, values)
    value_of = {n: float(values[n]) for n in variables(tree)} | {n.name: n.value for n in nodes}
    return next(((node, value_of) for node in nodes if node.op == op), None)


def _mul_message(params: dict) -> str:
    found = _first(params, "mul")
    if not found:
        return "you multiplied the upstream gradient by the input's own value: a product passes each input the other's"
    node, value_of = found
    a, b = node.args
    return (f"you multiplied by the input's own value: {node.name} = {a}·{b} sends {a} the upstream times "
            f"{b} = {fmt(value_of[b])}, and {b} the upstream times {a} = {fmt(value_of[a])}")


def _max_message(params: dict) -> str:
    found = _first(params, "max")
    if not found:
        return "you passed max's gradient to both inputs: it goes only to the larger one"
    node, value_of = found
    a, b = node.args
    winner, loser = (a, b) if value_of[a] > value_of[b] else (b, a)
    return (f"you passed max's gradient to both inputs: {node.name} = max({a}, {b}) routes it to the larger, "
            f"{winner} = {fmt(value_of[winner])}, and {loser} gets 0")


def _relu_message(params: dict) -> str:
    found = _first(params, "relu")
    if not found:
        return "you let a ReLU pass the gradient with a negative input: its local gradient is 0 there"
    node, value_of = found
    x = value_of[node.args[0]]
    gate = "1, since it is positive" if x > 0 else "0, since it is negative"
    return (f"you let the ReLU pass the gradient unchanged: {node.name} = relu({node.args[0]}) has input "
            f"{fmt(x)}, so its local gradient is {gate}")


def _sigmoid_message(params: dict) -> str:
    found = _first(params, "sigmoid")
    if not found:
        return "you used s as the sigmoid's local gradient: it is s(1 − s)"
    node, _ = found
    s_value = node.value
    return (f"you used s as the sigmoid's local gradient: it is s(1 − s) = {fmt(s_value)}·(1 − {fmt(s_value)}) "
            f"= {fmt(s_value * (1 - s_value))}")


MISTAKES = (
    Mistake("mul-own-input", _slipped_gradient("mul-own-input"), _mul_message),
    Mistake("max-to-both", _slipped_gradient("max-to-both"), _max_message),
    Mistake("relu-passes-all", _slipped_gradient("relu-passes-all"), _relu_message),
    Mistake("sigmoid-local-is-s", _slipped_gradient("sigmoid-local-is-s"), _sigmoid_message),
)
