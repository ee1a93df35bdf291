"""Every public module, class, function and method of the client toolkit has a docstring of its
own (``python -m pydoc clearinghouse_client`` is its reference), and pydoc renders the package."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import pydoc

import clearinghouse_client


def _modules():
    yield clearinghouse_client
    for info in pkgutil.walk_packages(clearinghouse_client.__path__, "clearinghouse_client."):
        yield importlib.import_module(info.name)


def _undocumented() -> list[str]:
    missing = []
    for module in _modules():
        if not (module.__doc__ or "").strip():
            missing.append(module.__name__)
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            public = inspect.isclass(value) or inspect.isfunction(value)
            if public and not (value.__doc__ or "").strip():
                missing.append(f"{module.__name__}.{name}")
            if inspect.isclass(value):
                for attribute, member in vars(value).items():
                    if attribute.startswith("_"):
                        continue
                    function = (
                        member.__func__
                        if isinstance(member, classmethod | staticmethod)
                        else member
                    )
                    if isinstance(member, property):
                        function = member.fget
                    if inspect.isfunction(function) and not (function.__doc__ or "").strip():
                        missing.append(f"{module.__name__}.{name}.{attribute}")
    return missing


def test_every_public_name_has_a_docstring():
    assert _undocumented() == []


def test_pydoc_renders_the_package():
    text = pydoc.render_doc(clearinghouse_client, renderer=pydoc.plaintext)
    assert "class Session" in text and "class Query" in text and "class NotFound" in text
