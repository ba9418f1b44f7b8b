"""[tool.tt-build] settings: defaults, validation errors that name the key, sdk resolution."""

from __future__ import annotations

import pytest

from tt_build.build.settings import TTBuildSettings, parse_settings, resolve_sdk
from tt_build.errors import ConfigError


def test_defaults() -> None:
    s = parse_settings({})
    assert s == TTBuildSettings()
    assert s.kernels == ["kernels/*.py"] and s.sdk == "auto" and s.arch == "wormhole_b0"


def test_full_table() -> None:
    s = parse_settings({
        "kernels": "k/*.py", "sdk": "mock", "arch": "blackhole", "cache-dir": "c", "compiler-launcher": "none",
        "file-instances": False, "warm": False, "only": ["g"], "options": {"default_stages": 3},
        "instances": {"g": {"kernel": "k/g.py", "factory": "matmul", "args": {"M": 64}}},
    })
    assert s.kernels == ["k/*.py"] and s.arch == "blackhole" and s.cache_dir == "c"
    assert s.instances[0].name == "g" and s.instances[0].args == {"M": 64}
    assert not s.file_instances and not s.warm and s.options == {"default_stages": 3}


@pytest.mark.parametrize(("table", "needle"), [
    ({"sdk": "cuda"}, "sdk: expected one of mock, metalium, auto"),
    ({"arch": "grayskull"}, "arch: expected one of"),
    ({"kernel": ["a"]}, "unknown key 'kernel'"),
    ({"kernels": [1]}, "kernels: expected a list of strings"),
    ({"warm": "yes"}, "warm: expected true or false"),
    ({"instances": {"../../x": {"kernel": "a.py"}}}, "instances.../../x: instance name"),
    ({"instances": {"g": {"factory": "f"}}}, "instances.g.kernel: missing"),
    ({"instances": {"g": {"kernel": "a.py", "arg": {}}}}, "instances.g: unknown key(s) arg"),
    ({"instances": {"g": {"kernel": "a.py", "args": [1]}}}, "instances.g.args: expected a table"),
    ({"package": "my-pkg"}, "package: 'my-pkg' is not a valid Python import name"),
    ({"kernels": [], "instances": {}}, "nothing to build"),
])
def test_errors_name_the_key(table: dict, needle: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_settings(table)
    assert needle in str(exc.value)
    assert str(exc.value).startswith("[tool.tt-build]")


def test_resolve_sdk() -> None:
    assert resolve_sdk("auto", {}) == "mock"
    assert resolve_sdk("auto", {"TT_METAL_HOME": "/opt/tt"}) == "metalium"
    assert resolve_sdk("mock", {"TT_METAL_HOME": "/opt/tt"}) == "mock"


def test_every_field_has_a_docstring() -> None:
    import inspect

    import tt_build.build.settings as mod

    src = inspect.getsource(mod.TTBuildSettings)
    for name in TTBuildSettings.__dataclass_fields__:
        after = src.split(f"    {name}:", 1)[1].split("\n", 2)[1]
        assert after.strip().startswith('"""'), f"{name} has no docstring"
