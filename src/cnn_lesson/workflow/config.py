"""The config file the workflow starts from, checked to be text before Snakemake's YAML reader
sees it."""

import shlex
from pathlib import Path

from cnn_lesson.edition import DEFAULT, load, names
from cnn_lesson.errors import InputError
from cnn_lesson.workflow.command import Remedies


def text_file(path: str, workflow_root: Path, remedies: Remedies) -> str:
    """`path` (the edition's config, in the run's folder), after checking that it is text
    (UTF-8) if it exists: a config file of other bytes would otherwise fail deep inside the YAML
    reader, naming no file. The remedy restores the run's own file: from git where the run's
    folder is the workflow's own checkout, else from the workflow's copy."""
    try:
        Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        shipped = Path(workflow_root) / path
        if Path(path).resolve() == shipped.resolve():
            restore = shlex.join(["git", "-C", str(workflow_root), "checkout", "--", path])
        else:
            restore = shlex.join(["cp", str(shipped), remedies.path(path)])
        raise InputError(f"{remedies.path(path)} is not a text file ({error.reason} at byte "
                         f"{error.start}): a config file is YAML text. Restore it: "
                         f"`{restore}`.") from None
    except OSError:
        pass  # a missing file: Snakemake says so itself
    return path


def base_config(given: dict) -> str:
    """The config file the workflow starts from: that of the edition the command line names
    (`edition:` in a --configfile, or --config edition=...), each edition's being complete; the
    CIFAR-10 edition's, config/config.yaml, when it names none. An edition that does not exist
    gets the default's, and the edition's check then names the key."""
    name = given.get("edition", DEFAULT)
    return load(name if name in names() else DEFAULT).CONFIG


def missing_base_config(config: dict, workflow_root: Path, remedies: Remedies) -> str | None:
    """Why `config` lacks its experiments, where the reason is that the edition's complete config
    file is not in the working directory: Snakemake skips a missing `configfile:` when a
    --configfile is given, and the schema would then only say "'experiments' is a required
    property". None where that is not the reason."""
    path = base_config(config)
    if "experiments" in config or Path(path).exists():
        return None
    folder = remedies.path(Path(path).parent)
    copy = (f"{shlex.join(['mkdir', '-p', folder])} && "
            f"{shlex.join(['cp', str(Path(workflow_root) / path), folder + '/'])}")
    return (f"{path} is not in the working directory {Path.cwd()}: it is the edition's complete "
            f"config, on which each --configfile and --config is laid. Copy the workflow's "
            f"there, then run again: `{copy}`")


def config_numbers_read_as_text(config: dict, schemas: Path) -> list[str]:
    """numbers_read_as_text for the whole config: the schema in `schemas`, and the data schema of
    its edition (where it names one that exists; else the schema names the key)."""
    found = numbers_read_as_text(config, _yaml(schemas / "config.schema.yaml"))
    if config.get("edition") in names() and isinstance(config.get("data"), dict):
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


def refuse_emptied_mappings(files: list[str], config: dict) -> None:
    """Stop, naming each file and key, where a config file given with --configfile (`files`)
    gives a key an empty mapping, `{}`, that the merged `config` does not hold: Snakemake lays a
    file on the base config by merging mappings, so an empty one leaves the base config's value
    (`data.md5: {}` becomes null, the published md5) where the same key in the base file is
    refused."""
    import yaml

    found = []
    for path in files:
        try:
            given = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # Snakemake names a missing or unreadable file itself
        found += [f"{path}: {key}" for key in _empty_in(given, config)]
    if found:
        raise InputError(
            f"{'; '.join(found)}: an empty mapping, {{}}, which Snakemake merges into nothing "
            f"(the base config's value stays), so the run would not do what the file says. Give "
            f"the key's values (data.md5: each file's md5), or null to mean none.")


def _empty_in(given, merged, where: str = "") -> list[str]:
    if not isinstance(given, dict):
        return []
    keys = []
    for key, value in given.items():
        name = f"{where}.{key}" if where else str(key)
        held = merged.get(key) if isinstance(merged, dict) else None
        if value == {} and held != {}:
            keys.append(name)
        keys += _empty_in(value, held, name)
    return keys

