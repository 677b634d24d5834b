"""The wheel carries dco's data files and the built-in prompts and brand guidelines."""

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
    (wheel,) = tmp_path.glob("dco-*.whl")
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
