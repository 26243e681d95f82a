"""Math in cards reads correctly as Unicode: fractions keep their grouping."""

from __future__ import annotations

import pytest

from mli_drill.render import latex_to_unicode


@pytest.mark.parametrize(
    "latex, text",
    [
        (r"$\frac{2TP}{2TP+FP+FN}$", "2TP/(2TP+FP+FN)"),
        (r"$\frac{a}{b}$", "a/b"),
        (r"$\frac{(a)+(b)}{c}$", "((a)+(b))/c"),
        (r"$\frac{(a+b)}{c}$", "(a+b)/c"),
        (r"$\frac{\partial L}{\partial w}$", "∂L/∂w"),
        (r"$\frac{1}{2}\ln\frac{1-e}{e}$", "1/2 ln (1-e)/e"),
        (r"$H = -\sum p \log_2 p$", "H = -∑p log_2 p"),
        (r"$\sqrt{x^2+y^2}$", "√(x^2+y^2)"),
        ("no math here: 5 $ and more", "no math here: 5 $ and more"),
    ],
)
def test_latex_to_unicode(latex: str, text: str) -> None:
    assert latex_to_unicode(latex) == text


def test_malformed_math_shows_its_source() -> None:
    assert latex_to_unicode(r"$\frac{a$") == r"\frac{a"
