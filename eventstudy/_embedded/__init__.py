"""The data shipped with the package: the repository's ``data/``, ``seeds/`` and ``notebooks/``.

They are mapped here at build time (``setup.py``, ``package_dir``): in a wheel they sit in this
folder; in an editable install the import system finds them in the clone. Read them through
:mod:`eventstudy.paths`, never by a path relative to a source file.
"""
