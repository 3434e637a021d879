"""The rules of the notation layer: what is refused (and why), the relations, the splitting.

Kept apart from `checker.notation` so that the list of refusals reads as one table: each
pattern is notation that cannot be read with confidence, with the message the notes get.
"""

from __future__ import annotations

import re


class ParseError(ValueError):
    """The LaTeX could not be read as mathematics.

    Attributes:
        position: 0-based offset in the input where reading failed, when known.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


FORBIDDEN = re.compile(r"\\(def|edef|gdef|input|include|write|immediate|catcode|csname|openout|read|newcommand"
                        r"|renewcommand|let|expandafter)\b")
REFUSED = [
    (re.compile(r"\^\s*(T|\{\s*(T|\\top|\\intercal|\\mathsf\{T\}|\\mathrm\{T\})\s*\}|\\top|\\intercal)"),
     "transposes need the shapes of the matrices, which the notes do not give"),
    (re.compile(r"\\\||\\lVert|\\rVert|\\Vert|\|\|"), "norms ‖x‖ are not supported"),
    (re.compile(r"\\begin\{(cases|matrix|pmatrix|bmatrix|vmatrix|Vmatrix|array)\}"),
     "this matrix environment is not supported"),
    (re.compile(r"\\arg\s*\\?(max|min)|\\(operatorname\*?|mathrm)\{arg\s*(max|min)\}|\\mathrm\{argm(ax|in)\}"),
     "argmax/argmin are read only over one scalar variable, with no domain under the operator"),
    (re.compile(r"\\odot|\\otimes|\\circ(?![A-Za-z])"),
     "elementwise and tensor products need the shapes of the matrices"),
    (re.compile(r"\\nabla"), "gradients ∇ need the variables they are taken in"),
    (re.compile(r"\\mathbb\s*\{\s*[RNZCQ]\s*\}|\\reals\b"),
     "sets (\\mathbb{R}^n) are not formulas that can be checked"),
    (re.compile(r"\\in\b|\\subset|\\cup|\\cap|\\forall|\\exists|\\mid|\\sim\b|\\notin"),
     "sets, quantifiers and distributions are not supported"),
    (re.compile(r"\\mathbb\{E\}|\\mathbb\{P\}|\\Pr\b|(?<![A-Za-z\\{])E\s*_\s*(\{[^{}]*\}|\w)\s*\["),
     "an expectation over a named distribution is not supported"),
    (re.compile(r"(?<![A-Za-z\\])E\s*\["), "expectations need a distribution"),
    (re.compile(r"\\mathrm\{[EP]\}\([^()]*\|"), "conditional probabilities and expectations are not supported"),
    (re.compile(r"(?<![A-Za-z\\{])I(?![A-Za-z])"), "I is the identity matrix in ML notes, and matrices need shapes"),
    (re.compile(r"(?<![A-Za-z\\])[A-Z]\s*\^\s*\{\s*-\s*1\s*\}"), "matrix inverses need the shapes of the matrices"),
    (re.compile(r"\\mathrm\{det\}(?!\s*\(\s*\\mathrm\{MX)"),
     "a determinant needs a matrix: give its entries or its shape"),
    (re.compile(r"\\(cdots|ldots|dots|vdots|ddots)"), "an ellipsis (\\cdots) whose terms do not follow a pattern inferred from the first and the last "
     "term is not read; write the sum or product with \\sum or \\prod"),
    (re.compile(r"\(\s*\\cdot\s*\)"), "a function applied to a dot (f(·)) names the function, it is not a formula"),
    (re.compile(r"\\(mapsto|rightarrow|leftarrow|Rightarrow|implies|iff|gets)(?![A-Za-z])"),
     "an arrow (a map, an update, an implication) is not an equation that can be checked"),
    (re.compile(r"\\mathrm\{FNC[a-z]{3}\}\s*_"), "an entry of a function's value (f(x)_j) is not supported"),
    (re.compile(r";"), "a semicolon in the arguments (f(x; w)) is not supported"),
    (re.compile(r"^\s*[\[(][^\[\]()]*,[^\[\]()]*[\])]\s*$"), "an interval or a tuple is not a formula"),
]
RELATIONS = [
    ("\\leq", "<="), ("\\le", "<="), ("\\geq", ">="), ("\\ge", ">="), ("\\neq", "!="), ("\\ne", "!="),
    ("<=", "<="), (">=", ">="), ("!=", "!="), ("\\lt", "<"), ("\\gt", ">"),
    ("\\approx", "approx"), ("\\propto", "propto"), ("\\equiv", "="), (":=", "="), ("\\coloneqq", "="),
    ("<", "<"), (">", ">"), ("=", "="),
]

def split_relations(s: str) -> tuple[list[str], list[str]]:
    """Split at relations outside braces, parentheses and brackets."""
    pieces, rels = [], []
    depth, start, i = 0, 0, 0
    while i < len(s):
        c = s[i]
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif depth == 0:
            for token, rel in RELATIONS:
                if s.startswith(token, i) and not (token[0] == "\\" and s[i + len(token):i + len(token) + 1].isalpha()):
                    pieces.append(s[start:i])
                    rels.append(rel)
                    i += len(token)
                    start = i
                    break
            else:
                i += 1
                continue
            continue
        i += 1
    pieces.append(s[start:])
    if any(not p.strip() for p in pieces):
        raise ParseError("a relation is missing one of its sides")
    return pieces, rels


def matching(s: str, open_at: int, opener: str = "(", closer: str = ")") -> int:
    """Offset of the bracket closing the one at `open_at` (brackets of all kinds nest), or -1."""
    depth = 0
    for k in range(open_at, len(s)):
        c = s[k]
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
            if depth == 0:
                return k if c == closer else -1
    return -1


def code(n: int) -> str:
    """A letters-only code that sorts like `n` (the parser keeps letters in names): the suffix of
    the layer's placeholders (``FNCaab``)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[n // 676 % 26] + letters[n // 26 % 26] + letters[n % 26]


__all__ = ["FORBIDDEN", "REFUSED", "RELATIONS", "ParseError", "code", "matching", "split_relations"]
