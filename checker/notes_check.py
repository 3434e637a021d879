"""Checking notes: equations read in order, with a context, turned into claims and verdicts.

The context (`checker.notes_context`) keeps what earlier equations and directives said:
definitions, assumptions and the notation. Each claim is checked in a worker process under
the time budget, so a pathological equation costs its budget and becomes `inconclusive`,
never a hang.

The reader is conservative: a name set to a number in running text (``$w = 0$``) is a value
for that sentence, not a definition; a derivative of a quantity that is neither defined nor
a function of the variable is uncheckable, not true.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from checker.budget import BudgetPool, Outcome
from checker.engine import DEFAULT_TIMEOUT
from checker.engine import check as check_claim
from checker.notation import Notation, ParseError, display, is_prime_variable, parse_latex
from checker.notes import Directive, Equation
from checker.notes_context import (PROBABILITY_OPERATORS, Context, _apply_directive, _claim_for, _definition,
                                   SubstitutionError, _opaque_derivative, _Row, _rows, _running_text,
                                   power_variables, read_sides, _substitute, _undefined_functions,
                                   value_of)
from checker.notation_ops import loose_entry
from checker.notation_series import NEAR, stationary_everywhere
from checker.notes_sequences import (Family, as_terms, at_indices, entry_products, entry_variables, expand, family_of,
                                     instances, named_entry, says_zero_start, term_of)
from checker.notes_forms import declaration, entry_derivative, is_matrix, plain_symbols, redefined
from checker.shapes import hidden_dependence, shape_clash, value_shape
from checker.notes_policy import (DEFINES_ANEW as _DEFINES_ANEW, PLACEHOLDER, fault_hook, hypothesis as _hypothesis,
                                  internal_error, normalised, recursive as _recursive, side_conditions,
                                  side_texts as _side_texts, spelled, takes_both_signs, unclear_sum_extent)
from sympy.core.function import AppliedUndef

from checker.approx import parse_stated
from checker.events import calls as event_calls
from checker.events import claim_for as events_claim
from checker.events import record as record_event_value
from checker.events import with_values as event_values
from checker.information import claim_for as information_claim
from checker.information import distributions_in, fixed_distributions, is_information_call
from checker.randomvars import claims_for, random_variables
from checker.claims import Approximation, Identity, Property
from checker.relations import INEQUALITIES
from checker.results import Result
from checker.verdict import Method, Status, Verdict


def _run_claim(claim: Any, seed: int, timeout: float) -> Verdict:
    fault_hook("check", claim)
    return check_claim(claim, seed=seed, timeout=timeout / 2).verdict


# --- the run: plan (in order, cheap), execute (parallel, cached), repair chains ------------------

@dataclass
class Task:
    """One result to produce: either a claim to check, or a verdict known without checking."""

    eq: Equation
    row: _Row
    step: int
    latex: str
    kind: str
    claim: Any = None
    fixed: Verdict | Status | None = None
    message: str = ""
    expected_wrong: bool = False
    chain: tuple[int, int] | None = None  # (chain id, index of the right side in the chain)
    against: int = 0  # index of the chain side the claim compares with
    undefined: tuple[str, ...] = ()  # functions the notes use without defining them
    redefines: str = ""  # a defined name given another form: a new definition, or a claim
    verdict: Verdict | None = None
    used: tuple[str, ...] = ()  # defined names substituted into the claim
    origins: dict[str, int] = field(default_factory=dict)  # line of each definition or value used
    spelling: dict[str, str] = field(default_factory=dict)  # how the notes write each name
    evaluation: tuple[str, ...] = ()  # a worked number that depends on names without a value
    hypothesis: str = ""  # the words before it make it an equation to solve, not an identity
    described: tuple[str, ...] = ()  # names given to a defined function that the notes describe only in words
    extent: str = ""  # the index of a sum whose extent the notes leave unclear
    anew: bool = False  # a restated name that may be defined anew: a differing form is a definition
    mixed: str = ""  # a name used both as a vector and through its entries (π and π_j)
    operators: tuple[str, ...] = ()  # E, Var, P... without a distribution: only a symbolic proof counts
    unrolled: bool = False  # a claim about a sequence, compared at several values of its index
    alternatives: list[tuple[str, Any]] = field(default_factory=list)  # side conditions known while planning
    note: str = ""  # why a verdict was changed by the verdict policy
    retry: Task | None = None  # a failed chain step compared again with the last side that held
    doubt: str = ""  # why the reading may not be what the notes mean: a failure is then inconclusive
    conditions: bool = True  # look for a standard side condition under which a failed claim holds


@dataclass
class _Chain:
    sides: list[Any]
    relations: list[str]
    ctx_assumptions: list[sp.Basic]


class Plan:
    """The tasks of one or more sources, and the chains they belong to."""

    def __init__(self, parse: Any = None) -> None:
        self.tasks: list[Task] = []
        self.chains: list[_Chain] = []
        #: a row ``ℓ(θ) = <unreadable>``: the `&=` row after it may give ℓ a readable form
        self._pending: tuple[Equation, Any, int] | None = None
        self.parse = parse or parse_latex

    def add_source(self, items: Iterable[Equation | Directive], *, notation: Notation | None = None,
                   assumptions: Sequence[sp.Basic] = ()) -> None:
        """Read one source's items in order, with a fresh context, and plan its tasks.

        An error inside the planning of one equation makes that equation `inconclusive`
        ("internal error"); the other equations are planned as usual.
        """
        ctx = Context(notation=notation or Notation(), assumptions=list(assumptions), parse=self.parse)
        for item in items:
            if isinstance(item, Directive):
                problem = _apply_directive(item, ctx)
                if problem:
                    eq = Equation(file=item.file, line=item.line, column=1, latex="", display=False, env=None,
                                  rows=())
                    self.tasks.append(Task(eq=eq, row=_Row(item.line, 1, "", False), step=1,
                                           latex=f"mathcheck: {item.verb} {item.argument}", kind="directive",
                                           fixed=Verdict(status=Status.UNPARSED, reason=problem), message=problem))
                continue
            if item.section != ctx.section:
                ctx.section = item.section
                ctx.values.clear()  # a worked example's numbers end at the next heading
            before = len(self.tasks)
            try:
                self._plan_equation(item, ctx)
            except Exception as exc:  # noqa: BLE001 - one equation's failure must not stop the run
                del self.tasks[before:]
                rows = _rows(item) or [_Row(item.line, item.column, item.latex, False)]
                misfit = isinstance(exc, SubstitutionError)
                message = str(exc) if misfit else internal_error("planning", exc)
                self.tasks.append(Task(eq=item, row=rows[0], step=1, latex=item.latex,
                                       kind="definition-misfit" if misfit else "internal",
                                       fixed=Verdict.inconclusive(message), message=message))

    def _plan_equation(self, eq: Equation, ctx: Context) -> None:
        fault_hook("plan", eq.latex)
        if says_zero_start(eq.context):
            ctx.zero_start = True
        if _INDEPENDENT_THROUGHOUT.search(eq.context):
            ctx.independent = True
        declared = _RANDOM.search(eq.context[-60:]) if not eq.display else None
        if declared:
            names = re.findall(r"[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?", eq.latex)
            ctx.random.update(names)
            if declared.group("positive"):
                ctx.positive_random.update(names)
        expect_wrong, ctx.expect_wrong_next = ctx.expect_wrong_next, False
        rows = _rows(eq)
        if ctx.skip_next:
            ctx.skip_next = False
            if rows:
                self.tasks.append(Task(eq=eq, row=rows[0], step=1, latex=eq.latex, kind="skipped",
                                       fixed=Status.SKIPPED, message="skipped by a directive"))
            return
        chain_tail: Any = None
        current_chain: int | None = None
        work: list[_Row | None] = list(rows)
        while work:
            row = work.pop(0)
            if row is None:  # the end of a row whose last side could not be read
                chain_tail = current_chain = None
                continue
            pending, self._pending = self._pending, None
            if row.anchor is not None:  # the readable part of a row, after an unreadable side
                chain_tail = row.anchor
                current_chain = len(self.chains)
                self.chains.append(_Chain([_substitute(row.anchor, ctx)], [], list(ctx.assumptions)))
            members = self._set_declaration(row.latex, ctx)
            if members:
                self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="declaration",
                                       fixed=Status.SKIPPED, message=members))
                chain_tail = current_chain = None
                continue
            declared = declaration(row.latex, ctx.notation, ctx.parse)
            if declared is not None:
                message, ctx.notation = declared
                self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="declaration",
                                       fixed=Status.SKIPPED, message=message))
                chain_tail = current_chain = None
                continue
            try:
                parsed = ctx.parse(row.latex, notation=ctx.notation)
            except ParseError as exc:
                if getattr(exc, "budget_spent", False):  # readable, but too costly to build: undecided
                    self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="budget",
                                           fixed=Verdict.inconclusive(str(exc)), message=str(exc)))
                    chain_tail = current_chain = None
                    continue
                # a text a dry run has not read yet is not known to be unreadable: not split
                split = not row.part and not getattr(exc, "pending", False)
                parts = self._plan_sides(eq, row, ctx, chain_tail) if split else None
                if parts is not None:
                    work[:0] = parts
                    continue
                reason = _readable(str(exc), row.latex)
                self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="unparsed",
                                       fixed=Verdict(status=Status.UNPARSED, reason=reason),
                                       message=f"cannot read: {reason}"))
                chain_tail = current_chain = None
                continue
            ctx.distributions |= distributions_in(parsed.sides, ctx.distributions)
            recorded = record_event_value(parsed.sides, parsed.relations, ctx.values) if not row.continues else None
            if recorded:
                ctx.origins[recorded] = row.line
            seen = set(ctx.seen)  # the names of the equations before this one
            for name, written in (getattr(parsed, "names", None) or {}).items():
                ctx.spelling.setdefault(name, written)
                ctx.seen.add(name)
            sides, relations = list(parsed.sides), list(parsed.relations)
            texts = _side_texts(row.latex, len(sides))
            if row.continues and chain_tail is None:
                # the row it continues could not be read (that row is reported): this step is not
                # checked, and the next row is compared with this one
                reason = "the row before could not be read, so this step is not checked"
                self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="chain-step",
                                       fixed=Verdict.inconclusive(reason), message=reason))
                if pending is not None and pending[0] is eq and row.lead == "=":
                    self._define_provisionally(pending[1], sides[0], pending[2], row.line, eq, ctx)
                chain_tail = sides[-1]
                current_chain = len(self.chains)
                self.chains.append(_Chain([_substitute(sides[-1], ctx)], [], list(ctx.assumptions)))
                continue
            if row.continues:
                sides = [chain_tail] + sides
                relations = [row.lead] + relations
                texts = [""] + texts
            if not relations:
                continue  # an expression, not a claim
            first = 1  # the first step that is a claim
            of_family = isinstance(sides[0], sp.Symbol) and (term_of(sides[0].name, ctx.spelling) or ("",))[0] \
                in {k for k, f in ctx.families.items() if f.recursive}
            if not row.continues and relations[0] == "=" and not of_family:
                value = value_of(sides[0], sides[1], ctx) if len(sides) == 2 else None
                if value is not None:
                    name, number = value
                    ctx.values[name] = number
                    ctx.origins[name] = row.line
                    self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="value",
                                           fixed=Status.DEFINED,
                                           message=f"sets {self._value_name(sides[0], name, ctx)} = {number} for the worked numbers "
                                                   "that follow"))
                    continue
            if not row.continues and relations == ["="] and isinstance(sides[0], sp.Symbol) \
                    and sides[0] in plain_symbols(sides[1]):
                # θ = θ - η Δθ: an update step of an algorithm (the name on both sides), not an identity
                self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="update", fixed=Status.SKIPPED,
                                       message=f"an update of {self._spell(sides[0].name, ctx)}, not an identity"))
                continue
            running = _running_text(eq, sides, relations, ctx)
            if running is not None and not row.continues:
                kind, message = running
                numbers = [x for x in sides if getattr(x, "is_number", False)]
                if kind == "condition" and all(r in INEQUALITIES for r in relations) and numbers \
                        and all(isinstance(x, sp.Symbol) or getattr(x, "is_number", False) for x in sides):
                    # "with $0 < p < 1$", "a learning rate $\eta > 0$": the domain of the names from here on
                    ctx.assumptions.extend(INEQUALITIES[r](x, y) for x, y, r in zip(sides, sides[1:], relations))
                    kind, message = "declaration", "declares the domain of " + ", ".join(
                        spelled(x.name, ctx.spelling) for x in sides if isinstance(x, sp.Symbol))
                if kind == "value" and len(numbers) == 1:  # "with $v_0 = 0$", "$n = m = 2$"
                    for x in sides:
                        if isinstance(x, sp.Symbol):
                            ctx.values[x.name] = numbers[0]
                            ctx.origins[x.name] = row.line
                    kind = "value"
                self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind=kind,
                                       fixed=Status.SKIPPED, message=message))
                continue
            family = self._family(sides, relations, row, ctx) if not row.continues else None
            if family is not None:
                label = str(family.label)
                anew = label in ctx.families
                ctx.families[label] = family
                ctx.family_sections[label] = ctx.section
                ctx.origins[label] = row.line
                shown = self._spell(sides[0].name, ctx)
                what = "the sequence" if family.recursive else "for every index"
                self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="definition",
                                       fixed=Status.DEFINED,
                                       message=f"defines {shown}{' anew' if anew else ''} ({what})"))
                chain_tail = sides[1]
                current_chain = len(self.chains)
                self.chains.append(_Chain([self._terms(sides[1], ctx)], [], list(ctx.assumptions)))
                if len(sides) == 2:
                    continue
                sides, relations, texts = sides[1:], relations[1:], texts[1:]
            definition = None
            if not row.continues and relations[0] == "=" and family is None and not of_family:
                definition = _definition(sides[0], sides[1], eq.display, ctx)
                if definition is None:
                    definition = self._new_definition(sides, eq, ctx)
            if definition is not None:
                name, params, body = definition
                if isinstance(body, sp.MatrixBase):
                    # explicit matrices are read but not checked in notes: a later scalar reading of the
                    # name must not receive a matrix
                    self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="definition",
                                           fixed=Status.DEFINED,
                                           message=f"defines the matrix {self._spell(name, ctx)} (not used in checks)"))
                    chain_tail = current_chain = None
                    continue
                anew = name in ctx.definitions
                ctx.define(name, params, body, row.line)
                self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="definition",
                                       fixed=Status.DEFINED,
                                       message=f"defines {self._spell(name, ctx)}{' anew' if anew else ''}"))
                if len(sides) == 2:
                    chain_tail = sides[1]
                    current_chain = len(self.chains)  # `&=` rows below continue from the definition
                    self.chains.append(_Chain([_substitute(sides[1], ctx)], [], list(ctx.assumptions)))
                    continue
                first = 2  # a = b = c that starts by naming a: the steps after the first are claims
            # a chain that starts with a defined name restates it in its first step
            renamed = "" if row.continues or relations[0] != "=" or is_information_call(sides[0], ctx.distributions) \
                else redefined(sides[:2], ["="], ctx.definitions)
            # a defined name restated: a claim that it equals its definition. In another part of the
            # notes (the Poisson ℓ after the Bernoulli ℓ), or without words that make it a consequence
            # ("so", "equivalently", "which unrolls to"), it may also define the name anew: a form that
            # differs is then a new definition, not an error
            if renamed and ctx.definitions[renamed][0] and tuple(getattr(sides[0], "args", ())) \
                    != tuple(ctx.definitions[renamed][0]) \
                    and not all(a in plain_symbols(sides[-1]) for a in getattr(sides[0], "args", ())):
                # f(θ_t) = (1 - ηa)^t f(θ_0) after f(θ) = ...: a claim about f at θ_t, not a new f
                # (ℓ(λ) = m log λ - ..., in its own variable, is one)
                renamed = ""
            anew = bool(renamed) and (ctx.sections.get(renamed, ctx.section) != ctx.section
                                      or not _CONSEQUENCE.search(_last_sentence(eq.context))) \
                and not _recursive(renamed, ctx.definitions[renamed][1], ctx)
            builtin = ""
            if not row.continues and relations[0] == "=" and isinstance(sides[0], sp.Function) \
                    and not isinstance(sides[0], AppliedUndef) and sides[0].args \
                    and all(isinstance(x, sp.Symbol) for x in sides[0].args):
                # σ(x) = x sigmoid(βx): notes that give a standard name their own meaning (swish)
                builtin = display(sides[0].func(*sides[0].args), ctx.spelling).split("(")[0] or str(sides[0].func)
            used: set[str] = set()
            substituted = [self._terms(_substitute(x, ctx, used=used), ctx, used) for x in sides]
            sequences = sorted(n for n in used | ({renamed} if renamed else set())
                               if n in ctx.definitions and _recursive(n, ctx.definitions[n][1], ctx))
            if row.continues and current_chain is not None:
                # an `&=` row extends the chain of the rows above it (its first side is their last)
                chain_id = current_chain
                chain = self.chains[chain_id]
                offset = len(chain.sides) - 1
                chain.sides.extend(substituted[1:])
                chain.relations.extend(relations)
            else:
                chain_id = len(self.chains)
                self.chains.append(_Chain(list(substituted), list(relations), list(ctx.assumptions)))  # noqa
                offset = 0
            current_chain = chain_id
            is_chain = len(sides) > 2 or row.continues
            for k, rel in enumerate(relations, start=1):
                if k < first:
                    continue
                g = offset + k  # index of the right side within the whole chain
                task = Task(eq=eq, row=row, step=k + row.offset, latex=row.latex,
                            kind="chain-step" if is_chain else "identity",
                            expected_wrong=expect_wrong, chain=(chain_id, g), against=g - 1)
                task.undefined = tuple(sorted(set(_undefined_functions(substituted[k - 1], ctx))
                                              | set(_undefined_functions(substituted[k], ctx))))
                task.used = tuple(sorted(used))
                task.spelling = dict(ctx.spelling)
                task.origins = {n: ctx.origins[n] for n in used if n in ctx.origins}
                task.hypothesis = _hypothesis(eq) if not row.continues or row.anchor is not None else ""
                task.doubt = next((ctx.provisional[n] for n in used if n in ctx.provisional), "") \
                    or _total_derivative_of_several(row.latex, used, ctx)
                self._fill(task, substituted[k - 1], substituted[k], rel, ctx, is_chain,
                           stated=texts[k] if k < len(texts) else "")
                task.redefines = renamed or builtin
                task.anew = (anew or bool(builtin)) and k == 1
                task.described = tuple(sorted(set(self._fresh(sides[k - 1], sides[k], seen, ctx))))
                task.described = tuple(sorted(set(task.described) | set(_described_arguments(sides[k - 1], sides[k], ctx))
                                              | set(_described_arguments(sides[k], sides[k - 1], ctx))))
                task.mixed = _vector_and_entries(sides[k - 1], sides[k], ctx.spelling)
                task.extent = next((x for x in (unclear_sum_extent(e, ctx.spelling) for e in
                                                (sides[k - 1], sides[k], substituted[k - 1], substituted[k])) if x), "")
                if sequences and task.claim is not None:
                    names = ", ".join(f"{self._spell(n, ctx)} (line {ctx.origins.get(n, '?')})" for n in sequences)
                    reason = (f"it is about {names}, defined from its previous term; claims about such a sequence "
                              "are not unrolled yet, so it is not checked")
                    task.claim, task.fixed, task.message = None, Verdict.inconclusive(reason), reason
                self.tasks.append(task)
            chain_tail = sides[-1]
            if anew and getattr(sides[1], "is_number", False) and not self._params(sides[0]):
                # a defined name set to a number (a = 0.5 for a worked example): a value, as for any name
                ctx.values[renamed] = sides[1]
                ctx.origins[renamed] = row.line
            elif anew:
                ctx.define(renamed, self._params(sides[0]), sides[1], row.line)

    def _plan_sides(self, eq: Equation, row: _Row, ctx: Context, chain_tail: Any) -> list[_Row | None] | None:
        """A row that cannot be read as a whole, read side by side: the steps between readable
        sides become rows of their own (returned, to be planned next), each step that touches an
        unreadable side is reported as such. None when no step can be read.

        ``ℓ(θ) = Σ log p(x_i | θ) = Σ (...)`` defines ℓ by its first readable form, provisionally:
        the step that says so could not be checked (see `_define_provisionally`).
        """
        read = read_sides(row.latex, ctx)
        if read is None:
            return None
        full = ([chain_tail] if row.continues else []) + list(read.sides)
        relations = ([row.lead] if row.continues else []) + list(read.relations)
        shift = 1 if row.continues else 0  # index in `full` of the row's first own side
        named = not row.continues and relations[0] == "=" and full[0] is not None and full[1] is None
        later = next((j for j in range(2, len(full)) if full[j] is not None), None)
        if named and later is None:
            self._doubt_meaning(full[0], row.line, ctx)
        if named and len(full) == 2:
            self._pending = (eq, full[0], row.line)  # the next `&=` row may give the readable form
        for name, written in read.names.items():
            ctx.spelling.setdefault(name, written)
        ok = [full[k - 1] is not None and full[k] is not None for k in range(1, len(full))]
        if not any(ok):
            return None
        defined = named and later is not None and \
            self._define_provisionally(full[0], full[later], row.line, row.line, eq, ctx, row=row, step=later)
        for k in range(1, len(full)):
            if ok[k - 1]:
                continue
            bad = k - 1 if full[k - 1] is None else k
            if bad == 0 and row.continues:
                reason = "the row before could not be read, so this step is not checked"
                self.tasks.append(Task(eq=eq, row=row, step=k, latex=row.latex, kind="chain-step",
                                       fixed=Verdict.inconclusive(reason), message=reason))
                continue
            if k == 1 and defined:
                continue  # reported as the definition
            text = read.texts[bad - shift]
            reason = _readable(read.reasons[bad - shift], text)
            self.tasks.append(Task(eq=eq, row=row, step=k, latex=row.latex, kind="unparsed",
                                   fixed=Verdict(status=Status.UNPARSED, reason=reason),
                                   message=f"cannot read {text[:60]}: {reason}"))
        parts: list[_Row | None] = []
        k = 0
        while k < len(full):
            end = k
            while end + 1 < len(full) and full[end + 1] is not None and full[k] is not None:
                end += 1
            if end > k:
                if k == 0:  # the row's own start: a row as it was (continuing its chain, or not)
                    parts.append(replace(row, latex=read.joined(0, end - shift), part=True))
                else:
                    parts.append(replace(row, latex=read.joined(k - shift + 1, end - shift), continues=True,
                                         lead=relations[k], offset=k, anchor=full[k], part=True))
            k = end + 1
        if full[-1] is None:
            parts.append(None)
        return parts

    def _doubt_meaning(self, lhs: Any, line: int, ctx: Context) -> None:
        """``f(x) = <unreadable>`` after f was defined: f may have a new meaning from here on, so a
        claim that fails with the old one is not called wrong."""
        name = lhs.name if isinstance(lhs, sp.Symbol) else type(lhs).__name__ if isinstance(lhs, AppliedUndef) else ""
        if name in ctx.definitions:
            shown = self._spell(name, ctx)
            ctx.provisional[name] = (f"it does not hold with {shown} as defined at line {ctx.origins.get(name, '?')}, "
                                     f"but line {line} may define {shown} anew in a form that could not be read")

    def _define_provisionally(self, lhs: Any, form: Any, line: int, form_line: int, eq: Equation, ctx: Context,
                              *, row: _Row | None = None, step: int = 0) -> bool:
        """Define `lhs` by a later form of it, when the form that defines it cannot be read. The
        equality of the two is not checked, so a claim that fails with it is not called wrong."""
        definition = _definition(lhs, form, eq.display, ctx)
        if definition is None or is_matrix(definition[2]):
            return False
        name, params, body = definition
        ctx.define(name, params, body, form_line)
        where = f"line {form_line}" + (f", step {step}" if step else "")
        ctx.provisional[name] = (f"it does not hold with {self._spell(name, ctx)} as written at {where}; the form "
                                 f"that defines {self._spell(name, ctx)} at line {line} could not be read, so that "
                                 "it equals this one is not known")
        if row is not None:
            self.tasks.append(Task(eq=eq, row=row, step=1, latex=row.latex, kind="definition", fixed=Status.DEFINED,
                                   message=f"defines {self._spell(name, ctx)} by its form at step {step} (the form at "
                                           "step 1 could not be read)"))
        return True

    @staticmethod
    def _fresh(a: Any, b: Any, seen: set[str], ctx: Context) -> list[str]:
        """Names new to the notes that occur on one side of a step only (``= XW + b`` after
        ``(XW_1 + b_1)W_2 + b_2``): their meaning is given in words ("where W = W_1 W_2")."""
        out = []
        for one, other in ((a, b), (b, a)):
            if not isinstance(one, sp.Basic):
                continue
            names_other = {x.name for x in plain_symbols(other)} | \
                {str(x.label) for x in other.atoms(sp.IndexedBase)} if isinstance(other, sp.Basic) else set()
            mine = {x.name for x in plain_symbols(one) if isinstance(x, sp.Symbol)} | \
                {str(x.label) for x in one.atoms(sp.IndexedBase)}
            for name in mine - names_other:
                if name in seen or name in ctx.definitions or name in ctx.values or name in ctx.families \
                        or (term_of(name, ctx.spelling) or ("",))[0] in ctx.families \
                        or is_prime_variable(sp.Symbol(name)):
                    continue
                out.append(spelled(name, ctx.spelling))
        return out

    @staticmethod
    def _set_declaration(latex: str, ctx: Context) -> str:
        """``y \\in \\{0, 1\\}``: the names take those integer values from here on; the message, or ""."""
        m = _SET_DECLARATION.match(latex)
        if not m:
            return ""
        values = [int(v) for v in re.findall(r"-?\d+", m.group("values"))]
        names = []
        for part in m.group("names").split(","):
            try:
                parsed = ctx.parse(part.strip(), notation=ctx.notation)
            except ParseError:
                return ""
            if parsed.relations or len(parsed.sides) != 1 or not isinstance(parsed.sides[0], sp.Symbol):
                return ""
            names.append(parsed.sides[0])
        for name in names:
            ctx.integers.add(name.name)
            ctx.assumptions.extend([sp.GreaterThan(name, min(values)), sp.LessThan(name, max(values))])
            ctx.origins.setdefault(name.name, 0)
        shown = ", ".join(spelled(n.name, ctx.spelling) for n in names)
        return f"declares {shown} to take the values {', '.join(map(str, values))}"

    @staticmethod
    def _family(sides: list[Any], relations: list[str], row: _Row, ctx: Context) -> Family | None:
        """The family ``v_t = ...`` defines (a sequence, or ``p_j = ...`` for every j), unless it
        restates one of the same part of the notes (then it is a claim about it)."""
        if relations[0] != "=" or not isinstance(sides[0], sp.Symbol):
            return None
        family = family_of(sides[0].name, _substitute(sides[1], ctx), ctx.spelling, row.line)
        if family is None or sides[0].name in ctx.definitions:
            return None
        label = str(family.label)
        if label in ctx.families and not family.recursive and ctx.family_sections.get(label) == ctx.section:
            return None  # a closed form of a sequence defined above: a claim
        return family

    @staticmethod
    def _terms(e: Any, ctx: Context, used: set[str] | None = None) -> Any:
        """Terms of indexed families written out (p_j, m̂_t), sequences at a number unrolled."""
        if not ctx.families or not isinstance(e, sp.Basic):
            return e
        e = as_terms(e, ctx.spelling, set(ctx.families))
        e = entry_products(e, ctx.spelling, set(ctx.families))
        for x in e.atoms(sp.Indexed):
            label = str(x.base.label)
            if label in ctx.families and used is not None:
                used.add(label)
        return expand(e, ctx.families, _starts(ctx), spelling=ctx.spelling)

    @staticmethod
    def _params(lhs: Any) -> tuple[sp.Symbol, ...]:
        if isinstance(lhs, AppliedUndef) and all(isinstance(a, sp.Symbol) for a in lhs.args):
            return tuple(lhs.args)
        return ()

    @staticmethod
    def _value_name(lhs: Any, name: str, ctx: Context) -> str:
        """How the notes write the name of a value: ``P(+ \\mid D)`` for a probability."""
        if isinstance(lhs, AppliedUndef):
            return display(lhs, ctx.spelling)
        return spelled(name, ctx.spelling)

    @staticmethod
    def _spell(name: str, ctx: Context) -> str:
        return spelled(name, ctx.spelling)

    @staticmethod
    def _new_definition(sides: list[Any], eq: Equation, ctx: Context) -> tuple[str, tuple[sp.Symbol, ...], Any] | None:
        """A defined name restated with words that say it is defined anew ("the loss becomes ...")."""
        if len(sides) != 2 or not _DEFINES_ANEW.search(eq.context[-120:]):
            return None
        name = redefined(sides, ["="], ctx.definitions)
        if not name:
            return None
        lhs, rhs = sides
        params = tuple(lhs.args) if isinstance(lhs, AppliedUndef) else ()
        if any(not isinstance(p, sp.Symbol) for p in params):
            return None
        return name, params, rhs

    def _fill(self, task: Task, a: Any, b: Any, rel: str, ctx: Context, is_chain: bool, *, stated: str = "") -> None:
        assumptions = ctx.assumptions
        if rel == "propto":
            task.fixed, task.kind, task.message = Status.SKIPPED, "relation", "a proportionality is not checked"
            return
        operators = sorted({type(x).__name__ for e in (a, b) if isinstance(e, sp.Basic)
                            for x in e.atoms(AppliedUndef)} & PROBABILITY_OPERATORS)
        if self._events(task, a, b, rel, ctx) or self._information(task, a, b, rel, ctx):
            return
        if rel in ("approx", "≈"):  # a probability with a value: its number is what is approximated
            a, b = event_values(a, ctx.values), event_values(b, ctx.values)
            left = {type(c).__name__ for e in (a, b) if isinstance(e, sp.Basic) for c in e.atoms(AppliedUndef)}
            task.undefined = tuple(n for n in task.undefined if n in left)
            operators = sorted({type(x).__name__ for e in (a, b) if isinstance(e, sp.Basic)
                                for x in e.atoms(AppliedUndef)} & PROBABILITY_OPERATORS)
        if operators and self._random_variables(task, a, b, rel, ctx):
            return
        if operators and rel != "=":
            reason = (f"{', '.join(operators)} (expectation, variance, probability) need a distribution, which the "
                      "notes do not give; it is not checked")
            task.fixed, task.kind, task.message = Verdict.inconclusive(reason), "probability", reason
            return
        task.operators = tuple(operators)  # an identity of them may still hold by algebra alone
        if rel in ("approx", "≈"):
            self._approximation(task, a, b, ctx, stated)
            return
        a, b = power_variables(a), power_variables(b)  # ∂ℓ/∂σ² of ℓ written in σ
        # ∂/∂w_j of Σ_k w_k^2 or of ‖w‖²: the derivative with respect to the entry w[j]
        at_entries = entry_variables(a, b, ctx.spelling)
        entries = at_entries != (a, b)
        a, b = at_entries
        clash = shape_clash(a, b) or hidden_dependence(a, b)
        if clash:
            task.fixed, task.kind, task.message = Verdict.inconclusive(clash), "matrix", clash
            return
        if value_shape(a) != value_shape(b):
            reason = ("one side is a matrix and the other a scalar (or another shape): a shape declared earlier "
                      "may not apply here, so it is not checked")
            task.fixed, task.kind, task.message = Verdict.inconclusive(reason), "matrix", reason
            return
        entry = entry_derivative(a) or entry_derivative(b)
        if entry:
            reason = (f"a derivative with respect to the entry {entry} of a vector that is summed over: "
                      "entries of summed vectors are not differentiated in notes, so it is not checked")
            task.fixed, task.kind, task.message = Verdict.inconclusive(reason), "derivative", reason
            return
        opaque = _opaque_derivative(a) or _opaque_derivative(b)
        if opaque is not None:
            reason = (f"{display(opaque, ctx.spelling)} is a derivative of a quantity the notes do not define in "
                      "terms of that variable; it cannot be checked")
            task.fixed, task.kind, task.message = Verdict.inconclusive(reason), "derivative", reason
            return
        if task.undefined and rel not in ("=", "!="):
            names = ", ".join(spelled(n, ctx.spelling) for n in task.undefined)
            reason = (f"an inequality about {names}, which the notes do not define: it is not checked for every "
                      "function")
            task.fixed, task.kind, task.message = Verdict.inconclusive(reason), "relation", reason
            return
        if ctx.families and rel == "=":
            unrolled = instances(a, b, ctx.families, _starts(ctx), ctx.spelling)
            if unrolled is not None:
                a, b = unrolled
                task.unrolled = True
            elif any(isinstance(x, sp.Indexed) and str(x.base.label) in ctx.families
                     and ctx.families[str(x.base.label)].recursive and not x.indices[0].is_Integer
                     for e in (a, b) if isinstance(e, sp.Basic) for x in e.atoms(sp.Indexed)):
                reason = "it is about a sequence at more than one free index; it is not unrolled, so it is not checked"
                task.fixed, task.message = Verdict.inconclusive(reason), reason
                return
        a, b = self._evaluate(task, a, b, ctx)
        claim = _claim_for(a, b, rel, Context(assumptions=list(assumptions), integers=ctx.integers))
        if claim is None:
            task.fixed, task.kind, task.message = Status.SKIPPED, "relation", f"relation {rel!r} is not checked"
            return
        if ctx.normalised:
            claim = normalised(claim, ctx.normalised)
        if isinstance(claim, Identity) and claim.sizes:
            loose = named_entry((claim.lhs, claim.rhs), ctx.spelling)
            at = at_indices(claim) if not loose else None
            if at is None and entries:
                reason = (f"{loose} is written as a name beside the entries it seems to stand for, which are not "
                          "related to it here" if loose else
                          "a derivative with respect to an entry of a vector whose index has no range from 1 to a "
                          "size in the notes") + ", so it is not checked"
                task.fixed, task.kind, task.message = Verdict.inconclusive(reason), "derivative", reason
                return
            claim = at or claim
        task.claim = claim
        if not is_chain:
            task.kind = claim.kind

    @staticmethod
    def _events(task: Task, a: Any, b: Any, rel: str, ctx: Context) -> bool:
        """Probabilities of named events (`checker.events`): an identity such as Bayes' rule on every
        joint distribution of the events, or a worked number with the values the notes gave."""
        independent = bool(_INDEPENDENT.search(task.eq.context)) or ctx.independent
        claim = events_claim(a, b, rel, values=ctx.values, independent=independent)
        if claim is None:
            return False
        if isinstance(claim, str):
            shown = ", ".join(display(c, ctx.spelling) for c in sorted(
                {c for e in (a, b) for c in event_calls(e) if str(c) in claim.split(", ")}, key=str))
            reason = (f"a worked number: it depends on {shown}, which have no value here (the notes may give them "
                      "in words); state them as `$P(A) = 0.5$` to have it checked")
            task.fixed, task.message = Verdict.inconclusive(reason), reason
            return True
        task.claim = claim
        task.kind = task.kind if task.kind == "chain-step" else "probability"
        task.undefined = ()
        task.conditions = False
        task.origins.update({k: ctx.origins[k] for e in (a, b) for c in event_calls(e)
                             if (k := str(c)) in ctx.values and k in ctx.origins})
        return True

    @staticmethod
    def _information(task: Task, a: Any, b: Any, rel: str, ctx: Context) -> bool:
        """A claim of information theory (entropy, KL, mutual information, sums over distributions)
        read on finite distributions of symbols (`checker.information`); False when it has none."""
        independent = bool(_INDEPENDENT.search(task.eq.context)) or ctx.independent
        claim = information_claim(a, b, rel, distributions=ctx.distributions, independent=independent,
                                  assumptions=tuple(ctx.assumptions))
        if claim is None:
            return False
        task.claim = claim
        task.kind = task.kind if task.kind == "chain-step" else "information"
        task.undefined = ()
        # the claim is about every distribution: its symbols are atoms' weights, not names of the
        # notes, so no side condition on them applies (independence comes from the words)
        task.conditions = False
        builtin = {type(c).__name__ for e in (a, b) if isinstance(e, sp.Basic) for c in e.atoms(AppliedUndef)
                   if is_information_call(c, ctx.distributions)}
        task.used = tuple(n for n in task.used if n not in builtin)
        fixed = fixed_distributions(a, b, distributions=ctx.distributions)
        if fixed:
            # one side does not depend on the distributions: a value of particular distributions
            # (given in words), unless it holds for every one
            task.note = (f"it does not hold for every distribution {', '.join(fixed)}; it may be about particular "
                         "ones described in words, so it is not called wrong")
        return True

    @staticmethod
    def _random_variables(task: Task, a: Any, b: Any, rel: str, ctx: Context) -> bool:
        """A claim about any random variable (E[aX + b] = aE[X] + b, Jensen's inequality) read on
        finite distributions of symbols (`checker.randomvars`); False when it has no such reading."""
        rvs = random_variables([a, b], declared=ctx.random)
        if not rvs:
            return False
        sides_of = [{x.name for x in e.free_symbols} if isinstance(e, sp.Basic) else set() for e in (a, b)]
        if any(not (v.name in sides_of[0] and v.name in sides_of[1]) for v in rvs):
            return False  # Cov(X, Y) = Cov(X, aX + b): Y is given in words, not a claim about every Y
        positive = [v for v in rvs if v.name in ctx.positive_random]
        independent = bool(_INDEPENDENT.search(task.eq.context)) or ctx.independent
        claims = claims_for(a, b, rel, rvs, independent=independent, positive=positive,
                            assumptions=tuple(ctx.assumptions))
        if not claims:
            return False
        task.claim = claims[-1]  # the most atoms: a claim true for every distribution holds for it
        task.kind = "probability"
        task.undefined = tuple(n for n in task.undefined if n not in PROBABILITY_OPERATORS)
        if not independent and len(rvs) > 1:
            alone = claims_for(a, b, rel, rvs, independent=True, positive=positive, assumptions=tuple(ctx.assumptions))
            if alone:
                names = " and ".join(sorted(spelled(v.name, ctx.spelling) for v in rvs))
                task.alternatives.append((f"{names} are independent", alone[-1]))
        return True

    @staticmethod
    def _evaluate(task: Task, a: Any, b: Any, ctx: Context) -> tuple[Any, Any]:
        """A worked number: one side a number, the other in symbols. The symbols take the values
        the notes gave them; those without one are kept in `task.evaluation` (such a claim is
        never wrong: the notes may give the values in words)."""
        if bool(_unknowns(a)) == bool(_unknowns(b)):
            return a, b
        free_a, free_b = plain_symbols(a), plain_symbols(b)
        known = {s: ctx.values[s.name] for s in (free_a | free_b) if isinstance(s, sp.Symbol) and s.name in ctx.values}
        if known:
            a, b = _at_values(a, known), _at_values(b, known)
            task.origins.update({s.name: ctx.origins[s.name] for s in known if s.name in ctx.origins})
        missing = _unknowns(a) | _unknowns(b)
        if task.used and _about_a_family(a, b, missing, ctx):
            return a, b  # Σ_{j=1}^{n} A_ij = 1 after A_ij was defined: an identity at every size
        task.evaluation = tuple(sorted(spelled(s.name, ctx.spelling) for s in missing if isinstance(s, sp.Symbol)))
        return a, b

    def _approximation(self, task: Task, a: Any, b: Any, ctx: Context, stated_text: str) -> None:
        task.kind = "approximation"
        stated = parse_stated(stated_text) if stated_text else None
        if stated is None:
            task.fixed, task.message = Status.SKIPPED, "an approximation without stated digits is not checked"
            return
        value = a
        free = plain_symbols(value)
        known = {s: ctx.values[s.name] for s in free if isinstance(s, sp.Symbol) and s.name in ctx.values}
        if known:
            value = _at_values(value, known)
        missing = sorted(spelled(s.name, ctx.spelling) for s in plain_symbols(value) if isinstance(s, sp.Symbol))
        if missing:
            reason = (f"a worked number: it depends on {', '.join(missing)}, which have no value here (the notes "
                      "may give them in words); state them as `$x = 0.5$` to have it checked")
            task.fixed, task.message = Verdict.inconclusive(reason), reason
            return
        task.claim = Approximation(value=value, stated=stated.value, unit=stated.unit)

def execute(plan: Plan, *, seed: int = 0, timeout: float = DEFAULT_TIMEOUT, jobs: int = 1,
            cache: Any = None, progress: Any = None) -> list[Result]:
    """Check the planned claims (in parallel, through the cache) and give the results in order.

    Each step of a chain is checked against the side written just before it. A step that
    fails after a step that failed is also compared with the last side that held (the author
    may have gone on from there); it is `wrong` only when both comparisons fail. A failed
    claim then goes through the verdict policy (`checker.notes_policy`): it stays `wrong`
    only when no standard side condition makes it hold.
    """
    # long-lived budgeted workers, shared by every round (a fork per claim costs more than
    # most claims); one that overruns is killed and replaced. No concurrent.futures: its
    # threads make fork unsafe. Workers start when the first claim needs one.
    with BudgetPool(max(1, jobs)) as pool:
        _run(plan.tasks, pool, seed=seed, timeout=timeout, cache=cache, progress=progress)
        for _ in range(64):  # each round looks again at the first failed step after a failed step of every chain
            retries = _retry_steps(plan)
            if not retries:
                break
            _run(retries, pool, seed=seed, timeout=timeout, cache=cache)
        _apply_evaluations(plan.tasks, pool, seed=seed, timeout=timeout)
        _apply_conditions(plan.tasks, pool, seed=seed, timeout=timeout)
    return [_guarded_result(t) for t in plan.tasks]


def _guarded_result(t: Task) -> Result:
    try:
        return _to_result(t)
    except Exception as exc:  # noqa: BLE001 - one result's failure must not stop the run
        message = internal_error("reporting", exc)
        return Result(file=t.eq.file, line=t.row.line, column=t.row.column, step=t.step, latex=t.latex,
                      kind=t.kind, verdict=Status.INCONCLUSIVE, message=message, cell=t.eq.cell)


#: ``y \in \{0, 1\}``, ``a, b \in \{-1, 1\}``: names that take a few integer values.
_SET_DECLARATION = re.compile(r"^\s*(?P<names>[^=<>{}]+?)\s*\\in\s*\\\{\s*(?P<values>-?\d+(?:\s*,\s*-?\d+)*)\s*\\\}"
                              r"\s*[.,;]?\s*$")

#: "a (positive) random variable $X$": the names that follow are random variables.
_RANDOM = re.compile(r"(?P<positive>\b(?:positive|non-?negative)\s+)?\brandom\s+variables?\s*$", re.IGNORECASE)
#: Words before a claim that make its random variables independent.
_INDEPENDENT = re.compile(r"\b(independent|independence|uncorrelated|i\.i\.d\.?|iid)\b", re.IGNORECASE)
_INDEPENDENT_THROUGHOUT = re.compile(r"\b(?:are|be)\s+(?:mutually\s+)?independent\b", re.IGNORECASE)

#: Words of the sentence before a restated name that make it a consequence, not a new definition.
_CONSEQUENCE = re.compile(r"\b(so|thus|hence|therefore|equivalently|unroll\w*|expand\w*|rewrit\w*|simplif\w*|"
                          r"i\.e\.|that is|in other words|we get|we obtain|which gives|this gives|reduces? to)\b",
                          re.IGNORECASE)


def _last_sentence(context: str) -> str:
    parts = re.split(r"(?<=[.!?])\s", context.strip())
    return parts[-1] if parts else ""


def _at_values(e: Any, known: dict[Any, Any]) -> Any:
    """`e` at the values the notes gave (a derivative is taken before its variable gets a value)."""
    if not isinstance(e, sp.Basic):
        return e
    if e.has(sp.Derivative):
        e = e.subs(known).doit()
        return e
    return e.xreplace(known)


def _unknowns(e: Any) -> set[Any]:
    """What an expression depends on: its symbols (the bounds of its sums too) and vectors."""
    if not isinstance(e, sp.Basic):
        return set()
    return plain_symbols(e) | {b.label for b in e.atoms(sp.IndexedBase)}


def _about_a_family(a: Any, b: Any, missing: set[Any], ctx: Context) -> bool:
    r"""Whether a claim with a number on one side is about a family of symbolic size rather than a
    worked number: it sums up to a size the notes name (n, not a range left unwritten), and every
    name without a value is such a size, a vector whose entries it uses only at letter indices
    (every vector of that size), or a name the notes gave a domain (``\epsilon > 0``)."""
    sides = [e for e in (a, b) if isinstance(e, sp.Basic)]
    sizes = {s for e in sides for total in e.atoms(sp.Sum) for _, _, hi in total.limits
             for s in hi.free_symbols if not s.name.startswith("size_")}
    if not sizes & missing:
        return False
    entries = [x for e in sides for x in e.atoms(sp.Indexed)]
    vectors = {x.base.label for x in entries} - {x.base.label for x in entries if any(i.is_number for i in x.indices)}
    declared = {s.name for r in ctx.assumptions for s in r.free_symbols}
    return all(s in sizes or s in vectors or getattr(s, "name", "") in declared for s in missing)


def _starts(ctx: Context) -> dict[str, Any]:
    """Start values of the sequences: those the notes give (``v_0 = 0``), else zero where the
    notes say that every sequence starts at zero."""
    starts = {k: v for k, v in ctx.values.items()}
    if ctx.zero_start:
        for label, fam in ctx.families.items():
            if fam.recursive:
                starts.setdefault(f"{label}_0", sp.Integer(0))
    return starts




def _readable(message: str, latex: str) -> str:
    """A parser message that quotes the notes' own LaTeX, never the layer's rewritten text."""
    if not PLACEHOLDER.search(message):
        return message
    reason = message.rsplit(": ", 1)[-1] if ": " in message else "not read"
    if PLACEHOLDER.search(reason) or len(reason) > 120:
        reason = "not read"
    shown = latex if len(latex) <= 120 else latex[:117] + "..."
    return f"cannot read {shown!r}: {reason}"


_TOTAL_DERIVATIVE = re.compile(r"\\frac\s*\{\s*(?:d|\\mathrm\s*\{\s*d\s*\}|\\text\s*\{\s*d\s*\})\s*[A-Za-z\\}^]")


def _total_derivative_of_several(latex: str, used: set[str], ctx: Context) -> str:
    """``\\frac{df}{dx}`` of a function the notes defined with several variables: the ordinary d
    says the notes mean a function of one variable, likely another one, described in words."""
    if not _TOTAL_DERIVATIVE.search(latex):
        return ""
    for name in sorted(used):
        params = ctx.definitions.get(name, ((), None))[0]
        if len(params) >= 2:
            shown = spelled(name, ctx.spelling)
            args = ", ".join(spelled(p.name, ctx.spelling) for p in params)
            return (f"{shown} is defined at line {ctx.origins.get(name, '?')} as a function of {args}, but it is "
                    f"differentiated here with d, as a function of one variable: the notes may mean another "
                    f"{shown}; write \\partial (or define {shown} again) to have it checked")
    return ""


def _vector_and_entries(a: Any, b: Any, spelling: dict[str, str]) -> str:
    """A name used as a whole and through its entries in one step (π^{y_i} and π_j^{y_ij}), or ""."""
    whole: set[str] = set()
    entries: set[str] = set()
    for e in (a, b):
        if not isinstance(e, sp.Basic):
            continue
        entries |= {str(x.label) for x in e.atoms(sp.IndexedBase)}
        for x in plain_symbols(e):
            found = term_of(getattr(x, "name", ""), spelling)
            if found:
                entries.add(found[0])
            else:
                whole.add(getattr(x, "name", ""))
    both = sorted(whole & entries)
    return spelled(both[0], spelling) if both else ""


def _described_arguments(side: Any, other: Any, ctx: Context) -> tuple[str, ...]:
    """Names passed to a function the notes define, that are neither defined nor given a value
    and do not occur on the other side (``H(u_K) = \\log K``: the entropy of "the uniform
    distribution u_K", which the notes describe only in words)."""
    out: set[str] = set()
    if not isinstance(side, sp.Basic):
        return ()
    elsewhere = plain_symbols(other)
    for call in side.atoms(AppliedUndef):
        name = type(call).__name__
        if name not in ctx.definitions or is_information_call(call, ctx.distributions):
            continue
        params, _ = ctx.definitions[name]
        for p, a in zip(params, call.args):
            if isinstance(a, sp.Symbol) and a != p and a.name not in ctx.definitions and a.name not in ctx.values \
                    and a not in elsewhere and not is_prime_variable(a) \
                    and (term_of(a.name, ctx.spelling) or ("",))[0] not in ctx.families:
                out.add(spelled(a.name, ctx.spelling))
    return tuple(sorted(out))


def _retry_steps(plan: Plan) -> list[Task]:
    """Failed chain steps whose side before is itself the end of a failed step: compared again
    with the last side that held. A retry that fails too keeps the first comparison's verdict."""
    last_good: dict[int, int] = {}
    out: dict[int, Task] = {}
    for task in plan.tasks:
        if task.chain is None:
            continue
        cid, k = task.chain
        if cid in out:
            continue
        good = last_good.get(cid, 0)
        if task.verdict is None or task.claim is None:
            last_good[cid] = k  # undecided or not a claim: not known to be wrong, go on from it
            continue
        if task.verdict.status is Status.WRONG and good != k - 1 and task.retry is None:
            chain = plan.chains[cid]
            claim = _claim_for(chain.sides[good], chain.sides[k], chain.relations[k - 1],
                               Context(assumptions=chain.ctx_assumptions))
            if claim is not None:
                task.retry = Task(eq=task.eq, row=task.row, step=task.step, latex=task.latex, kind=task.kind,
                                  claim=claim, against=good)
                out[cid] = task.retry
                continue
        if task.retry is not None and task.retry.verdict is not None \
                and task.retry.verdict.status is not Status.WRONG and task.verdict.status is Status.WRONG:
            task.verdict, task.against = task.retry.verdict, task.retry.against
        if task.verdict.status is not Status.WRONG:
            last_good[cid] = k
    return list(out.values())


def _apply_evaluations(tasks: list[Task], pool: BudgetPool, *, seed: int, timeout: float) -> None:
    """A worked number (a number on one side, names without values on the other) that fails as an
    identity is still a plausible evaluation when some values of the names make it hold: when the
    difference of its sides takes both signs. When it never does (Σ p_j = 2 after p_j was defined
    as a softmax), no values can make it right, and it stays wrong."""
    todo = [t for t in tasks if t.evaluation and t.verdict is not None and t.verdict.status is Status.WRONG
            and isinstance(t.claim, Identity)]
    if not todo:
        return
    outcomes = pool.map(_both_signs_task, [(t.claim, seed, timeout) for t in todo], timeout=timeout)
    for t, o in zip(todo, outcomes):
        if o.ok and o.value is False:
            t.evaluation = ()  # no values make it hold: wrong under every reading


def _both_signs_task(args: tuple[Identity, int, float]) -> bool | None:
    """Whether lhs − rhs takes both signs over the domain (None: could not tell)."""
    claim, seed, _ = args
    return takes_both_signs(claim.lhs, claim.rhs, assumptions=claim.assumptions, sizes=claim.sizes, seed=seed)


def _apply_conditions(tasks: list[Task], pool: BudgetPool, *, seed: int, timeout: float) -> None:
    """A failed claim that holds under a standard side condition becomes `inconclusive`."""
    todo = [t for t in tasks if t.verdict is not None and t.verdict.status is Status.WRONG and t.claim is not None
            and not t.evaluation and not t.undefined and not t.hypothesis and not t.described
            and not t.extent and not t.anew and not t.mixed and t.conditions and not t.note]
    if not todo:
        return
    conditions = []
    for t in todo:
        point = dict(t.verdict.counterexample.point) if t.verdict.counterexample is not None else {}
        try:
            # a condition that the counterexample satisfies cannot make the claim hold
            conditions.append(list(t.alternatives) + [(what, c) for what, c, satisfied
                                                      in side_conditions(t.claim, t.spelling)
                                                      if satisfied(point) is not True])
        except Exception as exc:  # noqa: BLE001 - one claim's failure must not stop the run
            t.verdict = Verdict.inconclusive(internal_error("looking for the conditions under which it holds", exc))
            conditions.append([])
    args = [([c for _, c in conds], seed, timeout) for conds in conditions]
    outcomes = pool.map(_first_condition_task, args, timeout=timeout * 4)
    for t, conds, o in zip(todo, conditions, outcomes):
        prose = _MATRIX_PROPERTY.search(t.eq.context[-1500:]) if _has_matrices(t.claim) else None
        if prose and (not conds or not o.ok or o.value is None):
            # "the columns of X are orthonormal", "for a symmetric A": a property of a matrix stated
            # in words, which random matrices do not have
            t.note = (f"it fails for general matrices, but the notes state a property of a matrix "
                      f"('{prose.group(0)}') that it may need; it is not checked under it")
            continue
        if not conds:
            continue
        if not o.ok:
            t.note = ("it fails as written; whether a usual side condition makes it hold could not be decided "
                      f"({_outcome_verdict(o).reason})")
        elif o.value is not None:
            what = conds[o.value][0]
            how = ("say so in the sentence before it ('independent')" if "independent" in what else
                   "declare it before the equation (<!-- mathcheck: assume ... -->)")
            t.note = f"it does not hold in general, but holds if {what}; if the notes assume this, {how}"


#: Words of prose that give a matrix a property random matrices lack.
_MATRIX_PROPERTY = re.compile(r"\b(symmetric|orthonormal|orthogonal|positive (?:semi-?)?definite|PSD|diagonal|"
                              r"invertible|(?:non-?)?singular|full (?:column |row )?rank|idempotent|projection|"
                              r"triangular|unitary|permutation|eigenvalues?)\b|\\succ", re.IGNORECASE)


def _has_matrices(claim: Any) -> bool:
    return any(isinstance(e, sp.Basic) and e.has(sp.MatrixSymbol)
               for e in (getattr(claim, "lhs", None), getattr(claim, "rhs", None), getattr(claim, "function", None),
                         getattr(claim, "claimed", None), getattr(claim, "statement", None)))


def _first_condition_task(args: tuple[list[Any], int, float]) -> int | None:
    """The index of the first side condition under which the claim is verified, or None."""
    claims, seed, timeout = args
    for k, claim in enumerate(claims):
        try:
            v = check_claim(claim, seed=seed, timeout=timeout / 4, n_points=8).verdict
        except Exception:  # noqa: BLE001 - a condition that cannot be evaluated proves nothing
            continue
        if v.status is Status.VERIFIED and (v.method is Method.SYMBOLIC or _close(v)):
            return k
    return None


def _close(v: Verdict) -> bool:
    """Numeric agreement that is also absolute (values so large that the relative tolerance hides a
    difference of 1, as in (x+y)^4000, prove nothing)."""
    err = v.evidence.max_abs_err if v.evidence is not None else None
    return err is not None and err <= 1e-6


def _run(tasks: list[Task], pool: BudgetPool, *, seed: int, timeout: float, cache: Any, progress: Any = None) -> None:
    from checker.cache import claim_key

    todo: list[tuple[Task, str | None]] = []
    for t in tasks:
        if t.claim is None or t.verdict is not None:
            continue
        key = claim_key(t.claim, seed=seed, timeout=timeout) if cache is not None else None
        hit = cache.get(key) if cache is not None and key else None
        if hit is not None:
            t.verdict = hit
        else:
            todo.append((t, key))
    if not todo:
        return
    # the biggest claims first (longest processing time first), so that no long claim starts
    # last while the other workers have nothing left; the verdicts go back to their tasks
    order = sorted(range(len(todo)), key=lambda k: -_weight(todo[k][0].claim)) if pool.jobs > 1 else list(range(len(todo)))
    args = [(todo[k][0].claim, seed, timeout) for k in order]
    outcomes = pool.map(_run_claim_task, args, timeout=timeout, on_done=progress)
    verdicts: list[Verdict] = [None] * len(todo)  # type: ignore[list-item]
    for k, o in zip(order, outcomes):
        verdicts[k] = _outcome_verdict(o)
    for (t, key), v in zip(todo, verdicts):
        t.verdict = v
        if cache is not None and key and not (v.reason or "").startswith(("time budget spent", "memory budget spent")):
            cache.put(key, v)


def _weight(claim: Any) -> int:
    """A rough cost of checking a claim: the size of its expressions times its size combinations."""
    nodes = 0
    for name in ("lhs", "rhs", "function", "claimed", "statement"):
        e = getattr(claim, name, None)
        if isinstance(e, sp.Basic):
            nodes += sp.count_ops(e, visual=False) + 1
    combos = 1
    for _, values in getattr(claim, "sizes", ()):
        combos *= len(values)
    return nodes * combos


def _run_claim_task(args: tuple[Any, int, float]) -> Verdict:
    claim, seed, timeout = args
    return _run_claim(claim, seed, timeout)


def _outcome_verdict(o: Outcome) -> Verdict:
    if o.ok:
        return o.value  # type: ignore[no-any-return]
    if o.status == "time":
        return Verdict.inconclusive(o.message)
    if o.status == "memory":
        return Verdict.inconclusive("memory budget spent (the worker was stopped)")
    lines = [line for line in (o.message or "").splitlines() if line.strip()]
    first = lines[-1].strip()[:160] if lines else "unknown error"
    return Verdict.inconclusive(f"internal error while checking: {first}; please report it")




def _policy(t: Task) -> Verdict | None:
    """The verdict after the verdict policy: a `wrong` that another plausible reading of the
    notes could make right becomes `inconclusive`, with what that reading is."""
    v = t.verdict
    if v is not None and t.operators and not (v.status is Status.VERIFIED and v.method is Method.SYMBOLIC):
        return Verdict.inconclusive(f"{', '.join(t.operators)} (expectation, variance, probability) need a "
                                    "distribution, which the notes do not give; it is not checked")
    if v is None or v.status is not Status.WRONG:
        return v
    if t.doubt:
        return Verdict.inconclusive(t.doubt)
    if t.undefined:
        # f is not defined by the notes: the equation is not an identity for every f, but the
        # notes may mean a particular f. Conservative: not a counterexample to the notes.
        names = ", ".join(spelled(n, t.spelling) for n in t.undefined)
        return Verdict.inconclusive(f"it does not hold for every function {names}, and the notes do not define "
                                    f"{names}; define it (or mark the equation) to have it checked")
    if t.evaluation:
        return Verdict.inconclusive(f"a worked number: it depends on {', '.join(t.evaluation)}, which have no value "
                                    "here (the notes may give them in words); state them as `$x = 0.5$` to have it "
                                    "checked")
    if t.hypothesis:
        return Verdict.inconclusive(f"it is not an identity; {t.hypothesis}")
    if t.mixed:
        return Verdict.inconclusive(f"{t.mixed} is used both as a whole (a vector) and through its entries; "
                                    "vector notation is not read with its entries, so it is not checked")
    if isinstance(t.claim, Property) and t.claim.statement.has(sp.Symbol(NEAR)) and _stationary(t.claim):
        return Verdict.inconclusive("the claimed point is stationary, but for some values of the other names "
                                    "it is not the optimum (it is the other kind, or a saddle); it holds for the "
                                    "values where the function curves the right way, which the notes may state "
                                    "in words: declare them (<!-- mathcheck: assume ... -->) to have it checked")
    loose = loose_entry(t.claim.statement) if isinstance(t.claim, Property) else ""
    if loose:
        return Verdict.inconclusive(f"an entry of {spelled(loose, t.spelling)} at a free index is compared with its "
                                    "entries summed over, and the check does not tie that index to the range of the "
                                    "sum; it is not checked")
    if t.extent:
        return Verdict.inconclusive(f"where the sum over {t.extent} ends is unclear: terms after it still use the "
                                    f"index {t.extent}; put the summed terms in parentheses to have it checked")
    if t.described:
        names = ", ".join(t.described)
        return Verdict.inconclusive(f"it depends on what {names} is, which the notes describe only in words; define "
                                    f"{names} to have it checked")
    if t.note:
        return Verdict.inconclusive(t.note)
    return v


def _stationary(claim: Property) -> bool:
    """`stationary_everywhere` for a failed optimum claim, in a worker within a budget (False when spent)."""
    from checker.budget import WorkerError, call_with_budget
    from checker.errors import BudgetSpent

    try:
        return call_with_budget(stationary_everywhere, claim.statement, claim.assumptions, claim.sizes,
                                timeout=5.0, what="checking that the claimed optimum is stationary")
    except (BudgetSpent, WorkerError):
        return False


def _wrong_message(t: Task, v: Verdict) -> str:
    kind = t.claim.kind if t.claim is not None else t.kind
    if kind == "derivative":
        text = "the claimed derivative disagrees with finite differences of the function"
    elif kind == "approximation":
        text = v.reason or "the value does not round to the stated digits"
    elif isinstance(t.claim, Property) and t.claim.statement.has(sp.Symbol(NEAR)):
        text = (f"the claimed point is not the optimum: a point near it does better ({NEAR} moves it by that "
                "fraction of a tenth of its size, 1 + |point|)")
    elif t.chain is not None and t.kind == "chain-step":
        text = f"step {t.step} does not follow from the step before"
    else:
        text = "the two sides differ"
    if t.redefines:
        line = t.origins.get(t.redefines)
        text += f"; it restates {spelled(t.redefines, t.spelling)}, defined at line {line}" if line else ""
    used = [f"{spelled(n, t.spelling)} from line {t.origins[n]}" for n in t.used if n in t.origins
            and n != t.redefines]
    if used:
        text += " (using " + ", ".join(used) + ")"
    return text


def _to_result(t: Task) -> Result:
    if t.verdict is not None and t.verdict.status is Status.WRONG and t.anew:
        line = t.origins.get(t.redefines)
        return Result(file=t.eq.file, line=t.row.line, column=t.row.column, step=t.step, latex=t.latex,
                      kind="definition", verdict=Status.DEFINED, cell=t.eq.cell,
                      message=f"defines {spelled(t.redefines, t.spelling)} anew: this form differs from the "
                              f"definition{f' at line {line}' if line else ''} (with 'so' or 'equivalently' before "
                              "it, it is checked as a claim)")
    if t.verdict is not None:
        v = _policy(t)
        assert v is not None
        kind = t.kind
        if v.status is Status.WRONG:
            message = t.message or _wrong_message(t, v)
        elif v.status is Status.VERIFIED:
            message = t.message or f"verified ({v.method.value if v.method else 'unknown method'})"
        else:
            message = v.reason or "could not decide"
        status, method, ce = v.status, v.method, v.counterexample
    elif isinstance(t.fixed, Verdict):
        status, method, ce, message, kind = t.fixed.status, t.fixed.method, None, t.message, t.kind
    else:
        status, method, ce, message, kind = t.fixed or Status.SKIPPED, None, None, t.message, t.kind
    return Result(file=t.eq.file, line=t.row.line, column=t.row.column, step=t.step, latex=t.latex, kind=kind,
                  verdict=status, method=method, counterexample=ce, message=message, cell=t.eq.cell,
                  expected_wrong=t.expected_wrong and t.claim is not None)


def check_equations(items: Iterable[Equation | Directive], *, notation: Notation | None = None,
                    assumptions: Sequence[sp.Basic] = (), seed: int = 0, timeout: float = DEFAULT_TIMEOUT,
                    jobs: int = 1, cache: Any = None) -> list[Result]:
    """Check the equations of one source, in order, with a context."""
    plan = Plan()
    plan.add_source(items, notation=notation, assumptions=assumptions)
    return execute(plan, seed=seed, timeout=timeout, jobs=jobs, cache=cache)


__all__ = ["Context", "Plan", "Task", "check_equations", "execute"]
