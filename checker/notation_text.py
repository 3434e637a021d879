"""Text rewrites of the notation layer: ML notation made plain for the parser.

Every rewrite here works on LaTeX text and gives LaTeX text; none evaluates anything. Names
that the parser would split or misread become ``\\mathrm{...}`` placeholders that
`checker.notation` maps back to safe identifiers after parsing.
"""

from __future__ import annotations

import re

#: Single letters read as functions when followed by "(" (others multiply: a(b+c)).
FUNCTION_LETTERS = frozenset("fghJLPpqFGHsS")
#: Words read as one name (an acronym is one quantity: TP is not T·P).
WORDS = ("RMSE", "MSE", "MAE", "NLL", "TPR", "FPR", "TP", "FP", "TN", "FN", "KL")
#: Words read as functions when followed by "(" even without \mathrm.
FUNCTION_WORDS = ("softmax", "Softmax", "LeakyReLU", "ReLU", "relu", "sigmoid", "Var", "Cov", "logit", "sign",
                  "sgn", "rank", "tr")
#: \text{...} in an equation that is prose, not a name.
_PROSE = re.compile(r"\s|^(for|where|if|and|or|with|when|otherwise|else|all|each|any|some|s\.t\.|"
                    r"then|since|so|is|are|at|as|by|on|in|of|to)$")

#: Functions the parser knows as commands (\operatorname{arcsinh} is \arcsinh).
_LATEX_FUNCTIONS = ("arcsinh", "arccosh", "arctanh", "arsinh", "arcosh", "artanh", "sinh", "cosh", "tanh", "exp",
                    "arcsin", "arccos", "arctan", "sin", "cos", "tan", "sec", "csc", "cot")
_SPACING = re.compile(r"\\(left|right|big|Big|bigg|Bigg)(?![A-Za-z])|\\displaystyle|\\textstyle|\\limits"
                      r"|\\[,;:! ]|\\q?quad\b|~")


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


def group(s: str, at: int) -> tuple[str, int] | None:
    """The braced group starting at or after `at` (spaces skipped): its text and the end offset."""
    k = at
    while k < len(s) and s[k] == " ":
        k += 1
    if k >= len(s) or s[k] != "{":
        return None
    end = matching(s, k, "{", "}")
    if end < 0:
        return None
    return s[k + 1:end], end + 1


def prepare(text: str, calls: list[tuple[str, list[str]]], *, log_base: str, sigma_is_sigmoid: bool,
            functions: frozenset[str]) -> str:
    """The rewrites that need no parsing (spacing, names, functions, log base)."""
    s = text.replace("&", " ").replace("\\\\", " ")
    s = re.sub(r"\\+\s*$", "", s)  # a stray backslash left by kramdown's \\( ... \\) inline math
    s = _SPACING.sub(" ", s)
    s = re.sub(r"\\(?:stackrel|overset)\s*\{(?:[^{}]|\{[^{}]*\})*\}\s*\{\s*=\s*\}"
               r"|\\triangleq|\\doteq|\\coloneqq|\\eqqcolon", "=", s)
    s = re.sub(r"\\b([A-Za-z])(?![A-Za-z])", r"\1", s)  # \bx, \bW: the bold-letter macros of LyX notes
    s = re.sub(r"\\eps(?![A-Za-z])", r"\\epsilon", s)
    s = re.sub(r"\\(mathcal|mathscr)\s*\{\s*([A-Za-z])\s*\}", r"\\mathrm{\2QQcal}", s)
    s = re.sub(r"\\(mathrm|text|textrm|operatorname\*?|mathit)\s*\{\s*d\s*\}", "d", s)  # \mathrm{d}x
    s = cut_trailing_text(s)
    s = re.sub(r"\\(dfrac|tfrac|cfrac)", r"\\frac", s)
    s = re.sub(r"\\frac\s*(\d)\s*(\d)", r"\\frac{\1}{\2}", s)  # \frac13
    s = re.sub(r"\\sqrt\s*(\d)", r"\\sqrt{\1}", s)  # \sqrt3
    s = re.sub(r"\\operatorname\*?\s*\{\s*(" + "|".join(_LATEX_FUNCTIONS) + r")\s*\}", r"\\\1", s)
    s = re.sub(r"\\(mathbf|boldsymbol|bm|vec|mathit|mathsf|textbf)\s*\{\s*(\\(hat|bar|tilde)\s*\{[^{}]*\})\s*\}",
               r"\2", s)  # \mathbf{\hat{y}}
    s = re.sub(r"\\(mathbf|boldsymbol|bm|vec|mathit|mathsf|textbf)\s*\{([^{}]*)\}", r"\2", s)
    s = re.sub(r"\\(mathbf|boldsymbol|bm|vec)\s*([A-Za-z])", r"\2", s)
    if log_base == "e":
        s = re.sub(r"\\log(?!_)(?![A-Za-z])", r"\\ln", s)
    else:
        s = re.sub(r"\\log(?!_)(?![A-Za-z])", rf"\\log_{{{log_base}}}", s)
    s = re.sub(r"\\operatorname\*?\s*\{([A-Za-z]+)\}", r"\\mathrm{\1}", s)
    s = re.sub(r"\\(text|textrm|textit|mathrm)\s*\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}",
               lambda m: m.group(0) if _PROSE.search(m.group(2)) else rf"\mathrm{{{m.group(2)}}}", s)
    s = re.sub(r"\\(hat|bar|tilde|widehat|overline)\s*\{\s*\\?([A-Za-z]+)\s*\}", _accent, s)
    s = re.sub(r"\\(hat|bar|tilde)\s+\\?([A-Za-z]+)", _accent, s)
    s = re.sub(r"\^\s*\{\s*\[\s*([A-Za-z0-9+\-]+)\s*\]\s*\}", r"_{L\1}", s)  # W^{[l]} is a layer index
    # x^{(i)} is a sample index (e^{(x+y)} is a power)
    s = re.sub(r"(?<![\\A-Za-z]e)(?<!^e)\^\s*\{\s*\(\s*([A-Za-z]?[0-9]*|[0-9]+)\s*\)\s*\}",
               lambda m: rf"_{{S{m.group(1)}}}" if m.group(1) else m.group(0), s)
    # ∂L/∂w written inline with a slash: the same derivative as \frac{∂L}{∂w}
    s = re.sub(r"\\partial\s*(\{[^{}]*\}|\\mathrm\{[^{}]*\}|\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)\s*/\s*\\partial\s*"
               r"(\{[^{}]*\}|\\mathrm\{[^{}]*\}|\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)",
               lambda m: rf"\frac{{\partial {m.group(1)}}}{{\partial {m.group(2)}}}", s)
    s = re.sub(r"\\partial_\s*(\{[^{}]*\}|[A-Za-z])",
               lambda m: rf"\frac{{\partial}}{{\partial {m.group(1).strip('{}')}}}", s)  # ∂_w f
    s = sums(s)
    s = re.sub(r"\\gamma(?![A-Za-z])", r"\\mathrm{ZZgamma}", s)  # γ is a symbol, not Euler's constant
    s = re.sub(r"\\det(?![A-Za-z])", r"\\mathrm{det}", s)
    for w in WORDS:
        s = re.sub(rf"(?<![A-Za-z\\]){w}(?![A-Za-z])", lambda m, w=w: _word(s, m, w), s)
    for w in FUNCTION_WORDS:
        s = re.sub(rf"(?<![A-Za-z\\]){w}(?=\s*\()", lambda m, w=w: _word(s, m, w), s)
    s = expectations(s)
    s = force_calls(s, calls, sigma_is_sigmoid=sigma_is_sigmoid, functions=functions)
    s = s.strip()
    return re.sub(r"(\s|,|\.|;|:|\\[,;.!])+$", "", s)


_SUM = re.compile(r"\\sum\s*_\s*(\{\s*([A-Za-z])\s*\}|([A-Za-z])(?![A-Za-z]))(?!\s*=)"
                  r"(\s*\^\s*(\{[^{}]*\}|\\?[A-Za-z0-9]+))?")
_MULTI_SUM = re.compile(r"\\sum\s*_\s*\{\s*([A-Za-z](?:\s*,\s*[A-Za-z])+)\s*=\s*([^{}]+)\}"
                        r"\s*\^\s*(\{[^{}]*\}|\\?[A-Za-z0-9])")


def sums(s: str) -> str:
    """Bounds written the short way: ``\\sum_i x_i`` runs over all i, from 1 to a size
    ``size_i`` (the notes name no range); ``\\sum_i^n`` from 1 to n; ``\\sum_{i,j=1}^n`` is a
    double sum. A condition under the sum (``\\sum_{j \\neq y_i}``) is left alone (and refused)."""
    s = _MULTI_SUM.sub(lambda m: " ".join(rf"\sum_{{{v.strip()}={m.group(2)}}}^{m.group(3)}"
                                          for v in m.group(1).split(",")), s)

    def short(m: re.Match[str]) -> str:
        index = m.group(2) or m.group(3)
        upper = m.group(5) or rf"{{\mathrm{{ZZsizeQQ{index}}}}}"
        return rf"\sum_{{{index}=1}}^{upper}"

    return _SUM.sub(short, s)


def _word(s: str, m: re.Match[str], w: str) -> str:
    """A word as one name, unless it already is the argument of a command (``\\mathrm{TP}``)."""
    if re.search(r"\\(mathrm|text|textrm|textit|operatorname|mathit|mathbf|mathsf)\*?\s*\{\s*$", m.string[:m.start()]):
        return m.group(0)
    return rf"\mathrm{{{w}}}"


def _accent(m: re.Match[str]) -> str:
    """``\\hat{y}`` → one name, ``y_hat`` (spelled so that the parser keeps it whole)."""
    acc = {"widehat": "hat", "overline": "bar"}.get(m.group(1), m.group(1))
    return rf"\mathrm{{{m.group(2)}QQ{acc}}}"


def cut_trailing_text(s: str) -> str:
    """Drop trailing prose: ``\\text{for all } i``, ``\\quad \\text{where ...}``."""
    for m in re.finditer(r"\\(text|textrm|mbox)\s*\{([^{}]*)\}", s):
        if _PROSE.search(m.group(2).strip()) and not re.search(r"[=<>]", s[m.end():]):
            return s[: m.start()]
    return s


_EXPECT = re.compile(r"\\mathbb\s*\{\s*([EP])\s*\}|(?<![\\{])(E)(?=\s*\[)")


def expectations(s: str) -> str:
    """``E[X]``, ``\\mathbb{E}[X]`` → ``\\mathrm{E}(X)``; ``\\mathbb{P}(A)`` → ``\\mathrm{P}(A)``.

    A subscripted expectation (``\\mathbb{E}_{x \\sim p}``) names its distribution, which the
    parser cannot keep, so it is left alone (and refused).
    """
    out, i = [], 0
    for m in _EXPECT.finditer(s):
        if m.start() < i:
            continue
        letter = m.group(1) or m.group(2)
        k = m.end()
        while k < len(s) and s[k] == " ":
            k += 1
        if k < len(s) and s[k] == "[":
            close = matching(s, k, "[", "]")
            if close < 0:
                continue
            out.append(s[i:m.start()] + rf"\mathrm{{{letter}}}(" + expectations(s[k + 1:close]) + ")")
            i = close + 1
        elif k < len(s) and s[k] == "(":
            out.append(s[i:m.start()] + rf"\mathrm{{{letter}}}")
            i = k
    out.append(s[i:])
    return "".join(out)


_CALLEE = re.compile(r"(\\mathrm\{[A-Za-z]+\}|\\sigma|\\phi|\\psi"
                     r"|(?<![A-Za-z\\])[A-Za-z](?:_\{?[A-Za-z0-9\\]+\}?)?)\s*\(")


def arguments(inner: str) -> list[str]:
    """The arguments of a call, split at top-level commas."""
    args, depth, start = [], 0, 0
    for k, c in enumerate(inner):
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif c == "," and depth == 0:
            args.append(inner[start:k])
            start = k + 1
    args.append(inner[start:])
    return [a for a in args if a.strip()]


def force_calls(s: str, store: list[tuple[str, list[str]]], *, sigma_is_sigmoid: bool,
                functions: frozenset[str]) -> str:
    """``NAME(args)`` → a placeholder ``\\mathrm{FNCaaa}``; `store` gets (NAME, [arg, ...]).

    The parser reads ``f(x+y)`` as a product and splits a call's arguments at every comma
    (so ``f(g(x, y))`` fails): each call of a function name is cut out, its arguments are
    parsed on their own, and the call is rebuilt after parsing (`checker.notation`).
    """
    out, i = [], 0
    for m in _CALLEE.finditer(s):
        name = m.group(1)
        base = name.split("_")[0]
        is_function = (name.startswith("\\mathrm") and not name.startswith("\\mathrm{MX")
                       or (name == "\\sigma" and sigma_is_sigmoid)
                       or name in ("\\phi", "\\psi") or base in FUNCTION_LETTERS or base in functions)
        if not is_function or m.start() < i:
            continue
        open_at = m.end() - 1
        close = matching(s, open_at)
        if close < 0:
            continue
        args = [force_calls(a, store, sigma_is_sigmoid=sigma_is_sigmoid, functions=functions)
                for a in arguments(s[open_at + 1:close])]
        if not args:
            continue
        store.append((name, args))
        out.append(s[i:m.start()] + rf" \mathrm{{FNC{_code(len(store) - 1)}}} ")
        i = close + 1
    out.append(s[i:])
    return "".join(out)


_PRIME = re.compile(r"(\\sigma|\\tanh|\\mathrm\{[A-Za-z]+\}|(?<![A-Za-z\\])[A-Za-z])"
                    r"\s*('+|\^\s*\{\s*\\prime\s*\})\s*\(")


def primes(s: str, store: list[tuple[str, str, int]]) -> str:
    """``f'(x)`` → a placeholder ``\\mathrm{PRMa}``; `store` gets (function, argument, order).

    The derivative is built after parsing (`checker.notation`): ``d/dx f(x)`` for a plain
    argument, ``Subs(d/du f(u), u, g(x))`` for a compound one.
    """
    while True:
        m = _PRIME.search(s)
        if not m:
            return s
        close = matching(s, m.end() - 1)
        if close < 0:
            return s  # unbalanced: the parser reports it
        order = m.group(2).count("'") or 1
        store.append((m.group(1), s[m.end():close], order))
        s = s[: m.start()] + rf" \mathrm{{PRM{_code(len(store) - 1)}}} " + s[close + 1:]


def _code(n: int) -> str:
    """A letters-only code that sorts like `n` (the parser keeps letters in names)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[n // 676 % 26] + letters[n // 26 % 26] + letters[n % 26]


code = _code

_DVAR = re.compile(r"\s*(\\partial|d)\s*\{?\s*"
                   r"(\\?[A-Za-z]+(?:_(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9]))?|\\mathrm\{[A-Za-z0-9]+\})"
                   r"\s*\}?\s*(?:\^\s*\{?\s*(\d)\s*\}?)?")


def derivative_fraction(num: str, den: str) -> tuple[str, list[tuple[str, int]]] | None:
    """``\\frac{\\partial^2 f}{\\partial x \\partial y}`` → ("f", [(x, 1), (y, 1)]), or None.

    The numerator is ``d`` or ``\\partial`` (with an order), then what is differentiated
    (empty for an operator such as ``\\frac{d}{dx}``); the denominator lists the variables.
    """
    m = re.match(r"\s*(\\partial(?![A-Za-z])|d(?![A-Za-z]{2}))\s*(?:\^\s*\{?\s*(\d)\s*\}?)?", num)
    if not m:
        return None
    body = num[m.end():].strip()
    if body.startswith("{") and matching(body, 0, "{", "}") == len(body) - 1:
        body = body[1:-1].strip()  # \partial{J}
    if m.group(1) == "d" and body and not re.match(r"[A-Za-z\\({]", body):
        return None
    variables: list[tuple[str, int]] = []
    k = 0
    while den[k:].strip():
        dm = _DVAR.match(den, k)
        if not dm or dm.end() == k:
            return None
        variables.append((dm.group(2), int(dm.group(3) or 1)))
        k = dm.end()
    order = int(m.group(2) or 1)
    if not variables or sum(n for _, n in variables) != order:
        return None
    return body, variables


__all__ = ["FUNCTION_LETTERS", "arguments", "code", "cut_trailing_text", "derivative_fraction", "expectations",
           "force_calls", "group", "matching", "prepare", "primes"]
