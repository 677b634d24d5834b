"""A batch job's manifest is checked before any of it is used."""

import json

import pytest

from dco.errors import ConfigError
from dco.generation.batch_jobs import open_job
from tests.conftest import run_dco

SOUND = {
    "job_id": "job_20261201_000000_aaaaaa", "provider": "openai/gpt-4o-mini",
    "model": "gpt-4o-mini", "briefs": 2, "settings": {}, "finished": False, "folder": None,
    "rounds": [{"number": 1, "requests": 2, "batch_ids": ["batch_a"], "refused_ids": [],
                "parts": 1, "collected": False, "written_at": 1764547200.0}],
}  # fmt: skip


def job_folder(parent, manifest, name=SOUND["job_id"]):
    folder = parent / name
    folder.mkdir()
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    return folder


def changed(**fields):
    manifest = json.loads(json.dumps(SOUND))
    for key, value in fields.items():
        if key.startswith("round_"):
            manifest["rounds"][0][key.removeprefix("round_")] = value
        else:
            manifest[key] = value
    return manifest


def test_a_sound_manifest_is_read_as_written(tmp_path):
    job_folder(tmp_path, SOUND)
    job = open_job("batch_a", tmp_path)
    assert (job.briefs, job.current.requests, job.current.batch_ids) == (2, 2, ["batch_a"])


@pytest.mark.parametrize(
    ("manifest", "said"),
    [
        (changed(briefs="many"), "key 'briefs': input should be a valid integer"),
        (changed(rounds=[]), "key 'rounds': list should have at least 1 item"),
        (changed(round_requests="2"), "key 'rounds.0.requests': input should be a valid integer"),
        (changed(round_parts=0), "key 'rounds.0.parts': input should be greater than or equal"),
        (changed(round_batch_ids="batch_a"), "key 'rounds.0.batch_ids': input should be a"),
        (changed(round_shiny=1), "key 'rounds.0.shiny' is not one this dco knows"),
        ("[1, 2]", "not a batch job dco can read (it holds no JSON object)"),
    ],
)  # fmt: skip
def test_a_changed_manifest_is_named_by_file_and_key(tmp_path, manifest, said):
    folder = job_folder(tmp_path, manifest)
    with pytest.raises(ConfigError) as error:
        open_job(str(folder))
    assert str(error.value).startswith(f"{folder / 'manifest.json'}: ")
    assert said in str(error.value)


def test_the_cli_names_a_manifest_without_rounds_in_one_line(tmp_path):
    job_folder(tmp_path, changed(rounds=[]))
    done = run_dco("batch", "status", SOUND["job_id"], "--batch-dir", str(tmp_path),
                   env={"OPENAI_API_KEY": "sk-test"})  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1 and "key 'rounds'" in done.stderr


def test_a_broken_manifest_does_not_hide_another_job_found_by_its_batch(tmp_path):
    job_folder(tmp_path, "{", name="job_20261130_000000_broken")  # sorted first
    job_folder(tmp_path, SOUND)
    assert open_job("batch_a", tmp_path).job_id == SOUND["job_id"]
    with pytest.raises(ConfigError, match=r"no batch job of that id among those dco could read .*"
                       r"1 could not be read: .*job_20261130_000000_broken"):  # fmt: skip
        open_job("batch_elsewhere", tmp_path)
