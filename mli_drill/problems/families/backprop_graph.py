"""Forward and backward pass on a small computational graph, by hand.

Drills the lecture's way of backpropagating: evaluate the graph node by node,
then walk it backwards multiplying each upstream gradient by the node's local
gradient (add passes it on, mul swaps in the other input, max routes it to
the larger input, ReLU gates it, sigmoid scales it by s(1 - s)); a variable
used twice sums the gradients of its uses.

Params (JSON form), typed as :class:`Params` (each node a :class:`GraphNode`):
    graph   expression tree; an inner node is {"op": OP, "args": [node, ...]} with OP one of
            "add", "mul", "max" (two args) or "relu", "sigmoid" (one arg); a leaf is {"var": name}
            (at least one operation, nested at most 12 deep)
    values  {name: number} for every variable in the graph (finite)
    ask     "value" (f itself) | "grad" (df/d wrt)
    wrt     variable name (only when ask == "grad"; absent otherwise)
No max may tie and no ReLU may sit at 0 (the gradient is undefined there).
The tree is interpreted, never evaluated as code.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Callable, Iterator, Literal, Mapping, Union

from mli_drill.problems.families.base import FieldError, Mistake, Rejections, Solution, optional, require
from mli_drill.problems.families.common import fmt

BinaryOp = Literal["add", "mul", "max"]
UnaryOp = Literal["relu", "sigmoid"]
Op = Literal["add", "mul", "max", "relu", "sigmoid"]
Ask = Literal["value", "grad"]
ARITY = {"add": 2, "mul": 2, "max": 2, "relu": 1, "sigmoid": 1}
VARIABLE_NAMES = ("x", "y", "z", "w", "u", "v")
MAX_DEPTH = 12  # deepest nesting of a hand-written graph (a leaf at most this many operations below the root)


# ----------------------------------------------------------------------------- params


@dataclass(frozen=True)
class GraphNode:
    """A node of the expression tree: a leaf ``{"var": name}`` or an operation ``{"op": OP, "args": [...]}``."""

    var: str | None = optional()
    op: Op | None = optional()
    args: tuple[GraphNode, ...] | None = optional()

    def __post_init__(self) -> None:
        var, op, args = self.var, self.op, self.args
        if (op is None and args is None and var) if var is not None else (op is not None and args is not None and len(args) == ARITY[op]):
            return  # the common case, checked quickly (a sampled graph has many nodes)
        if self.var is not None:
            require(self.var != "", "var", "must be a non-empty name")
            require(self.op is None, "op", 'a leaf is {"var": name}, without op')
            require(self.args is None, "args", 'a leaf is {"var": name}, without args')
            return
        require(self.op is not None, "op", "a node needs an op (or, as a leaf, a var)")
        require(self.args is not None, "args", "an operation needs its args")
        arity = ARITY[self.op or "add"]
        if len(self.args or ()) != arity:
            raise FieldError("args", f"{self.op} takes {arity} argument(s), got {len(self.args or ())}")


@dataclass(frozen=True)
class Params:
    graph: GraphNode
    values: dict[str, int | float]
    ask: Ask
    wrt: str | None = optional()

    def __post_init__(self) -> None:
        require(self.graph.var is None, "graph", "needs at least one operation")
        require(_height(self.graph) <= MAX_DEPTH, "graph", f"is nested too deeply (at most {MAX_DEPTH} levels)")
        names = variables(self.graph)
        missing = [name for name in names if name not in self.values]
        if missing:
            raise FieldError("values", f"must give a number for each of {', '.join(names)}: {missing[0]!r} is missing")
        for name, value in self.values.items():
            require(math.isfinite(value), f"values.{name}", f"must be a finite number, got {value!r}")
        if self.ask == "grad":
            if self.wrt not in names:
                raise FieldError("wrt", f"must be one of the graph's variables: {', '.join(names)}")
        else:
            require(self.wrt is None, "wrt", "is only used when ask is 'grad'")
        nodes = flatten(self.graph, self.values)
        value_of = {name: float(self.values[name]) for name in names} | {node.name: node.value for node in nodes}
        for node in nodes:
            if node.op == "max" and value_of[node.args[0]] == value_of[node.args[1]]:
                raise FieldError("values", f"max({', '.join(node.args)}) has a tie: its gradient is not defined")
            if node.op == "relu" and value_of[node.args[0]] == 0:
                raise FieldError("values", f"relu({node.args[0]}) sits at its kink (input 0): its gradient is not defined")


@dataclass(frozen=True)
class Level:
    """How ``sample`` draws at one level (the mapping under ``levels.<level>`` in the spec)."""

    leaves: tuple[int, int] = (3, 4)  # [min, max] leaves of the tree (a reused variable counts each time)
    binary_ops: tuple[BinaryOp, ...] = ("add", "mul", "mul", "max")  # choices for each binary node (repeat to weight)
    unary_ops: tuple[UnaryOp, ...] = ()  # choices for a unary node wrapping a binary one
    unary_probability: float = 0.0  # chance that a binary node is wrapped in a unary op (when unary_ops is not empty)
    values: tuple[int | float, ...] = (-3, -2, -1, 1, 2, 3)  # input value choices (0 is never drawn)
    reuse_probability: float = 0.0  # chance that a later leaf repeats an earlier variable
    max_sigmoids: int = 1  # most sigmoids in one graph
    max_sigmoid_input: float = 3  # largest |input| of a sigmoid (beyond it the gradients are too small by hand)
    grad_probability: float = 0.75  # chance of asking a gradient, else the value of f
    zero_grad_probability: float = 0.2  # chance of keeping a draw whose asked gradient is 0 (blocked by max/ReLU)
    max_abs_value: float = 100  # largest |f| accepted

    def __post_init__(self) -> None:
        # at most 7 leaves keeps a graph within MAX_DEPTH even when every binary node is wrapped in a unary one
        require(2 <= self.leaves[0] <= self.leaves[1] <= 7, "leaves", "must be [min, max] with 2 <= min <= max <= 7")
        require(bool(self.binary_ops), "binary_ops", "must list at least one operation")
        require(any(value != 0 for value in self.values), "values", "must include a non-zero value")
        for name in ("unary_probability", "reuse_probability", "grad_probability", "zero_grad_probability"):
            require(0 <= getattr(self, name) <= 1, name, "must be between 0 and 1")
        require(self.max_sigmoids >= 0, "max_sigmoids", "must be at least 0")
        require(self.max_sigmoid_input > 0, "max_sigmoid_input", "must be positive")
        require(self.max_abs_value > 0, "max_abs_value", "must be positive")


# ----------------------------------------------------------------------------- graph


@dataclass
class Node:
    """One operation of the flattened graph; ``args`` are node names (variables or earlier nodes)."""

    name: str
    op: str
    args: list[str]
    value: float = 0.0
    locals: list[float] = field(default_factory=list)


def _operation(node: GraphNode) -> tuple[str, tuple[GraphNode, ...]]:
    """An operation node's op and args (present: GraphNode checks)."""
    assert node.op is not None and node.args is not None
    return node.op, node.args


def _height(tree: GraphNode) -> int:
    return 0 if tree.args is None else 1 + max(_height(arg) for arg in tree.args)


def variables(tree: GraphNode) -> list[str]:
    """Variable names in order of first appearance (left to right)."""
    if tree.var is not None:
        return [tree.var]
    seen: list[str] = []
    for arg in tree.args or ():
        seen += [v for v in variables(arg) if v not in seen]
    return seen


def flatten(tree: GraphNode, values: Mapping[str, float]) -> list[Node]:
    """Inner nodes in evaluation (post-) order, named q1, q2, ... and the last one f, with values and local gradients."""
    nodes: list[Node] = []

    def visit(sub: GraphNode) -> tuple[str, float]:
        if sub.var is not None:
            return sub.var, float(values[sub.var])
        op, args = sub.op, sub.args
        assert op is not None and args is not None  # an operation node (GraphNode checks)
        children = [visit(arg) for arg in args]
        names = [n for n, _ in children]
        inputs = [v for _, v in children]
        node = Node(name=f"q{len(nodes) + 1}", op=op, args=names)
        node.value, node.locals = _apply(op, inputs)
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


def expression(tree: GraphNode) -> str:
    """Infix text of the tree. Brackets where a sum sits inside a product, and around a right operand with
    the same operator, so the text's grouping is the graph's (x * (y * z) is not (x * y) * z)."""
    if tree.var is not None:
        return tree.var
    op, args = _operation(tree)
    if op in ("max", "relu", "sigmoid"):
        return f"{op}({', '.join(expression(a) for a in args)})"
    parts = [expression(a) for a in args]
    if op == "mul":
        parts = [f"({p})" if a.op == "add" else p for p, a in zip(parts, args)]
    if args[1].op == op:
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


Shape = Union[tuple[Op, list["Shape"]], None]  # a drawn tree before its leaves are named: None for a leaf


def sample(rng: random.Random, level: Level) -> Params:
    rejections = Rejections()
    while True:
        n_leaves = rng.randint(*level.leaves)
        shape = _random_tree(rng, n_leaves, level)
        tree = _name_leaves(shape, iter(VARIABLE_NAMES), rng, level.reuse_probability, [])
        values = {name: _random_value(rng, level) for name in variables(tree)}
        ask: Ask = "value"
        wrt = None
        if rng.random() < level.grad_probability:
            ask = "grad"
            wrt = rng.choice(variables(tree))
        if _acceptable(tree, values, wrt, level, rng):
            return Params(tree, values, ask, wrt)
        rejections.again()


def _random_tree(rng: random.Random, n_leaves: int, level: Level) -> Shape:
    if n_leaves == 1:
        return None
    left = rng.randint(1, n_leaves - 1)
    op: Op = rng.choice(level.binary_ops)
    tree: Shape = (op, [_random_tree(rng, left, level), _random_tree(rng, n_leaves - left, level)])
    if level.unary_ops and rng.random() < level.unary_probability:
        tree = (rng.choice(level.unary_ops), [tree])
    return tree


def _name_leaves(shape: Shape, names: Iterator[str], rng: random.Random, reuse: float, used: list[str]) -> GraphNode:
    """The tree with its leaves named left to right; at ``reuse`` probability a later leaf repeats an earlier variable."""
    if shape is None:
        if used and rng.random() < reuse:
            var = rng.choice(used)
        else:
            var = next(names)
            used.append(var)
        return _LEAVES[var]
    op, args = shape
    return GraphNode(op=op, args=tuple([_name_leaves(arg, names, rng, reuse, used) for arg in args]))


_LEAVES = {name: GraphNode(var=name) for name in VARIABLE_NAMES}  # immutable, so shared by every drawn graph


def _random_value(rng: random.Random, level: Level) -> int | float:
    """A non-zero input: a zero factor would silence every gradient through its product."""
    return rng.choice([v for v in level.values if v != 0])


def _count_ops(tree: GraphNode, ops: tuple[str, ...]) -> int:
    if tree.args is None:
        return 0
    return (tree.op in ops) + sum(_count_ops(a, ops) for a in tree.args)


def _acceptable(tree: GraphNode, values: dict[str, int | float], wrt: str | None, level: Level, rng: random.Random) -> bool:
    """No max ties, no ReLU at its kink, unsaturated sigmoids, a non-trivial output, some zero answers but not many."""
    if _count_ops(tree, ("sigmoid",)) > level.max_sigmoids:
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
        if node.op == "sigmoid" and abs(value_of[node.args[0]]) > level.max_sigmoid_input:
            return False  # a saturated sigmoid gives gradients too small to work with by hand
    if abs(nodes[-1].value) > level.max_abs_value or nodes[-1].value == 0:
        return False
    grad = gradients(nodes, variables(tree))
    if all(grad[v] == 0 for v in variables(tree)):
        return False
    if wrt is not None and grad[wrt] == 0:
        return rng.random() < level.zero_grad_probability  # keep some "gradient is blocked" lessons
    return True


# ----------------------------------------------------------------------------- solving


def solve(params: Params) -> Solution:
    tree, values = params.graph, params.values
    names = variables(tree)
    nodes = flatten(tree, values)
    value_of = {n: float(values[n]) for n in names} | {n.name: n.value for n in nodes}
    steps = [
        f"f = {expression(tree)} with " + ", ".join(f"{n} = {fmt(values[n])}" for n in names) + ".",
        "Forward pass, node by node:\n" + "\n".join(_forward_line(node, value_of) for node in nodes),
    ]
    if params.ask == "value" or params.wrt is None:
        return Solution(answer=nodes[-1].value, steps=steps, kind="real", display=fmt(nodes[-1].value))
    grad = gradients(nodes, names)
    steps.append(
        "Backward pass (downstream = upstream * local), starting from df/df = 1:\n"
        + "\n".join(_backward_line(node, grad, value_of) for node in reversed(nodes))
    )
    wrt = params.wrt
    uses = [(node, i) for node in nodes for i, a in enumerate(node.args) if a == wrt]
    if len(uses) > 1:
        contributions = " + ".join(_paren(grad[node.name] * node.locals[i]) for node, i in uses)
        steps.append(f"{wrt} is used {len(uses)} times, so its gradients add: df/d{wrt} = {contributions} = {fmt(grad[wrt])}")
    steps.append(f"df/d{wrt} = {fmt(grad[wrt])}")
    return Solution(answer=grad[wrt], steps=steps, kind="real", display=fmt(grad[wrt]))


def question_fields(params: Params) -> dict[str, str]:
    tree, values = params.graph, params.values
    names = variables(tree)
    target = "the value of f" if params.ask == "value" else f"the gradient df/d{params.wrt}"
    return {
        "variant": params.ask,
        "expression": expression(tree),
        "values": ", ".join(f"{n} = {fmt(values[n])}" for n in names),
        "target": target,
        "wrt": params.wrt or "",
    }


# ----------------------------------------------------------------------------- mistakes

# Each slip rewrites one op's local gradients, given the node's input values and output.
_SLIPPED_LOCALS = {
    "mul-own-input": ("mul", lambda inputs, out: [inputs[0], inputs[1]]),
    "max-to-both": ("max", lambda inputs, out: [1.0, 1.0]),
    "relu-passes-all": ("relu", lambda inputs, out: [1.0]),
    "sigmoid-local-is-s": ("sigmoid", lambda inputs, out: [out]),
}


def _slipped_gradient(slip: str) -> Callable[[Params], float | None]:
    op, local = _SLIPPED_LOCALS[slip]

    def answer(params: Params) -> float | None:
        if params.ask != "grad" or params.wrt is None:
            return None
        tree, values = params.graph, params.values
        names = variables(tree)
        nodes = flatten(tree, values)
        value_of = {n: float(values[n]) for n in names} | {n.name: n.value for n in nodes}
        if not any(node.op == op for node in nodes):
            return None
        for node in nodes:
            if node.op == op:
                node.locals = local([value_of[a] for a in node.args], node.value)
        return gradients(nodes, names)[params.wrt]

    return answer


def _first(params: Params, op: str) -> tuple[Node, dict[str, float]] | None:
    tree, values = params.graph, params.values
    nodes = flatten(tree, values)
    value_of = {n: float(values[n]) for n in variables(tree)} | {n.name: n.value for n in nodes}
    return next(((node, value_of) for node in nodes if node.op == op), None)


def _mul_message(params: Params) -> str:
    found = _first(params, "mul")
    if not found:
        return "you multiplied the upstream gradient by the input's own value: a product passes each input the other's"
    node, value_of = found
    a, b = node.args
    return (f"you multiplied by the input's own value: {node.name} = {a}·{b} sends {a} the upstream times "
            f"{b} = {fmt(value_of[b])}, and {b} the upstream times {a} = {fmt(value_of[a])}")


def _max_message(params: Params) -> str:
    found = _first(params, "max")
    if not found:
        return "you passed max's gradient to both inputs: it goes only to the larger one"
    node, value_of = found
    a, b = node.args
    winner, loser = (a, b) if value_of[a] > value_of[b] else (b, a)
    return (f"you passed max's gradient to both inputs: {node.name} = max({a}, {b}) routes it to the larger, "
            f"{winner} = {fmt(value_of[winner])}, and {loser} gets 0")


def _relu_message(params: Params) -> str:
    found = _first(params, "relu")
    if not found:
        return "you let a ReLU pass the gradient with a negative input: its local gradient is 0 there"
    node, value_of = found
    x = value_of[node.args[0]]
    gate = "1, since it is positive" if x > 0 else "0, since it is negative"
    return (f"you let the ReLU pass the gradient unchanged: {node.name} = relu({node.args[0]}) has input "
            f"{fmt(x)}, so its local gradient is {gate}")


def _sigmoid_message(params: Params) -> str:
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
