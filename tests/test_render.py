"""Math in cards reads correctly as Unicode: grouping kept, spaced as a typesetter would (issue 13)."""

from __future__ import annotations

import re

import pytest

from mli_drill import paths
from mli_drill.decks.deckfile import load_decks
from mli_drill.render.latex import MATH, latex_to_unicode, math_to_unicode


@pytest.mark.parametrize(
    "latex, text",
    [
        (r"$\frac{2TP}{2TP+FP+FN}$", "2TP/(2TP+FP+FN)"),
        (r"$\frac{a}{b}$", "a/b"),
        (r"$\frac{(a)+(b)}{c}$", "((a)+(b))/c"),
        (r"$\frac{(a+b)}{c}$", "(a+b)/c"),
        (r"$\frac{\partial L}{\partial w}$", "∂L/∂w"),
        (r"$\frac{1}{2}\ln\frac{1-e}{e}$", "1/2 ln (1-e)/e"),
        (r"$H = -\sum p \log_2 p$", "H = -∑ p log₂ p"),
        (r"$\sqrt{x^2+y^2}$", "√(x² + y²)"),
        (r"$\sqrt{5}$", "√5"),
        ("no math here: 5 $ and more", "no math here: 5 $ and more"),
        # grouping of sub- and superscripts (the cards)
        (r"$RF_{n-1} = (RF_n - 1) \times s_n + k_n$", "RFₙ₋₁ = (RFₙ - 1) × sₙ + kₙ"),
        (r"$\hat{x}^{k+1}$", "x̂ᵏ⁺¹"),
        (r"$1 / fan_{avg}$", "1 / fan_(avg)"),  # no subscript g: parentheses
        (r"$e^{-\alpha y_i h(x_i)}$", "e^(-α yᵢ h(xᵢ))"),
        (r"$\nabla_\theta L$", "∇_θ L"),  # one character without a subscript form
        (r"$\sum_{i=1}^{n} x_i$", "∑ᵢ₌₁ⁿ xᵢ"),
        (r"$(A^T A)^{-1} A^T y$", "(Aᵀ A)⁻¹ Aᵀ y"),
        (r"$\max_{a \in A} d$", "max_(a∈A) d"),  # scripts are set tight
        # the space after a command is kept; operators and relations spaced, brackets tight
        (r"$\alpha = \frac{1}{2} \ln((1-e)/e)$", "α = 1/2 ln((1 - e)/e)"),
        (r"$64 \times 64 + 1$", "64 × 64 + 1"),
        (r"$\lfloor (i - k + 2p) / s \rfloor + 1$", "⌊(i - k + 2p) / s⌋ + 1"),
        (r"$f: X \to Y$", "f: X → Y"),
        (r"$-\log D(G(z))$", "-log D(G(z))"),
        (r"$x_2 = -(\theta_0 + \theta_1 x_1)/\theta_2$", "x₂ = -(θ₀ + θ₁ x₁)/θ₂"),
        (r"$\lVert Ax - y \rVert^2$", "‖Ax - y‖²"),
        # the plain norm bars of user decks: never dropped, paired like brackets (QA of issue 13)
        (r"$\|x\|_2^2$", "‖x‖₂²"),
        (r"$\min_\theta \| A\theta - y \|^2 + \lambda \|w\|_1$", "min_θ ‖Aθ - y‖² + λ ‖w‖₁"),
        (r"$\left\| x \right\|$", "‖x‖"),
        (r"$\vert x \vert$", "|x|"),
        (r"$a \vert b$", "a | b"),  # a lone bar stays ordinary
        (r"$I[r,c+1]$", "I[r, c + 1]"),
        (r"$p(x | y) = \prod_j p(x_j | y)$", "p(x | y) = ∏ⱼ p(xⱼ | y)"),
        (r"$a := b$", "a := b"),
    ],
)
def test_latex_to_unicode(latex: str, text: str) -> None:
    assert latex_to_unicode(latex) == text


def test_malformed_math_shows_its_source() -> None:
    assert latex_to_unicode(r"$\frac{a$") == r"\frac{a"


def _deck_math_spans() -> list[tuple[str, str]]:
    """Every math span of every bundled deck's shown text, with the card it comes from."""
    spans: dict[str, str] = {}
    for deck in load_decks([paths.bundled_decks_dir()]):
        for card in deck.cards:
            for field in (card.front, card.back, card.text, card.hint, *card.choices, *card.points):
                for match in MATH.finditer(field or ""):
                    spans.setdefault(match.group(1), card.id)
    return sorted(spans.items())


DECK_SPANS = _deck_math_spans()
SPACED = "=×→←↔⇒≤≥≠≈∈∉≡∝·±∩∪⊂⊆"
TIGHT_SCRIPT = re.compile(r"[_^]\([^()]*(\([^()]*\)[^()]*)*\)")  # _(…) and ^(…): set tight, like TeX's scripts


def test_the_decks_have_math_to_check() -> None:
    assert len(DECK_SPANS) > 100  # the bundled decks hold some two hundred distinct spans


@pytest.mark.parametrize("source, card", DECK_SPANS, ids=[f"{card}:{source[:30]}" for source, card in DECK_SPANS])
def test_every_deck_math_span_keeps_grouping_and_spacing(source: str, card: str) -> None:
    shown = math_to_unicode(source)
    assert "\\" not in shown, f"{card}: ${source}$ did not convert: {shown}"
    assert not _lost_grouping(shown), f"{card}: ${source}$ lost a script's grouping: {shown}"
    loose = TIGHT_SCRIPT.sub("", shown)
    for index, char in enumerate(loose):
        if char in SPACED:
            before, after = loose[index - 1 : index], loose[index + 1 : index + 2]
            assert before in ("", " ", ":") and after in ("", " ", "="), f"{card}: ${source}$ needs a space around {char!r}: {shown}"
    assert not re.search(r"[(\[⌊⌈] | [)\]⌋⌉]", shown), f"{card}: ${source}$ has a space inside brackets: {shown}"


def _lost_grouping(shown: str) -> bool:
    """A ``_`` or ``^`` whose operand runs on past one character, as in RF_n-1 or x^k+1."""
    return bool(re.search(r"[_^][^\s(\u0300-\u036f][\u0300-\u036f]*[A-Za-z0-9+\-−*/=α-ω]", shown))
