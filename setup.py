"""Packaging for the salon_otp_redeem Odoo addon.

``pip install .`` puts the addon at ``odoo/addons/salon_otp_redeem`` in
site-packages, where Odoo finds it without any ``--addons-path``;
``pip install -e .[test]`` is the developer install (then give Odoo the
repository root on ``--addons-path``, as scripts/run-tests does).
Odoo itself is a prerequisite and deliberately not a requirement here.
"""

import ast
import os

from setuptools import find_packages, setup

try:  # setuptools >= 64 (PEP 660)
    from setuptools.command.editable_wheel import editable_wheel
except ImportError:  # pragma: no cover - old setuptools: legacy develop
    editable_wheel = None

ADDON = "salon_otp_redeem"
PACKAGE = f"odoo.addons.{ADDON}"
HERE = os.path.dirname(os.path.abspath(__file__))
ADDON_DIR = os.path.join(HERE, ADDON)


def manifest():
    with open(os.path.join(ADDON_DIR, "__manifest__.py"), encoding="utf-8") as f:
        return ast.literal_eval(f.read())


def data_files():
    """Every file of the addon that is not compiled Python, recursively.

    Python files are listed too: those of packages are already carried by
    ``packages`` (no harm), and those outside packages (migration scripts)
    would otherwise be lost.
    """
    found = []
    for root, dirs, files in os.walk(ADDON_DIR):
        dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
        for name in files:
            if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                continue
            found.append(os.path.relpath(os.path.join(root, name), ADDON_DIR))
    return sorted(found)


def readme():
    path = os.path.join(HERE, "README.md")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        return f.read()


FINDER = """\
# Editable install of {package}: this finder maps that one package to the
# source folder, and declares no namespace, so that it cannot shadow an Odoo
# that is itself installed editable (pip install -e) through a finder.
import importlib.util
import os
import sys

NAME = {package!r}
PATH = {path!r}


class AddonFinder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname != NAME or not os.path.isdir(PATH):
            return None
        return importlib.util.spec_from_file_location(
            fullname, os.path.join(PATH, "__init__.py"), submodule_search_locations=[PATH]
        )


def install():
    if AddonFinder not in sys.meta_path:
        sys.meta_path.append(AddonFinder)
"""


class _AddonFinderStrategy:
    """How ``pip install -e .`` exposes the addon.

    setuptools' own strategy for a ``package_dir`` like ours also declares
    ``odoo`` and ``odoo.addons`` as namespace packages on ``sys.path``; Python
    then resolves ``odoo`` to that empty namespace instead of an Odoo installed
    editable (as Odoo's own source usually is), and Odoo breaks. This one maps
    ``odoo.addons.salon_otp_redeem`` alone.
    """

    def __init__(self, name):
        self.name = name
        self.module = f"__editable___{name.replace('-', '_').replace('.', '_')}_finder"

    def __call__(self, wheel, files, mapping):
        source = FINDER.format(package=PACKAGE, path=ADDON_DIR)
        wheel.writestr(f"{self.module}.py", source.encode("utf-8"))
        pth = f"import {self.module}; {self.module}.install()\n"
        wheel.writestr(f"__editable__.{self.name}.pth", pth.encode("utf-8"))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return None


cmdclass = {}
if editable_wheel is not None:

    class addon_editable_wheel(editable_wheel):  # noqa: N801 - a command name
        def _select_strategy(self, name, *args, **kwargs):
            return _AddonFinderStrategy(name)

    cmdclass["editable_wheel"] = addon_editable_wheel


info = manifest()

setup(
    name=f"odoo-addon-{ADDON}",
    version=info["version"],
    description=info.get("summary", info["name"]),
    long_description=readme(),
    long_description_content_type="text/markdown",
    author=info.get("author"),
    url=info.get("website"),
    license="LGPL-3.0-or-later",
    package_dir={PACKAGE: ADDON},
    packages=[PACKAGE] + [f"{PACKAGE}.{p}" for p in find_packages(ADDON_DIR)],
    package_data={PACKAGE: data_files()},
    include_package_data=True,
    zip_safe=False,
    cmdclass=cmdclass,
    python_requires=">=3.10",
    install_requires=["phonenumbers"],
    extras_require={
        "test": [
            "pytest",
            "pytest-odoo>=2.3",
            "websocket-client",
            "freezegun",
            # Pinned, as in .pre-commit-config.yaml: formatting changes between
            # ruff releases would otherwise fail CI on unchanged code.
            "ruff==0.17.6",
            # pylint-odoo's mandatory checks (.pylintrc-mandatory), pinned likewise.
            "pylint-odoo==9.3.24",
        ],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Framework :: Odoo",
        "Framework :: Odoo :: 18.0",
        "License :: OSI Approved :: "
        "GNU Lesser General Public License v3 or later (LGPLv3+)",
    ],
)
