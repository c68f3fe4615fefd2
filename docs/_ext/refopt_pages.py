"""Writes the per-entry pages of the site from refopt's registry when a build starts.

Every algorithm, problem and claim of `refopt.registry` gets a page under ``docs/generated/``
(git-ignored); the fast claims are checked (``claim.verify(seed=0)``) and their curves plotted,
so the pages show what the current code measures. Nothing here keeps a list of its own.
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import inspect
import multiprocessing
import os
import textwrap
from pathlib import Path

GENERATED = "generated"
SEED = 0


# -- small RST helpers ---------------------------------------------------------------------------
def _title(text, char="="):
    return f"{text}\n{char * len(text)}\n"


def _literal(value):
    """Inline literal for any value; backquotes in the value would end the literal."""
    text = repr(value).replace("``", "` `")
    return f"``{text}``"


def _escape(text):
    """Plain text inside RST: backslashes, stars, backquotes and underscores ending words are markup."""
    out = text.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`").replace("|", "\\|")
    return out.replace("_ ", "\\_ ").replace("_,", "\\_,").replace("_.", "\\_.")


def _code(source, language="python"):
    return f".. code-block:: {language}\n\n" + textwrap.indent(source.rstrip() + "\n", "   ") + "\n"


def _list_table(header, rows, widths=None):
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append("   :widths: " + " ".join(str(w) for w in widths))
    lines.append("")
    for row in [header] + rows:
        for i, cell in enumerate(row):
            lines.append(("   * - " if i == 0 else "     - ") + (cell if cell else "\\ "))
    return "\n".join(lines) + "\n"


def _write(path, text):
    """Write only when the text changed, so an unchanged page is not re-read by Sphinx."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _where(obj):
    """``refopt/algorithms/momentum.py, line 67``: the file relative to the project."""
    import refopt

    root = Path(refopt.__file__).resolve().parents[1]
    path = Path(inspect.getsourcefile(obj)).resolve()
    try:
        shown = path.relative_to(root)
    except ValueError:
        shown = path.name
    return f"{shown}, line {inspect.getsourcelines(obj)[1]}"


# -- algorithms ----------------------------------------------------------------------------------
def _algorithm_class(entry):
    """The dataclass an algorithm entry's factory builds (the factory wraps it)."""
    return inspect.unwrap(entry.factory)


def _defined_in_class(cls, name):
    """The function ``name`` as the class (or a parent other than the contract) defines it."""
    from refopt.algorithms.base import Algorithm

    for klass in cls.__mro__:
        if klass is Algorithm or klass is object:
            return None
        if name in vars(klass):
            return vars(klass)[name]
    return None


def algorithm_page(entry, claims):
    cls = _algorithm_class(entry)
    lines = [f".. _algorithm-{entry.name}:\n", _title(entry.name),
             f"``refopt.{entry.name}(...)``, family *{entry.family}*. Source: {_escape(entry.source)}.\n",
             f".. autoclass:: {cls.__module__}.{cls.__qualname__}\n   :no-members:\n"]

    lines.append(_title("Hyperparameters", "-"))
    problem_defaults = set(getattr(cls, "problem_defaults", ()))
    rows = []
    for field in dataclasses.fields(cls):
        if field.default is not dataclasses.MISSING:
            default = _literal(field.default)
        elif field.default_factory is not dataclasses.MISSING:
            default = _literal(field.default_factory())
        else:
            default = "required"
        note = "from the problem (``resolve``) when None" if field.name in problem_defaults else ""
        rows.append([f"``{field.name}``", default, note])
    if rows:
        lines.append(_list_table(["name", "default", "note"], rows, widths=[20, 30, 50]))
    else:
        lines.append("None.\n")

    lines.append(_title("Claims", "-"))
    if claims:
        lines.append("The claims of ``refopt.proofs`` about this algorithm:\n")
        for claim in claims:
            lines.append(f"* :doc:`/generated/claims/{claim.id}` ({_escape(claim.source.short())}, "
                         f"{claim.kind}, {claim.level})")
        lines.append("")
    else:
        lines.append("No claim of ``refopt.proofs`` is about this algorithm yet.\n")

    lines.append(_title("The reference step", "-"))
    step = _defined_in_class(cls, "step")
    lines.append(f"One iteration in plain NumPy ({_where(step)}):\n")
    lines.append(_code(textwrap.dedent(inspect.getsource(step))))
    update = _defined_in_class(cls, "update")
    if update is not None and update is not step:
        lines.append(f"The gradient-only transition that parity checks compare with ({_where(update)}):\n")
        lines.append(_code(textwrap.dedent(inspect.getsource(update))))
    return "\n".join(lines)


# -- problems ------------------------------------------------------------------------------------
def problem_page(entry):
    factory = entry.factory
    lines = [f".. _problem-{entry.name}:\n", _title(entry.name),
             f"``refopt.problems.{entry.name}(...)``, family *{entry.family}*. "
             f"Source: {_escape(entry.source)}.\n",
             f".. autofunction:: {factory.__module__}.{factory.__name__}\n"]
    lines.append(_title("Parameters and defaults", "-"))
    rows = []
    for parameter in inspect.signature(factory).parameters.values():
        default = "required" if parameter.default is inspect.Parameter.empty else _literal(parameter.default)
        keyword = "keyword only" if parameter.kind is inspect.Parameter.KEYWORD_ONLY else ""
        rows.append([f"``{parameter.name}``", default, keyword])
    lines.append(_list_table(["name", "default", "kind"], rows, widths=[25, 45, 30]))
    lines.append(f"The factory is defined in {_where(factory)}.\n")
    return "\n".join(lines)


# -- claims --------------------------------------------------------------------------------------
def _verify(claim_id, image_dir):
    """Check one claim and plot its curve (run in a worker process); a picklable summary."""
    from refopt import claims as claims_module
    from refopt import plots, registry

    claim = registry.get(claim_id, "claim").factory()
    result = claim.verify(seed=SEED)
    image = None
    if result.curve:
        image = plots.plot_result(result, claim, Path(image_dir) / f"{claim.id}.png")
    return {"verdict": result.verdict, "theory": claims_module._claimed(result),
            "measured": claims_module._number(result.measured), "quantity": result.quantity,
            "instances": result.instances, "worst_instance": result.worst_instance,
            "message": result.message,
            "image": None if image is None else Path(image).name}


# one thread per worker: the workers already use every core, and BLAS threads would compete with them
_ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                      "NUMBA_NUM_THREADS")}


def verify_all(claims, image_dir, workers):
    """The summaries of the fast claims, by id, checked in ``workers`` fresh processes."""
    fast = [c.id for c in claims if not c.slow]
    if workers <= 1:
        return {claim_id: _verify(claim_id, image_dir) for claim_id in fast}
    saved = {name: os.environ.get(name) for name in _ONE_THREAD}
    os.environ.update(_ONE_THREAD)
    try:
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = {claim_id: pool.submit(_verify, claim_id, str(image_dir)) for claim_id in fast}
            return {claim_id: future.result() for claim_id, future in futures.items()}
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def claim_page(claim, summary, algorithm_names):
    lines = [f".. _claim-{claim.id}:\n", _title(claim.id)]
    lines.append(f"**Statement.** {_escape(claim.statement)}\n")
    algorithm = (f":doc:`/generated/algorithms/{claim.algorithm}`" if claim.algorithm in algorithm_names
                 else f"``{claim.algorithm}``")
    rows = [["source", _escape(claim.source.cite())],
            ["kind", claim.kind],
            ["level", claim.level],
            ["family", _escape(claim.family)],
            ["algorithm", algorithm],
            ["check", f"``{type(claim.check).__name__}``"]]
    lines.append(".. list-table::\n   :widths: 15 85\n\n" + "\n".join(
        f"   * - {name}\n     - {value}" for name, value in rows) + "\n")
    lines.append(f"Defined in ``refopt.proofs.{claim.id.split('.')[0]}``; check it alone with "
                 f"``refopt verify -k {claim.id}{' --slow' if claim.slow else ''}``.\n")
    lines.append(_title("Theory against measurement", "-"))
    if claim.slow:
        lines.append("This claim is slow (minutes: a Monte Carlo sweep over dimensions and seeds), so the "
                     "site does not run it; ``refopt verify --slow`` checks it.\n")
        return "\n".join(lines)
    lines.append(f"Checked when this page was built, with ``claim.verify(seed={SEED})``:\n")
    lines.append(_list_table(["theory", "measured", "verdict", "instances"],
                             [[_escape(summary["theory"]), summary["measured"], summary["verdict"].upper(),
                               str(summary["instances"])]]))
    if summary["quantity"]:
        lines.append(f"The measured quantity is the {_escape(summary['quantity'])}"
                     + (f"; worst instance: {_escape(summary['worst_instance'])}." if summary["worst_instance"]
                        else ".") + "\n")
    if summary["message"]:
        lines.append(f"The check reports: {_escape(summary['message'])}\n")
    if summary["image"]:
        lines.append(f".. image:: /generated/claims/plots/{summary['image']}\n"
                     f"   :alt: the measured curve of {claim.id} and its theoretical bound\n")
        lines.append("The measured curve is that of the worst instance; the dashed line is the claimed "
                     "bound or rate where the check has one.\n")
    else:
        lines.append("This check has no curve to plot (it compares single numbers).\n")
    return "\n".join(lines)


# -- index pages ---------------------------------------------------------------------------------
def _index(title, intro, folder, entries):
    lines = [_title(title), intro + "\n"]
    lines.append(_list_table(["name", "summary"],
                             [[f":doc:`{e.name} <{folder}/{e.name}>`", _escape(e.summary)] for e in entries],
                             widths=[30, 70]))
    lines.append(".. toctree::\n   :hidden:\n\n" + "\n".join(f"   {folder}/{e.name}" for e in entries) + "\n")
    return "\n".join(lines)


def _cli_page():
    from refopt import cli

    parser = cli.build_parser()
    lines = [_title("Command line"),
             "Installing refopt installs the console script ``refopt``. The help below is printed by the "
             "installed version's own parser when the site is built.\n",
             _code(parser.format_help(), "text")]
    subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, sub in subparsers.choices.items():
        lines.append(_title(f"refopt {name}", "-"))
        lines.append(_code(sub.format_help(), "text"))
    return "\n".join(lines)


def generate(app):
    from refopt import registry

    out = Path(app.srcdir) / GENERATED
    algorithms = registry.entries("algorithm")
    problems = registry.entries("problem")
    claim_entries = registry.entries("claim")
    claims = [e.factory() for e in claim_entries]
    algorithm_names = {e.name for e in algorithms}

    for entry in algorithms:
        _write(out / "algorithms" / f"{entry.name}.rst", algorithm_page(entry, registry.claims_about(entry.name)))
    _write(out / "algorithms.rst", _index(
        "Algorithms", "Every registered algorithm: the update rule, the source, the hyperparameters with their "
        "defaults, the claims about it and the reference step.", "algorithms", algorithms))

    for entry in problems:
        _write(out / "problems" / f"{entry.name}.rst", problem_page(entry))
    _write(out / "problems.rst", _index(
        "Problems", "Every registered problem factory, with its parameters and their defaults; "
        ":doc:`/concepts` says what a problem exposes.", "problems", problems))

    image_dir = out / "claims" / "plots"
    image_dir.mkdir(parents=True, exist_ok=True)
    workers = app.config.refopt_claim_workers or min(4, os.cpu_count() or 1)
    summaries = verify_all(claims, image_dir, workers)
    for claim in claims:
        _write(out / "claims" / f"{claim.id}.rst", claim_page(claim, summaries.get(claim.id), algorithm_names))
    _write(out / "claims.rst", _index(
        "Claims", "Every claim of ``refopt.proofs``, one module per source. Each page shows the theorem, "
        "its level and the result of checking it when the site was built; ``refopt verify`` prints the "
        "same table in a terminal.", "claims", claim_entries))

    _write(out / "cli.rst", _cli_page())


def setup(app):
    app.add_config_value("refopt_claim_workers", 0, "env")
    app.connect("builder-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
