"""Package both addons into the ``odoo.addons`` namespace, the way the OCA does.

``setup/_ns/odoo/addons/<addon>`` are symbolic links to the addons, so that
the installed tree is ``odoo/addons/<addon>``:

- ``pip install .`` copies them into ``site-packages/odoo/addons/``;
- ``pip install -e .`` puts ``setup/_ns`` on ``sys.path`` (a plain ``.pth``),
  where Odoo's ``odoo.addons`` namespace finds ``odoo/addons/<addon>``.

Odoo 18 itself must be importable as a regular package (a normal install, or
an editable one in ``editable_mode=compat``).
"""

import ast
import pathlib

from setuptools import find_namespace_packages, setup

HERE = pathlib.Path(__file__).parent
NS = "setup/_ns"
ADDONS = ["real_estate_attribution", "real_estate_channel"]


def _manifest(addon):
    return ast.literal_eval((HERE / addon / "__manifest__.py").read_text(encoding="utf-8"))


def _requirements():
    requirements = ["odoo>=18.0a,<18.1"]
    for addon in ADDONS:
        for dependency in _manifest(addon).get("external_dependencies", {}).get("python", []):
            if dependency not in requirements:
                requirements.append(dependency)
    return requirements


setup(
    name="odoo-addons-real-estate",
    version=_manifest(ADDONS[0])["version"],
    description="Customer attribution and channel reports for real-estate sales offices (Odoo 18)",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="LGPL-3",
    python_requires=">=3.10",
    package_dir={"": NS},
    # the namespaces are listed so that ``pip install -e .`` puts ``setup/_ns`` on sys.path
    packages=["odoo", "odoo.addons", *find_namespace_packages(where=NS, include=["odoo.addons.real_estate_*"])],
    include_package_data=True,
    package_data={"": ["*", "**/*"]},
    install_requires=_requirements(),
    classifiers=[
        "Framework :: Odoo",
        "Framework :: Odoo :: 18.0",
        "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
        "Programming Language :: Python :: 3",
    ],
    zip_safe=False,
)
