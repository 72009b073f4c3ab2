"""The expression language's speed on the seed's forms, and beside it the two CEL
implementations that were its candidates when they are installed (they are not
dependencies: `.venv/bin/pip install cel-python common-expression-language` to compare).

    .venv/bin/python bench/expressions.py [--rounds 100000]

Prints µs per evaluation of an expression parsed once, and per parse.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from control_plane.automation import expressions  # noqa: E402
from control_plane.automation.expressions.compiler import compile_tree  # noqa: E402
from control_plane.automation.expressions.grammar import parse  # noqa: E402

SCOPE: dict[str, Any] = {
    "input_data": {"client_exists": True, "is_vip": True, "client_email": "zoe@example.com"},
    "validation_result": True,
}
CONDITIONS = [
    "validation_result == true",
    "input_data.client_exists == true && input_data.is_vip == true",
]


def _microseconds(function: Callable[[], object], rounds: int) -> float:
    return min(timeit.repeat(function, number=rounds, repeat=3)) / rounds * 1e6


def _ours(condition: str, rounds: int) -> tuple[float, float]:
    expressions.truthy(condition, SCOPE)
    evaluation = _microseconds(lambda: expressions.truthy(condition, SCOPE), rounds)
    parsing = _microseconds(lambda: compile_tree(parse(condition)), max(rounds // 100, 10))
    return evaluation, parsing


def _cel_python(condition: str, rounds: int) -> tuple[float, float]:
    celpy = importlib.import_module("celpy")
    environment = celpy.Environment()
    program = environment.program(environment.compile(condition))
    activation = {name: celpy.json_to_cel(value) for name, value in SCOPE.items()}
    evaluation = _microseconds(lambda: program.evaluate(activation), max(rounds // 100, 10))
    parsing = _microseconds(
        lambda: environment.program(environment.compile(condition)), max(rounds // 1000, 10)
    )
    return evaluation, parsing


def _cel_rust(condition: str, rounds: int) -> tuple[float, float]:
    cel = importlib.import_module("cel")
    program = cel.compile(condition)
    evaluation = _microseconds(lambda: program.execute(SCOPE), rounds)
    parsing = _microseconds(lambda: cel.compile(condition), max(rounds // 100, 10))
    return evaluation, parsing


CONTENDERS = {
    "ours (lark, closures)": (None, _ours),
    "cel-python (celpy)": ("celpy", _cel_python),
    "common-expression-language (cel)": ("cel", _cel_rust),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=100_000)
    rounds = parser.parse_args().rounds
    print("| implementation | condition | µs per evaluation | µs per parse |")
    print("| --- | --- | --- | --- |")
    for name, (module, measure) in CONTENDERS.items():
        if module is not None and importlib.util.find_spec(module) is None:
            print(f"| {name} | (not installed) | | |")
            continue
        for condition in CONDITIONS:
            evaluation, parsing = measure(condition, rounds)
            print(f"| {name} | `{condition}` | {evaluation:.2f} | {parsing:.0f} |")


if __name__ == "__main__":
    main()
