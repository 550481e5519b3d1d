"""What the ``fgc`` process does before it imports pydantic, so that it starts fast.

The garbage collector: fgc builds many long-lived objects (pydantic's models and
validators, troposphere's classes, cfn-lint's rules and schemas) and frees few. At
Python's default threshold (a collection every 700 net allocations) the collector
re-scans that growing heap over and over: about a quarter of the time cfn-lint needs to
load. mypy raises the threshold for the same reason; a run of fgc is short and makes
little cyclic garbage.

Package metadata: pydantic looks for plugins when it builds its first model. Its
plugin loader imports ``importlib.metadata`` at module level, then scans every
installed distribution, though fgc uses no pydantic plugin. Setting
``PYDANTIC_DISABLE_PLUGINS`` skips the scan, but the import still happens, and
``importlib.metadata`` with what it pulls in (email, zipfile, csv, ...) costs about
25 ms of the 0.25 s that ``fgc validate`` may take.

So, until some code really uses ``importlib.metadata``, a stand-in holds its place in
``sys.modules``. The first attribute read from it imports the real module and puts it
back in place, so code that needs package metadata (``fgc deploy``'s libraries, a test
runner) sees no difference. Only the CLI does this: a library user of ``spec`` keeps
its own interpreter's behaviour.
"""

import gc
import importlib
import os
import sys
import types
from collections.abc import Callable

_METADATA = "importlib.metadata"


class _DeferredModule(types.ModuleType):
    """Stands in for a module until the first attribute is read from it."""

    entry_points: Callable[..., object]  # set on the instance: pydantic imports it by name

    def __getattr__(self, name: str) -> object:
        return getattr(_real_metadata(), name)


def _real_metadata() -> types.ModuleType:
    """Import the real ``importlib.metadata`` (once), replacing the stand-in."""
    if isinstance(sys.modules.get(_METADATA), _DeferredModule):
        del sys.modules[_METADATA]
    return importlib.import_module(_METADATA)


def _entry_points(**params: object) -> object:
    """pydantic binds this name at import time (``from importlib.metadata import entry_points``)."""
    entry_points: Callable[..., object] = _real_metadata().entry_points
    return entry_points(**params)


def skip_pydantic_plugin_scan() -> None:
    """Tell pydantic there are no plugins and defer ``importlib.metadata`` until it is used."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if _METADATA in sys.modules:
        return
    stand_in = _DeferredModule(_METADATA, "stand-in for importlib.metadata until it is used (fgc.startup)")
    # A package path, so `from importlib.metadata import name` reads `name` instead of
    # trying to import a submodule of that name.
    stand_in.__path__ = [os.path.join(os.path.dirname(importlib.__file__ or ""), "metadata")]
    stand_in.entry_points = _entry_points
    sys.modules[_METADATA] = stand_in
    importlib.metadata = stand_in  # `import importlib.metadata` reads it


def collect_garbage_rarely() -> None:
    """Collect the youngest generation every 100,000 net allocations instead of every 700."""
    gc.set_threshold(100_000, 50, 100)
