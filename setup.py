"""The one build setting pyproject.toml cannot express: the embedded data packages.

The repository keeps ``data/``, ``seeds/`` and ``notebooks/`` at its top level (one copy, the one
people edit). setuptools maps them into the package as ``eventstudy._embedded.data``,
``eventstudy._embedded.seeds`` and ``eventstudy._embedded.notebooks`` (``package_dir``), so the wheel
and the sdist carry them and an editable install (``pip install -e .``) reads the very same folders.
Their sub-folders are listed as (namespace) packages too, as setuptools asks of every folder it ships;
which files ship is said in pyproject.toml's package-data (everything under data/). Everything else
(metadata, dependencies, package data) is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

SKIP = ["__pycache__", "*.__pycache__", "*.__pycache__.*"]
EMBEDDED = {f"eventstudy._embedded.{folder}": folder for folder in ("data", "seeds", "notebooks")}

packages = find_namespace_packages(include=["eventstudy", "eventstudy.*"], exclude=SKIP)
for package, folder in EMBEDDED.items():
    packages += [package, *(f"{package}.{sub}" for sub in find_namespace_packages(where=folder, exclude=SKIP))]

setup(packages=packages, package_dir=EMBEDDED)
