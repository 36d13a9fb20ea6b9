"""Install from PyPI the packages a command needs, when they are missing.

Usage: ensure_packages.py module=requirement [module=requirement ...]
"""

import importlib.util
import subprocess
import sys


def missing(pairs):
    for pair in pairs:
        module, _, requirement = pair.partition("=")
        if importlib.util.find_spec(module) is None:
            yield requirement or module


def install(requirements):
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode and "externally-managed-environment" in result.stderr:
        # Debian's system Python: install beside the distribution's packages.
        result = subprocess.run([*command, "--break-system-packages"], capture_output=True, text=True, check=False)
    if result.returncode:
        sys.stderr.write(result.stderr)
        sys.exit("Could not install %s from PyPI with %s." % (", ".join(requirements), sys.executable))


if __name__ == "__main__":
    needed = list(missing(sys.argv[1:]))
    if needed:
        print("Installing %s ..." % ", ".join(needed))
        install(needed)
