"""pyproject.toml is the one list of dependencies: the lock files pin what it names (`make lock`),
and the package carries every file under app/ that is not Python."""
from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def locked(name: str) -> dict[str, str]:
    """{canonical name: version} of a lock file; every line an exact pin."""
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", line
            pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def declared(group: str | None = None) -> list[Requirement]:
    project = PYPROJECT["project"]
    lines = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return [Requirement(line) for line in lines]


def test_each_lock_pins_what_pyproject_declares():
    runtime, test = locked("requirements.lock"), locked("requirements-test.lock")
    for lock, requirements in ((runtime, declared()), (test, declared() + declared("test"))):
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            assert name in lock, f"{requirement.name} is in pyproject.toml but not locked: run `make lock`"
            assert requirement.specifier.contains(lock[name]), (requirement, lock[name])
            for extra in requirement.extras:  # psycopg[binary]
                assert canonicalize_name(f"{requirement.name}-{extra}") in lock, requirement
    # the test lock is the runtime lock plus the test tools, at the same versions
    assert {name: test[name] for name in runtime} == runtime
    test_only = {canonicalize_name(r.name) for r in declared("test")}
    assert not test_only & set(runtime)


def test_package_data_covers_every_non_python_file_under_app():
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["app"]
    package = ROOT / "app"
    packaged = {path for pattern in patterns for path in package.glob(pattern)}
    data = {
        path for path in package.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }
    assert data - packaged == set(), "add these to [tool.setuptools.package-data] in pyproject.toml"
