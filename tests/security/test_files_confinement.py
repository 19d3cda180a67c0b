"""File nodes stay inside the directories the operator names (`--files DIR`, FLOWRT_FILES)
under `--scripts sandboxed` and `deny`: no `..`, no symlink out, no symlink swapped in after the
check; paths from `msg.filename` too. /proc, /sys, /dev and flowrt's secrets and users files are
never read nor written by a flow, under any policy."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowrt.testing import run_flow
from tests.security.secrets_kit import clean_env, run_cli

SECRET = "s3cret-value-of-the-store-0123"


@pytest.fixture
def place(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """A files directory with a file in it, a file outside it, and a secrets file; the file
    policy restored after the test."""
    from flowrt import file_access

    before = file_access.current()
    root = tmp_path / "data"
    root.mkdir()
    (root / "inside.txt").write_text("inside")
    outside = tmp_path / "outside.txt"
    outside.write_text("outside")
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(f"API_KEY: {SECRET}\n")
    secrets.chmod(0o600)
    yield {"root": root, "outside": outside, "secrets": secrets, "tmp": tmp_path}
    file_access.configure(before)


def use(policy: str, roots: list[Path], private: list[Path] = ()) -> None:  # type: ignore[assignment]
    from flowrt.file_access import FileAccess, configure

    configure(FileAccess.for_policy(policy, roots, private=private))


def read(name: str | None, msg: dict[str, Any] | None = None) -> tuple[list[Any], list[str]]:
    config = "" if name is None else f", filename: {json.dumps(name)}"
    flow = f"flowrt: 1\nnodes:\n  r: {{type: file-in, format: bytes{config}}}\n"
    result = run_flow(flow, inputs=[msg or {"payload": 1}])
    return result.payloads("r"), [e.message for e in result.errors]


def write(name: str, payload: Any = "written", action: str = "overwrite",
          **options: Any) -> list[str]:
    extra = "".join(f", {k}: {json.dumps(v)}" for k, v in options.items())
    flow = (f"flowrt: 1\nnodes:\n  w: {{type: file-out, filename: {json.dumps(name)}, "
            f"action: {action}{extra}}}\n")
    result = run_flow(flow, inputs=[{"payload": payload}])
    return [e.message for e in result.errors]


@pytest.mark.parametrize("policy", ["sandboxed", "deny"])
def test_inside_the_files_directory_reads_and_writes_work(
    place: dict[str, Path], policy: str
) -> None:
    use(policy, [place["root"]])
    assert read(str(place["root"] / "inside.txt")) == ([b"inside"], [])
    assert write(str(place["root"] / "new" / "made.txt"), create_directories=True) == []
    assert (place["root"] / "new" / "made.txt").read_text() == "written\n"


@pytest.mark.parametrize("policy", ["sandboxed", "deny"])
def test_dot_dot_does_not_leave_the_directory(place: dict[str, Path], policy: str) -> None:
    use(policy, [place["root"]])
    sneaky = str(place["root"] / ".." / "outside.txt")
    payloads, errors = read(sneaky)
    assert payloads == [] and len(errors) == 1
    assert "outside" in errors[0] and "--files" in errors[0]
    assert write(sneaky) and place["outside"].read_text() == "outside"


def test_a_symlink_out_of_the_directory_is_refused(place: dict[str, Path]) -> None:
    use("deny", [place["root"]])
    (place["root"] / "link.txt").symlink_to(place["outside"])
    (place["root"] / "dir").symlink_to(place["tmp"])
    for name in ("link.txt", "dir/outside.txt"):
        payloads, errors = read(str(place["root"] / name))
        assert payloads == [] and errors, name
        assert write(str(place["root"] / name)), name
    assert place["outside"].read_text() == "outside"


def test_a_symlink_that_stays_inside_is_followed(place: dict[str, Path]) -> None:
    use("deny", [place["root"]])
    (place["root"] / "alias.txt").symlink_to(place["root"] / "inside.txt")
    assert read(str(place["root"] / "alias.txt")) == ([b"inside"], [])


def test_a_relative_name_is_confined_too(
    place: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    use("deny", [place["root"]])
    monkeypatch.chdir(place["root"])
    assert read("inside.txt") == ([b"inside"], [])
    assert read("../outside.txt")[0] == []


def test_msg_filename_is_confined_the_same_way(place: dict[str, Path]) -> None:
    use("sandboxed", [place["root"]])
    payloads, errors = read(None, {"filename": str(place["outside"])})
    assert payloads == [] and errors
    ok, _ = read(None, {"filename": str(place["root"] / "inside.txt")})
    assert ok == [b"inside"]


@pytest.mark.parametrize("policy", ["sandboxed", "deny"])
def test_without_a_files_directory_flows_use_no_file(place: dict[str, Path], policy: str) -> None:
    use(policy, [])
    payloads, errors = read(str(place["root"] / "inside.txt"))
    assert payloads == []
    assert "--files" in errors[0] and "FLOWRT_FILES" in errors[0]


@pytest.mark.parametrize("policy", ["allow", "sandboxed", "deny"])
@pytest.mark.parametrize("name", ["/proc/self/environ", "/proc/self/cmdline",
                                  "/sys/kernel/hostname", "/dev/zero"])
def test_proc_sys_and_dev_are_never_readable(
    place: dict[str, Path], policy: str, name: str
) -> None:
    use(policy, [Path("/")] if policy != "allow" else [])
    payloads, errors = read(name)
    assert payloads == [] and len(errors) == 1 and name in errors[0]


@pytest.mark.parametrize("policy", ["allow", "deny"])
def test_dev_and_proc_are_never_writable(place: dict[str, Path], policy: str) -> None:
    use(policy, [Path("/")] if policy != "allow" else [])
    assert write("/dev/null")
    assert write("/proc/self/comm", "evil")


@pytest.mark.parametrize("policy", ["allow", "deny"])
def test_the_secrets_and_users_files_are_never_readable_nor_writable(
    place: dict[str, Path], policy: str
) -> None:
    users = place["tmp"] / "users.yaml"
    users.write_text("users: {}\n")
    use(policy, [place["tmp"]] if policy != "allow" else [], [place["secrets"], users])
    for private in (place["secrets"], users):
        payloads, errors = read(str(private))
        assert payloads == [] and errors
        assert write(str(private), "replaced")
        assert write(str(private), action="delete")
    assert SECRET in place["secrets"].read_text()
    assert users.read_text() == "users: {}\n"


def test_a_hard_link_to_the_secrets_file_is_the_secrets_file(place: dict[str, Path]) -> None:
    """Same file under another name: refused by its identity, and never truncated first."""
    linked = place["root"] / "innocent.txt"
    os.link(place["secrets"], linked)
    use("deny", [place["root"]], [place["secrets"]])
    assert read(str(linked))[0] == []
    assert write(str(linked), "gone")
    assert write(str(linked), "more", action="append")
    assert SECRET in place["secrets"].read_text()
    assert place["secrets"].read_text() == f"API_KEY: {SECRET}\n"


def test_a_directory_swapped_for_a_symlink_after_the_check_is_not_followed(
    place: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path is checked, then a component is replaced by a symlink out of the directory
    before the file is opened: the open does not follow it."""
    from flowrt import file_access

    sub = place["root"] / "sub"
    sub.mkdir()
    (sub / "f.txt").write_text("inside")
    target = place["tmp"] / "elsewhere"
    target.mkdir()
    (target / "f.txt").write_text("outside")
    real = os.path.realpath

    def swap_after(path: Any, *args: Any, **kwargs: Any) -> str:
        resolved = real(path, *args, **kwargs)
        if sub.is_dir() and not sub.is_symlink():
            sub.rename(place["root"] / "old")
            sub.symlink_to(target)
        return resolved

    use("deny", [place["root"]])
    monkeypatch.setattr(file_access.os.path, "realpath", swap_after)
    payloads, errors = read(str(sub / "f.txt"))
    assert b"outside" not in payloads
    assert errors and "f.txt" in errors[0]


def test_under_allow_the_rest_of_the_disk_stays_usable(place: dict[str, Path]) -> None:
    use("allow", [], [place["secrets"]])
    assert read(str(place["outside"])) == ([b"outside"], [])


def test_under_allow_a_files_directory_still_confines(place: dict[str, Path]) -> None:
    use("allow", [place["root"]])
    assert read(str(place["outside"]))[0] == []
    assert read(str(place["root"] / "inside.txt"))[0] == [b"inside"]


def test_flowrt_run_takes_the_directories_from_flowrt_files(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "in.txt").write_text("from one")
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        "flowrt: 1\nnodes:\n"
        "  go: {type: inject, once: true, to: [r, bad]}\n"
        f"  r: {{type: file-in, filename: '{one / 'in.txt'}', to: w}}\n"
        f"  w: {{type: file-out, filename: '{two / 'out.txt'}', action: overwrite}}\n"
        f"  bad: {{type: file-out, filename: '{tmp_path / 'escaped.txt'}'}}\n",
        encoding="utf-8",
    )
    env = clean_env(FLOWRT_FILES=f"{one}{os.pathsep}{two}")
    done = run_cli(["run", "--until-idle", "--scripts", "deny", str(flow)], env, tmp_path)
    assert (two / "out.txt").read_text() == "from one\n", done.stderr
    assert not (tmp_path / "escaped.txt").exists()
    assert "escaped.txt" in done.stderr and done.returncode == 1


def test_the_validate_nodes_schema_file_is_confined(place: dict[str, Path]) -> None:
    use("allow", [], [place["secrets"]])
    flow = (f"flowrt: 1\nnodes:\n  v: {{type: validate, schema_file: "
            f"{json.dumps(str(place['secrets']))}}}\n")
    from flowrt.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        run_flow(flow, inputs=[{"payload": 1}])
    assert SECRET not in str(caught.value)
    assert "secrets.yaml" in str(caught.value)
