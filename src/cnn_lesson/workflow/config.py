"""The config file the workflow starts from, checked to be text before Snakemake's YAML reader
sees it."""

import shlex
from pathlib import Path

from cnn_lesson.edition import DEFAULT, EDITIONS, load
from cnn_lesson.errors import InputError


def text_file(path: str) -> str:
    """`path`, after checking that it is text (UTF-8) if it exists: a config file of other bytes
    would otherwise fail deep inside the YAML reader, naming no file."""
    try:
        Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path} is not a text file ({error.reason} at byte {error.start}): a "
                         f"config file is YAML text. Restore it, e.g. `git checkout {path}`.") \
            from None
    except OSError:
        pass  # a missing file: Snakemake says so itself
    return path


def base_config(given: dict) -> str:
    """The config file the workflow starts from: that of the edition the command line names
    (`edition:` in a --configfile, or --config edition=...), each edition's being complete; the
    CIFAR-10 edition's, config/config.yaml, when it names none. An edition that does not exist
    gets the default's, and the schema then names the key."""
    name = given.get("edition", DEFAULT)
    return load(name if name in EDITIONS else DEFAULT).CONFIG


def missing_base_config(config: dict, workflow_root: Path) -> str | None:
    """Why `config` lacks its experiments, where the reason is that the edition's complete config
    file is not in the working directory: Snakemake skips a missing `configfile:` when a
    --configfile is given, and the schema would then only say "'experiments' is a required
    property". None where that is not the reason."""
    path = base_config(config)
    if "experiments" in config or Path(path).exists():
        return None
    source = shlex.quote(str(Path(workflow_root) / path))
    return (f"{path} is not in the working directory {Path.cwd()}: it is the edition's complete "
            f"config, on which each --configfile and --config is laid. Copy the workflow's "
            f"there, then run again: `mkdir -p config && cp {source} config/`")


def config_numbers_read_as_text(config: dict, schemas: Path) -> list[str]:
    """numbers_read_as_text for the whole config: the schema in `schemas`, and the data schema of
    its edition (where it names one that exists; else the schema names the key)."""
    found = numbers_read_as_text(config, _yaml(schemas / "config.schema.yaml"))
    if config.get("edition") in EDITIONS and isinstance(config.get("data"), dict):
        data_schema = _yaml(schemas / "data" / f"{config['edition']}.schema.yaml")
        found += numbers_read_as_text(config["data"], data_schema, "data")
    return found


def _yaml(path: Path):
    import yaml

    return yaml.safe_load(Path(path).read_text())


def numbers_read_as_text(config: dict, schema: dict, where: str = "") -> list[str]:
    """Each key of `config` (under `where`) at which `schema` asks for a number and YAML read
    text that is one: YAML 1.1, PyYAML's, reads 1e-5 as text (a number with an exponent needs a
    dot, 1.0e-5). As 'key: value'."""
    import jsonschema

    found = []
    for error in jsonschema.validators.validator_for(schema)(schema).iter_errors(config):
        wanted = error.validator_value if error.validator == "type" else []
        wanted = {wanted} if isinstance(wanted, str) else set(wanted)
        if wanted & {"number", "integer"} and _reads_as_number(error.instance):
            key = ".".join(map(str, ([where] if where else []) + list(error.absolute_path)))
            found.append(f"{key}: {error.instance!r}")
    return found


def _reads_as_number(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def refuse_numbers_read_as_text(found: list[str]) -> None:
    """Stop, naming each key whose number YAML read as text (numbers_read_as_text)."""
    if found:
        raise InputError(
            f"config: {'; '.join(found)}: YAML reads this as text, not as a number (a number "
            f"with an exponent needs a dot and a sign in YAML: 1.0e-5, 1.0e+3). Write it as "
            f"1.0e-5 or 0.00001 in your config file.")
