"""Where dco's shipped data lives: its data files, and the bundled prompts and brand guidelines."""

from __future__ import annotations

from pathlib import Path

from dco import yamlfile
from dco.errors import ConfigError
from dco.i18n import _

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"


def bundled_dir(name: str) -> Path:
    """The built-in `prompts` or `brand_guidelines` folder.

    An installed wheel carries them inside the package (`dco/_bundled/`); a source checkout or an
    editable install reads them from the repository's top level.
    """
    inside = PACKAGE_DIR / "_bundled" / name
    if inside.is_dir():
        return inside
    beside = PACKAGE_DIR.parent / name
    if beside.is_dir():
        return beside
    raise ConfigError(
        _(
            "dco's built-in {name!r} folder is missing (looked in {inside} and {beside}); "
            "reinstall dco"
        ).format(name=name, inside=inside, beside=beside)
    )


def brand_folder(path: str | Path) -> Path:
    """The brand folder `path` names: the folder itself, or a built-in brand by name
    ("runfit"); neither is a `ConfigError` listing the built-in brands."""
    folder = Path(path)
    if folder.exists():
        return folder
    builtin = bundled_dir("brand_guidelines")
    if (builtin / str(path)).is_dir():
        return builtin / str(path)
    known = sorted(p.name for p in builtin.iterdir() if (p / "brand.yaml").is_file())
    raise ConfigError(
        _(
            "no brand folder {path!r} and no built-in brand of that name (built-in: {known}); "
            "give the folder holding brand.yaml"
        ).format(path=str(path), known=", ".join(known))
    )


def data_file(name: str) -> Path:
    """Path of one of dco's own data files (`channels.yaml`, `funnel.yaml`, ...)."""
    return DATA_DIR / name


def load_data(name: str) -> yamlfile.Document:
    """Parse one of dco's own data files."""
    return yamlfile.load(data_file(name))


def data_error(document: yamlfile.Document, keys: yamlfile.KeyPath, message: str) -> ConfigError:
    """A `ConfigError` pointing at `keys` inside `document`."""
    dotted = ".".join(str(k) for k in keys)
    return ConfigError(f"{document.where(keys)}: key '{dotted}': {message}")
