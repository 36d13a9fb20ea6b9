"""The addons install as Python packages: one whool wheel per addon, as the OCA publishes them,
and the root setup.py's wheel with both.

The wheels are built by pip, with build isolation (whool and setuptools come from PyPI), from a
fresh git repository holding the repository's tracked files as they are in the working tree:
whool packages only the files git tracks and numbers the version from git history, so this is
what a commit of the working tree publishes, and what CI's clean clone builds. Nothing is
written into the working tree.
"""

import ast
import email.parser
import glob
import os
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
ADDONS = ["real_estate_attribution", "real_estate_channel"]
BUILD_TIMEOUT = 600


def _env():
    # a git hook's GIT_DIR or GIT_INDEX_FILE would point git at the wrong repository
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return env


def _git(*args, cwd):
    return subprocess.run(
        ["git", *args], cwd=cwd, env=_env(), check=True, capture_output=True, text=True, timeout=120
    ).stdout


def _snapshot(dest):
    """Copy the tracked files (working-tree content, symbolic links kept) into a new repository."""
    try:
        tracked = _git("ls-files", "-z", cwd=ROOT).split("\0")
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip("the wheels are built from the git checkout, and %s is not one (%s)" % (ROOT, exc))
    for rel in filter(None, tracked):
        src, dst = ROOT / rel, dest / rel
        if not (src.exists() or src.is_symlink()):
            continue  # deleted in the working tree
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            dst.symlink_to(os.readlink(src))
        elif src.is_file():
            shutil.copy2(src, dst)
    _git("init", "-q", cwd=dest)
    _git("add", "-A", cwd=dest)
    _git(
        "-c", "user.name=test_packaging", "-c", "user.email=test_packaging@invalid",
        "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", "snapshot", cwd=dest,
    )  # fmt: skip


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    """{addon: wheel path} for the whool wheels, and {"root": wheel path} for setup.py's."""
    base = tmp_path_factory.mktemp("packaging")
    repo, out = base / "repo", base / "wheels"
    repo.mkdir()
    _snapshot(repo)
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--progress-bar", "off"]
    builds = {  # both builds at once: each spends most of its time installing its build backend
        "addons": [*pip, "-w", str(out / "addons"), *("./%s" % addon for addon in ADDONS)],
        "root": [*pip, "-w", str(out / "root"), "."],
    }
    running = {
        name: subprocess.Popen(
            command, cwd=repo, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for name, command in builds.items()
    }
    for name, process in running.items():
        try:
            output, _ = process.communicate(timeout=BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        assert process.returncode == 0, "pip wheel (%s) failed:\n%s" % (name, output)
    found = {}
    for addon in ADDONS:
        matches = sorted((out / "addons").glob("odoo_addon_%s-*.whl" % addon))
        assert len(matches) == 1, "one wheel of %s expected, found %s" % (addon, matches)
        found[addon] = matches[0]
    matches = sorted((out / "root").glob("*.whl"))
    assert len(matches) == 1, "one wheel of setup.py expected, found %s" % matches
    found["root"] = matches[0]
    found["repo"] = repo
    return found


def _manifest(repo, addon):
    return ast.literal_eval((repo / addon / "__manifest__.py").read_text(encoding="utf-8"))


def _loaded_files(repo, addon):
    """The addon's files its manifest loads: data, demo, and what its own asset globs match."""
    manifest = _manifest(repo, addon)
    files = {"__init__.py", "__manifest__.py", *manifest.get("data", []), *manifest.get("demo", [])}
    for bundle, entries in manifest.get("assets", {}).items():
        for entry in entries:
            # an entry is a glob, or a directive: ("include", bundle), ("remove", glob),
            # ("prepend", glob), ("after"/"before"/"replace", target, glob)
            if isinstance(entry, (list, tuple)):
                if entry[0] in ("include", "remove"):
                    continue
                entry = entry[-1]
            if not entry.startswith(addon + "/"):
                continue  # another addon's file
            matched = [path for path in glob.glob(str(repo / entry), recursive=True) if os.path.isfile(path)]
            assert matched, "%s: the %s asset %r matches no file" % (addon, bundle, entry)
            files.update(str(pathlib.Path(path).relative_to(repo / addon)) for path in matched)
    return files


def _wheel_files(wheel):
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        return email.parser.HeaderParser().parsestr(archive.read(name).decode("utf-8"))


def _requirement_names(metadata):
    return {re.match(r"[A-Za-z0-9._-]+", requirement).group(0) for requirement in metadata.get_all("Requires-Dist", [])}


def _assert_holds_addon(wheel, repo, addon):
    names = _wheel_files(wheel)
    missing = sorted(rel for rel in _loaded_files(repo, addon) if "odoo/addons/%s/%s" % (addon, rel) not in names)
    assert not missing, "%s lacks files the manifest of %s loads (are they committed?): %s" % (
        wheel.name,
        addon,
        missing,
    )


@pytest.mark.parametrize("addon", ADDONS)
def test_addon_wheel_holds_every_file_its_manifest_loads(wheels, addon):
    _assert_holds_addon(wheels[addon], wheels["repo"], addon)


@pytest.mark.parametrize("addon", ADDONS)
def test_addon_wheel_holds_the_tracked_files_under_odoo_addons(wheels, addon):
    tracked = {
        "odoo/addons/%s/%s" % (addon, rel)
        for rel in _git("ls-files", "-z", cwd=wheels["repo"] / addon).split("\0")
        if rel and rel != "pyproject.toml"
    }
    packaged = {name for name in _wheel_files(wheels[addon]) if ".dist-info/" not in name}
    assert packaged == tracked, "not packaged: %s; unexpected: %s" % (
        sorted(tracked - packaged),
        sorted(packaged - tracked),
    )


@pytest.mark.parametrize("addon", ADDONS)
def test_addon_wheel_metadata_names_the_addon_and_its_dependencies(wheels, addon):
    manifest = _manifest(wheels["repo"], addon)
    metadata = _metadata(wheels[addon])
    assert metadata["Name"] == "odoo-addon-%s" % addon
    assert metadata["Version"].startswith(manifest["version"])
    required = _requirement_names(metadata)
    expected = {"odoo", *manifest.get("external_dependencies", {}).get("python", [])}
    expected.update("odoo-addon-%s" % depend for depend in manifest.get("depends", []) if depend in ADDONS)
    assert expected <= required, "%s requires %s, not %s" % (wheels[addon].name, sorted(required), sorted(expected))


def test_channel_wheel_requires_the_attribution_wheel(wheels):
    assert "odoo-addon-real_estate_attribution" in _requirement_names(_metadata(wheels["real_estate_channel"]))


@pytest.mark.parametrize("addon", ADDONS)
def test_root_wheel_holds_both_addons(wheels, addon):
    assert "odoo/addons/%s/__manifest__.py" % addon in _wheel_files(wheels["root"])
    _assert_holds_addon(wheels["root"], wheels["repo"], addon)
