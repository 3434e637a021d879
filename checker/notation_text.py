"""Text rewrites of the notation layer: ML notation made plain for the parser.

Every rewrite here works on LaTeX text and gives LaTeX text; none evaluates anything. Names
that the parser would split or misread become ``\\mathrm{...}`` placeholders that
`checker.notation` maps back to safe identifiers after parsing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from checker.notation_rules import code, matching
from checker.notation_ops import ENTRY, bold_names, entry_calls, indicators
from checker.notation_series import argopts, ellipses, extrema, limits_and_braces

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
                      r"|\\[,;:!> ]|\\q?quad\b|~")


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


@dataclass
class Rewrites:
    """What the text rewrites of one equation record, and the choices they make.

    `labels` maps the spelling a rewritten name gets (``yQQhat``) to the LaTeX the notes wrote
    (``\\hat{y}``); `numbers` holds the decimal literals cut out as placeholders; `choices`
    turns off a reading (``words``, ``operator_extent``, ``scientific``) to get the other
    one; `found` collects the choices that were ambiguous in this text.
    """

    labels: dict[str, str] = field(default_factory=dict)
    numbers: list[str] = field(default_factory=list)
    #: conditions of indicators (``\\mathrm{INDaaa}``), entries of calls (call number → index), bold names
    indicators: list[str] = field(default_factory=list)
    entries: dict[int, str] = field(default_factory=dict)
    bold: set[str] = field(default_factory=set)
    choices: frozenset[str] = frozenset()
    found: set[str] = field(default_factory=set)

    def on(self, choice: str) -> bool:
        return choice not in self.choices


def prepare(text: str, calls: list[tuple[str, list[str]]], *, log_base: str, sigma_is_sigmoid: bool,
            functions: frozenset[str], rw: Rewrites | None = None) -> str:
    """The rewrites that need no parsing (spacing, names, functions, log base)."""
    from checker.notation_probability import rewrite_probability

    rw = rw if rw is not None else Rewrites()
    s = text.replace("&", " ").replace("\\\\", " ")
    s = re.sub(r"\\+\s*$", "", s)  # a stray backslash left by kramdown's \\( ... \\) inline math
    s = indicators(s, rw.indicators)  # before the spacing: [\![ c ]\!] loses its \! there
    s = limits_and_braces(s)
    s = _SPACING.sub(" ", s)
    s = rewrite_probability(s, rw.labels)
    rw.bold |= bold_names(s)
    s = ellipses(s)
    s = argopts(s)
    s = decimals(s, rw)
    s = re.sub(r"\\(?:stackrel|overset)\s*\{(?:[^{}]|\{[^{}]*\})*\}\s*\{\s*=\s*\}"
               r"|\\triangleq|\\doteq|\\coloneqq|\\eqqcolon", "=", s)
    s = re.sub(r"\\b([A-Za-z])(?![A-Za-z])", r"\1", s)  # \bx, \bW: the bold-letter macros of LyX notes
    s = re.sub(r"\\eps(?![A-Za-z])", r"\\epsilon", s)
    s = re.sub(r"\\(mathcal|mathscr)\s*\{\s*([A-Za-z])\s*\}", lambda m: _label(rw, f"{m.group(2)}QQcal", m), s)
    s = re.sub(r"\\(mathrm|text|textrm|operatorname\*?|mathit)\s*\{\s*d\s*\}", "d", s)  # \mathrm{d}x
    s = re.sub(r"\\(mathrm|text|textrm|operatorname\*?)\s*\{\s*e\s*\}", " e ", s)  # upright e (ISO): Euler's e
    s = cut_trailing_text(s)
    s = re.sub(r"\\(dfrac|tfrac|cfrac)", r"\\frac", s)
    s = re.sub(r"\\frac\s*(\d)\s*(\d)", r"\\frac{\1}{\2}", s)  # \frac13
    s = re.sub(r"\\sqrt\s*(\d)", r"\\sqrt{\1}", s)  # \sqrt3
    s = re.sub(r"\\operatorname\*?\s*\{\s*(" + "|".join(_LATEX_FUNCTIONS) + r")\s*\}", r"\\\1", s)
    # a bold π is a vector of probabilities (mixture weights, a policy), never the constant
    s = re.sub(r"\\(mathbf|boldsymbol|bm|vec)\s*\{\s*\\pi\s*\}", lambda m: _label(rw, "pi", m), s)
    s = re.sub(r"\\(mathbf|boldsymbol|bm|vec|mathit|mathsf|textbf)\s*\{\s*(\\(hat|bar|tilde)\s*\{[^{}]*\})\s*\}",
               r"\2", s)  # \mathbf{\hat{y}}
    s = re.sub(r"\\(mathbf|boldsymbol|bm|vec|mathit|mathsf|textbf)\s*\{([^{}]*)\}", r"\2", s)
    s = re.sub(r"\\(mathbf|boldsymbol|bm|vec)\s*([A-Za-z])", r"\2", s)
    if log_base == "e":
        s = re.sub(r"\\log(?!_)(?![A-Za-z])", r"\\ln", s)
    else:
        s = re.sub(r"\\log(?!_)(?![A-Za-z])", rf"\\log_{{{log_base}}}", s)
    s = re.sub(r"\\operatorname\*?\s*\{([A-Za-z]+)\}", lambda m: _label(rw, m.group(1), m), s)
    s = re.sub(r"\\(text|textrm|textit|mathrm)\s*\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}",
               lambda m: m.group(0) if _PROSE.search(m.group(2)) else _label(rw, m.group(2), m), s)
    s = re.sub(r"\\(hat|bar|tilde|widehat|overline)\s*\{\s*\\?([A-Za-z]+)\s*\}", lambda m: _accent(m, rw), s)
    s = re.sub(r"\\(hat|bar|tilde)\s+\\?([A-Za-z]+)", lambda m: _accent(m, rw), s)
    s = _delta_names(s, rw)
    s = superscript_labels(s, rw)
    s = re.sub(r"\^\s*\{\s*\[\s*([A-Za-z0-9+\-]+)\s*\]\s*\}", r"_{ZZL\1}", s)  # W^{[l]} is a layer index
    # x^{(i)} is a sample index (e^{(x+y)} is a power)
    s = re.sub(r"(?<![\\A-Za-z]e)(?<!^e)\^\s*\{\s*\(\s*([A-Za-z]?[0-9]*|[0-9]+|[A-Za-z]\s*[+-]\s*[0-9]+)\s*\)\s*\}",
               lambda m: rf"_{{ZZS{m.group(1).replace(' ', '')}}}" if m.group(1) else m.group(0), s)
    s = _labelled_entries(s, rw)
    # ∂L/∂w written inline with a slash: the same derivative as \frac{∂L}{∂w}
    s = re.sub(rf"\\partial\s*({_DNAME})\s*/\s*\\partial\s*({_DNAME})",
               lambda m: rf"\frac{{\partial {m.group(1)}}}{{\partial {m.group(2)}}}", s)
    s = re.sub(r"\\partial_\s*(\{[^{}]*\}|[A-Za-z])",
               lambda m: rf"\frac{{\partial}}{{\partial {m.group(1).strip('{}')}}}", s)  # ∂_w f
    s = extrema(s)
    s = sums(s)
    # a one-letter upper bound is braced: the parser reads ``^d \mathrm{..}`` as a differential
    s = re.sub(r"(\\(?:sum|prod)\s*_\s*\{[^{}]*\}\s*\^\s*)([A-Za-z0-9])(?![A-Za-z0-9])", r"\1{\2}", s)
    s = re.sub(r"\\gamma(?![A-Za-z])", r"\\mathrm{ZZgamma}", s)  # γ is a symbol, not Euler's constant
    s = re.sub(r"\\det(?![A-Za-z])", r"\\mathrm{det}", s)
    for w in WORDS:
        s = re.sub(rf"(?<![A-Za-z\\]){w}(?![A-Za-z])", lambda m, w=w: _word(s, m, w, rw), s)
    for w in FUNCTION_WORDS:
        s = re.sub(rf"(?<![A-Za-z\\]){w}(?=\s*\()", lambda m, w=w: _word(s, m, w, rw), s)
    s = words(s, rw)
    if sigma_is_sigmoid and re.search(r"\\sigma\s*\(", s) and re.search(r"\\sigma(?![A-Za-z])(?!\s*\()", s):
        rw.found.add("sigmoid")  # σ(x) is the sigmoid, yet σ is also a plain symbol here: σ·x is a reading
    s = expectations(s)
    s = entry_calls(s)
    s = force_calls(s, calls, sigma_is_sigmoid=sigma_is_sigmoid, functions=functions, entries=rw.entries)
    s = operator_arguments(s, rw)
    s = s.strip()
    return re.sub(r"(\s|,|\.|;|:|\\[,;.!])+$", "", s)


#: A name as written after a ∂ (``\\partial w_1``, ``\\partial \\mathrm{yQQhat}``, ``\\partial \\sigma^2``).
_DNAME = (r"(?:\{[^{}]*\}|\\mathrm\{[^{}]*\}|\\?[A-Za-z]+)(?:\s*_\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]+))?"
          r"(?:\s*\^\s*(?:\{\s*\d\s*\}|\d))?")


_LABELLED_ENTRY = re.compile(r"(?<![A-Za-z\\])(\\?[A-Za-z]+)_\{ZZ([SL])([A-Za-z0-9+\-]+)\}(?=\s*_)")


def _labelled_entries(s: str, rw: Rewrites) -> str:
    """``w^{(2)}_k``, ``W^{[l]}_{ij}``: an entry of a labelled name. The label joins the name
    (``w_S2``, as ``w^{(2)}`` alone is named) so that the entry's subscript is its only one."""
    def one(m: re.Match[str]) -> str:
        base = m.group(1).lstrip("\\")
        if m.group(1).startswith("\\") and base in _NOT_NAMES:
            return m.group(0)
        sup = m.group(3).replace("+", "p").replace("-", "m")
        inner = f"{base}QQ{m.group(2)}{sup}"
        brackets = "({})" if m.group(2) == "S" else "[{}]"
        rw.labels.setdefault(inner, f"{m.group(1)}^{{{brackets.format(m.group(3))}}}")
        return rf"\mathrm{{{inner}}}"
    return _LABELLED_ENTRY.sub(one, s)


def _label(rw: Rewrites, inner: str, m: re.Match[str]) -> str:
    """``\\mathrm{inner}``, remembering the LaTeX it was written as (for messages)."""
    rw.labels.setdefault(inner, " ".join(m.group(0).split()))
    return rf"\mathrm{{{inner}}}"


_DECIMAL = re.compile(r"(?<![\w.\\])(\d+\.\d+|\.\d+|\d+)(?:([eE])([+-]?\d+)(?![\w.]))?")


def decimals(s: str, rw: Rewrites) -> str:
    """Decimal literals (``0.1``, ``.5``, ``2.50``, ``1e-3``) → placeholders ``\\mathrm{NUMaaa}``,
    each an exact rational made from its digits (`checker.notation`), never a float.

    ``1e-3`` is scientific notation when written without spaces, the mantissa a number and
    the exponent an integer; its other reading (1·e − 3) is kept among the readings. A number
    in a subscript (``x_{0.5}``) stays a part of the name.
    """
    def one(m: re.Match[str]) -> str:
        lit = m.group(1)
        if re.search(r"_\s*\{[^{}]*$", m.string[:m.start()]):
            return m.group(0)  # part of a subscript
        if m.group(2):
            rw.found.add("scientific")
            if rw.on("scientific"):
                return _number(rw, f"{lit}e{m.group(3)}")
            return (_number(rw, lit) if "." in lit else lit) + m.group(0)[len(lit):]
        return _number(rw, lit) if "." in lit else m.group(0)

    return _DECIMAL.sub(one, s)


def _number(rw: Rewrites, lit: str) -> str:
    rw.numbers.append(lit)
    return rf" \mathrm{{NUM{code(len(rw.numbers) - 1)}}} "


_LABEL_SUP = re.compile(r"(\\mathrm\{([A-Za-z0-9]+)\}|\\([A-Za-z]+)|(?<![A-Za-z\\])([A-Za-z]))"
                        r"(\s*_\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]))?"
                        r"\s*\^\s*(?:\{\s*\\mathrm\{([A-Za-z][A-Za-z0-9]*)\}\s*\}|\\mathrm\{([A-Za-z][A-Za-z0-9]*)\})")
#: Commands that are not names, so a label superscript cannot belong to them.
_NOT_NAMES = frozenset({"sum", "prod", "int", "lim", "frac", "sqrt", "left", "right", "cdot", "times", "max", "min",
                        "ln", "log", "exp", "sin", "cos", "tan", "tanh", "sinh", "cosh", "partial", "nabla", "mathrm"})


_GREEK = ("alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta|vartheta|iota|kappa|lambda|mu|nu|xi|pi|rho|"
          "sigma|tau|upsilon|phi|varphi|chi|psi|omega")
_DELTA_NAME = re.compile(rf"\\Delta\s*(\\(?:{_GREEK})|[A-Za-z])(?![A-Za-z])")


def _delta_names(s: str, rw: Rewrites) -> str:
    """``\\Delta\\theta``, ``\\Delta x_t``: a change of a quantity is one name, not Δ times it."""
    def one(m: re.Match[str]) -> str:
        inner = "Delta" + m.group(1).lstrip("\\")
        return _label(rw, inner, m)
    return _DELTA_NAME.sub(one, s)


def superscript_labels(s: str, rw: Rewrites) -> str:
    """A word as a superscript (``s^{\\text{corrected}}``, ``v^{corrected}``, ``\\hat{m}^{\\text{bc}}``) is a
    part of the name, not a power: the name becomes ``s_corrected``. ``^{\\mathrm{T}}`` stays a transpose."""
    # a plain word of three or more letters as a superscript is a label too (not after Euler's e)
    s = re.sub(r"(?<![\\A-Za-z]e)(?<!^e)\^\s*\{\s*([A-Za-z]{3,})\s*\}",
               lambda m: m.group(0) if m.group(1) in ("top", "max", "min") else rf"^{{\mathrm{{{m.group(1)}}}}}", s)
    if re.search(r"\^\s*(?:\*|\{\s*(?:\*|\\star|\\ast)\s*\}|\\star|\\ast)", s):
        # θ^*, w^{\star}: the optimum, a name (a star is never a power)
        rw.labels.setdefault("star", "*")
        s = re.sub(r"\^\s*(?:\*|\{\s*(?:\*|\\star|\\ast)\s*\}|\\star(?![A-Za-z])|\\ast(?![A-Za-z]))",
                   r"^{\\mathrm{star}}", s)

    def one(m: re.Match[str]) -> str:
        word = m.group(6) or m.group(7)
        base = m.group(2) or m.group(3) or m.group(4)
        if word == "T" or (m.group(3) and m.group(3) in _NOT_NAMES) or base.startswith("ZZ") \
                or re.fullmatch(r"(NUM|FNC|PRM|BLK|DRV|MX)[a-z]{3}|ZZ\w*", word):  # a number, not a label
            return m.group(0)
        base_latex = rw.labels.get(base, m.group(1))
        sup = rw.labels.get(word, rf"\text{{{word}}}")
        inner = f"{base}QQ{word}"
        rw.labels.setdefault(inner, f"{base_latex}^{{{sup}}}")
        return rf"\mathrm{{{inner}}}" + (m.group(5) or "")

    return _LABEL_SUP.sub(one, s)


_WORD_SCAN = re.compile(r"\\(?:mathrm|text|textrm|textit|mathit|operatorname\*?|mathbb|mathcal|mathscr|mathsf|mbox"
                        r"|begin|end)\s*\{[^{}]*\}|\\[A-Za-z]+|_\s*(?:\{[^{}]*\}|[A-Za-z])|([A-Za-z]+)")


def is_word(run: str) -> bool:
    """A run of Latin letters that is plainly a word, not a product of one-letter names: a
    capitalised run of three or more letters (``Sales``), or any run of four or more
    (``loss``, ``RMSE``); differentials such as ``dxdy`` are not words."""
    if re.fullmatch(r"(d[A-Za-z])+", run):
        return False
    return bool(re.fullmatch(r"[A-Z][a-z]{2,}", run)) or len(run) >= 4


def words(s: str, rw: Rewrites) -> str:
    """Words → one name each (``Sales`` is not S·a·l·e·s, and its e is not Euler's number).

    The product of the letters stays among the readings (`Rewrites.found` gets ``words``)."""
    def one(m: re.Match[str]) -> str:
        run = m.group(1)
        if not run or not is_word(run):
            return m.group(0)
        rw.found.add("words")
        if not rw.on("words"):
            return m.group(0)
        rw.labels.setdefault(run, run)
        return rf" \mathrm{{{run}}} "

    return _WORD_SCAN.sub(one, s)


#: Operators written without parentheses (``\\ln x``, ``\\sin^2 x``, ``\\log_2 x``).
_OPERATOR = re.compile(r"\\(ln|log|exp|sin|cos|tan|sec|csc|cot|sinh|cosh|tanh|arcsin|arccos|arctan)(?![A-Za-z])"
                       r"(\s*_\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]))?(\s*\^\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?\s*")
_FACTOR = re.compile(r"\s*(\\mathrm\{[^{}]*\}|\\(?:frac|binom)\s*\{(?:[^{}]|\{[^{}]*\})*\}\s*\{(?:[^{}]|\{[^{}]*\})*\}"
                     r"|\\sqrt\s*(?:\[[^\[\]]*\])?\s*\{(?:[^{}]|\{[^{}]*\})*\}"
                     r"|\\(?!(?:ln|log|exp|sin|cos|tan|sinh|cosh|tanh|sum|prod|int|lim|frac|sqrt|cdot|times|div|pm|mp"
                     r"|partial|max|min|to|infty|left|right|mathrm|binom)(?![A-Za-z]))[A-Za-z]+"
                     r"|[A-Za-z]|\d+|\{(?:[^{}]|\{[^{}]*\})*\})"
                     r"((?:\s*[_^]\s*(?:\{(?:[^{}]|\{[^{}]*\})*\}|\\?[A-Za-z0-9]+)|\s*!|')*)")


#: An operator applied in parentheses: a factor only as the first one (ln ln x is ln(ln x), sin a cos b
#: is sin(a)·cos(b)).
_OPCALL = re.compile(r"\s*\\(?:ln|log|exp|sin|cos|tan|sec|csc|cot|sinh|cosh|tanh|arcsin|arccos|arctan)"
                     r"(?:\s*_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?(?:\s*\^\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?"
                     r"\s*\((?:[^()]|\([^()]*\))*\)")


_RELATION_COMMAND = re.compile(r"\\(?:approx|leq?|geq?|neq?|sim|simeq|propto|equiv|in|to|cong|lt|gt|ll|gg|mid)"
                               r"(?![A-Za-z])")


def operator_arguments(s: str, rw: Rewrites) -> str:
    """The argument of an operator written without parentheses, made explicit.

    ``\\ln x / \\ln 2`` is (ln x)/(ln 2), ``\\log ab`` is log(ab), ``\\ln 2\\pi\\sigma^2`` is
    ln(2πσ²): the argument is the product of the factors that follow, up to an operator
    (``+``, ``/``, ``\\cdot``, ...), a parenthesis or a brace. The parser's own reading (which
    takes ``\\ln x / \\ln 2`` as ln(x / ln 2)) stays among the readings where it differs.
    """
    if not rw.on("operator_extent"):
        return s
    for m in reversed(list(_OPERATOR.finditer(s))):
        k = m.end()
        if k >= len(s) or s[k] in "({":
            continue
        factors, j = [], k
        first = _OPCALL.match(s, j)
        if first:
            factors.append(first.group(0))
            j = first.end()
        while not first:
            f = _FACTOR.match(s, j)
            if not f or f.end() == j or _RELATION_COMMAND.match(f.group(0).strip()):
                break  # a relation (\approx, \le, ...) ends the argument
            factors.append(f.group(0))
            j = f.end()
        if not factors:
            continue
        rest = s[j:].lstrip()
        if len(factors) > 1 or rest.startswith(("/", "(")):
            rw.found.add("operator_extent")
        s = s[:k] + "(" + "".join(factors).strip() + ")" + s[j:]
    return s

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


def _word(s: str, m: re.Match[str], w: str, rw: Rewrites) -> str:
    """A word as one name, unless it already is the argument of a command (``\\mathrm{TP}``)."""
    if re.search(r"\\(mathrm|text|textrm|textit|operatorname|mathit|mathbf|mathsf)\*?\s*\{\s*$", m.string[:m.start()]):
        return m.group(0)
    rw.labels.setdefault(w, w)
    return rf"\mathrm{{{w}}}"


def _accent(m: re.Match[str], rw: Rewrites) -> str:
    """``\\hat{y}`` → one name, ``y_hat`` (spelled so that the parser keeps it whole)."""
    acc = {"widehat": "hat", "overline": "bar"}.get(m.group(1), m.group(1))
    inner = f"{m.group(2)}QQ{acc}"
    rw.labels.setdefault(inner, " ".join(m.group(0).split()))
    return rf"\mathrm{{{inner}}}"


def cut_trailing_text(s: str) -> str:
    """Drop trailing prose: ``\\text{for all } i``, ``\\quad \\text{where ...}``."""
    for m in re.finditer(r"\\(text|textrm|mbox)\s*\{([^{}]*)\}", s):
        if _PROSE.search(m.group(2).strip()) and not re.search(r"[=<>]", s[m.end():]):
            return s[: m.start()]
    return s


_EXPECT = re.compile(r"\\mathbb\s*\{\s*([EP])\s*\}|(?<![\\{])(E)(?=\s*\[)|(?<![\\{A-Za-z])(E)(?=\s*\()")


def expectations(s: str) -> str:
    """``E[X]``, ``\\mathbb{E}[X]`` → ``\\mathrm{E}(X)``; ``\\mathbb{P}(A)`` → ``\\mathrm{P}(A)``.

    A subscripted expectation (``\\mathbb{E}_{x \\sim p}``) names its distribution, which the
    parser cannot keep, so it is left alone (and refused).
    """
    out, i = [], 0
    for m in _EXPECT.finditer(s):
        if m.start() < i:
            continue
        letter = m.group(1) or m.group(2) or m.group(3)
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
                functions: frozenset[str], entries: dict[int, str] | None = None) -> str:
    """``NAME(args)`` → a placeholder ``\\mathrm{FNCaaa}``; `store` gets (NAME, [arg, ...]).

    The parser reads ``f(x+y)`` as a product and splits a call's arguments at every comma
    (so ``f(g(x, y))`` fails): each call of a function name is cut out, its arguments are
    parsed on their own, and the call is rebuilt after parsing (`checker.notation`). With
    `entries`, an entry of the call's value (``f(x)_i``) is taken with the call: `entries` gets
    the call's number and the index.
    """
    out, i = [], 0
    for m in _CALLEE.finditer(s):
        name = m.group(1)
        base = name.split("_")[0]
        is_function = (name.startswith("\\mathrm") and not name.startswith(("\\mathrm{MX", "\\mathrm{NUM"))
                       or (name == "\\sigma" and sigma_is_sigmoid)
                       or name in ("\\phi", "\\psi") or base in FUNCTION_LETTERS or base in functions)
        if not is_function or m.start() < i:
            continue
        open_at = m.end() - 1
        close = matching(s, open_at)
        if close < 0:
            continue
        args = [force_calls(a, store, sigma_is_sigmoid=sigma_is_sigmoid, functions=functions, entries=entries)
                for a in arguments(s[open_at + 1:close])]
        if not args:
            continue
        store.append((name, args))
        out.append(s[i:m.start()] + rf" \mathrm{{FNC{code(len(store) - 1)}}} ")
        i = close + 1
        entry = ENTRY.match(s, i) if entries is not None else None
        if entry:
            entries[len(store) - 1] = entry.group(1) or entry.group(2)
            i = entry.end()
    out.append(s[i:])
    return "".join(out)


_PRIME = re.compile(r"(\\mathrm\{[A-Za-z0-9]+\}|\\(?!(?:left|right|cdot|times|frac|sqrt)(?![A-Za-z]))[A-Za-z]+"
                    r"|(?<![A-Za-z\\])[A-Za-z](?:_(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9]))?)"
                    r"\s*((?:'|\\')+|\^\s*(?:\{\s*(?:\\prime\s*)+\}|\\prime))\s*\(")


def primes(s: str, store: list[tuple[str, str, int]]) -> str:
    """``f'(x)``, ``\\ell''(p)``, ``\\mathcal{L}'(p)``, ``f^{\\prime}(x)`` → a placeholder
    ``\\mathrm{PRMaaa}``; `store` gets (function, argument, order).

    The derivative is built after parsing (`checker.notation`): the derivative of the function
    taken at the argument, ``Subs(d/du f(u), u, x)``.
    """
    while True:
        m = _PRIME.search(s)
        if not m:
            return s
        close = matching(s, m.end() - 1)
        if close < 0:
            return s  # unbalanced: the parser reports it
        order = m.group(2).count("'") + m.group(2).count("\\prime")
        store.append((m.group(1), s[m.end():close], order))
        s = s[: m.start()] + rf" \mathrm{{PRM{code(len(store) - 1)}}} " + s[close + 1:]



_DVAR = re.compile(r"\s*(\\partial(?![A-Za-z])|d)\s*\{?\s*"
                   r"(\\mathrm\{[A-Za-z0-9]+\}|\\[A-Za-z]+|[A-Za-z])(\s*_\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]+))?"
                   r"\s*\}?\s*(?:\^\s*\{?\s*(\d)\s*\}?)?")


def derivative_fraction(num: str, den: str) -> tuple[str, list[tuple[str, int]]] | None:
    """``\\frac{\\partial^2 f}{\\partial x \\partial y}`` → ("f", [(x, 1), (y, 1)]), or None.

    The numerator is ``d`` or ``\\partial`` (with an order), then what is differentiated
    (empty for an operator such as ``\\frac{d}{dx}``); the denominator lists the variables,
    each a name as the layer reads it elsewhere (``\\mathrm{yQQhat}``, ``w_j``, ``\\theta_{ij}``).
    A power that the order of the numerator does not count is a part of the variable:
    ``\\frac{\\partial L}{\\partial \\sigma^2}`` is the derivative with respect to σ² (the
    variable ``\\sigma^{2}``), ``\\frac{\\partial^2 L}{\\partial \\sigma^2}`` the second derivative.
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
        variables.append((dm.group(2) + re.sub(r"\s", "", dm.group(3) or ""), int(dm.group(4) or 1)))
        k = dm.end()
    order = int(m.group(2) or 1)
    for n, (name, power) in enumerate(variables):
        if sum(p for _, p in variables) <= order:
            break
        if power > 1:  # ∂σ²: the variable σ², not the second derivative
            variables[n] = (f"{name}^{{{power}}}", 1)
    if not variables or sum(n for _, n in variables) != order:
        return None
    return body, variables


__all__ = ["FUNCTION_LETTERS", "Rewrites", "arguments", "code", "cut_trailing_text", "decimals", "derivative_fraction",
           "expectations", "force_calls", "group", "is_word", "matching", "operator_arguments", "prepare", "primes",
           "superscript_labels", "words"]
