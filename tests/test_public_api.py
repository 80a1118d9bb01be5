"""The public namespace: one sorted ``__all__``, every name importable and documented."""

from __future__ import annotations

import importlib
import inspect

import tether


def test_all_is_sorted_and_unique() -> None:
    assert list(tether.__all__) == sorted(set(tether.__all__))


def test_every_name_is_importable() -> None:
    module = importlib.import_module("tether")
    for name in tether.__all__:
        assert hasattr(module, name), f"tether.{name} is in __all__ but not importable"
        exec(f"from tether import {name}", {})


def _own_doc(obj: object) -> str:
    # inspect.getdoc would borrow a base class's docstring; each name needs its own.
    doc = vars(obj).get("__doc__") if inspect.isclass(obj) else getattr(obj, "__doc__", None)
    return (doc or "").strip()


def test_every_class_and_function_is_documented() -> None:
    undocumented = [
        name
        for name in tether.__all__
        if (inspect.isclass(obj := getattr(tether, name)) or inspect.isroutine(obj))
        and not _own_doc(obj)
    ]
    assert undocumented == []


def test_public_objects_come_from_private_modules() -> None:
    for name in tether.__all__:
        obj = getattr(tether, name)
        module = getattr(obj, "__module__", None)
        if inspect.isclass(obj) or inspect.isroutine(obj):
            assert module is not None
            assert module == "tether" or module.split(".")[1].startswith("_"), (name, module)


def test_nothing_public_is_left_out() -> None:
    # Names defined in tether/__init__.py without a leading underscore are all exported.
    module_names = {
        name
        for name, obj in vars(tether).items()
        if not name.startswith("_") and not inspect.ismodule(obj)
    }
    assert module_names <= set(tether.__all__)


def test_public_classes_and_functions_show_their_public_module() -> None:
    # Tracebacks read "tether.NotFound: 404 ...", not "tether._errors.NotFound: ...".
    private = [
        name
        for name in tether.__all__
        if (inspect.isclass(obj := getattr(tether, name)) or inspect.isfunction(obj))
        and obj.__module__ != "tether"
    ]
    assert private == []
    assert repr(tether.NotFound) == "<class 'tether.NotFound'>"
    assert f"{tether.Client.__module__}.{tether.Client.__qualname__}" == "tether.Client"


def test_a_traceback_names_the_public_class() -> None:
    import traceback

    try:
        raise tether.ConfigurationError("x")
    except tether.ConfigurationError as error:
        text = "".join(traceback.format_exception_only(error))
    assert text == "tether.ConfigurationError: x\n"


def test_the_sandbox_names_its_public_module_too() -> None:
    import tether.sandbox

    for name in tether.sandbox.__all__:
        obj = getattr(tether.sandbox, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__module__ == "tether.sandbox", name
