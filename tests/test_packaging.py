"""The wheel: named dco-loop, it carries the dco package with its data files, prompts and brands."""

import subprocess
import sys
import zipfile

from tests.conftest import REPO


def test_wheel_ships_data_prompts_and_brand_guidelines(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(REPO),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("dco_loop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "dco/data/channels.yaml",
        "dco/data/funnel.yaml",
        "dco/data/events.yaml",
        "dco/data/demo.yaml",
        "dco/_bundled/prompts/README.md",
        "dco/_bundled/brand_guidelines/README.md",
    ):
        assert required in names
    # Published as dco-loop (`dco` on PyPI is another project); imported and run as dco.
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA")))
    assert "\nName: dco-loop\n" in metadata.decode()
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("/entry_points.txt"))
    )
    assert "dco = dco.cli:main" in entry_points.decode()
