"""Packaging for minibert_nb, driven by settings.ini (the nbdev 2 convention)."""
from configparser import ConfigParser
import shutil
from pathlib import Path
import setuptools
from setuptools.command.build_py import build_py

cfg = ConfigParser(delimiters=["="])
cfg.read("settings.ini", encoding="utf-8")
cfg = cfg["DEFAULT"]

licenses = {"apache2": ("Apache Software License 2.0", "OSI Approved :: Apache Software License")}
statuses = ["1 - Planning", "2 - Pre-Alpha", "3 - Alpha", "4 - Beta", "5 - Production/Stable", "6 - Mature", "7 - Inactive"]
lic = licenses[cfg["license"]]
py_versions = ["3.10", "3.11", "3.12", "3.13"]
min_python = cfg["min_python"]

requirements = cfg.get("requirements", "").split()
dev_requirements = cfg.get("dev_requirements", "").split()
report_requirements = cfg.get("report_requirements", "").split()
scripts = [s for s in cfg.get("console_scripts", "").split() if s]



class build_py_with_notebook(build_py):
    "Also ship nbs/run.ipynb inside the package, where `minibert_nb.ablate` finds it in a wheel install."
    def run(self):
        super().run()
        dest = Path(self.build_lib)/cfg["lib_path"]/"run.ipynb"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(cfg["nbs_path"])/"run.ipynb", dest)


setuptools.setup(
    cmdclass={"build_py": build_py_with_notebook},
    name=cfg["lib_name"].replace("_", "-"),
    version=cfg["version"],
    description=cfg["description"],
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license=lic[0],
    author=cfg["author"],
    author_email=cfg["author_email"],
    url=cfg["git_url"],
    keywords=cfg["keywords"],
    classifiers=[
        f"Development Status :: {statuses[int(cfg['status'])]}",
        f"Intended Audience :: {cfg['audience']}",
        f"License :: {lic[1]}",
        f"Natural Language :: {cfg['language']}",
    ] + [f"Programming Language :: Python :: {v}" for v in py_versions[py_versions.index(min_python):]],
    packages=setuptools.find_packages(include=[cfg["lib_name"], cfg["lib_name"] + ".*"]),
    include_package_data=True,
    install_requires=requirements,
    extras_require={"dev": dev_requirements, "report": report_requirements},
    python_requires=f">={min_python}",
    zip_safe=False,
    entry_points={"console_scripts": scripts, "nbdev": [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
)
