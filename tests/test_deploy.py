"""The deployment files agree with the bot: the Dockerfile, compose.yaml and the systemd unit run
the command the README gives, with configs that load under the config contract, the store on the
volume, and the health check on the port the server listens on. No Docker daemon runs here: the
files are read, not built."""

from __future__ import annotations

import configparser
import json
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bot.config import TOKEN_ENV, load_config
from bot.server import HEALTH_PATH

ROOT = Path(__file__).resolve().parent.parent
ENV = {TOKEN_ENV: "123456:container-token"}
RUN = ["python", "-m", "bot", "--config"]


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    joined = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def one(name: str) -> str:
    [value] = [rest for word, rest in instructions() if word == name]
    return value


def listen_port(config_path: Path) -> int:
    return load_config(config_path, ENV).server.address[1]


def test_the_image_runs_the_readmes_command_as_a_user_of_its_own_with_the_store_on_its_volume():
    assert one("FROM").startswith("python:3.11-slim")
    assert one("USER") not in ("root", "0")
    copied = dict(
        reversed(rest.split()) for word, rest in instructions() if word == "COPY" and
        len(rest.split()) == 2
    )  # fmt: skip
    config_in_image = next(to for to, source in copied.items() if source.endswith(".toml"))
    command = json.loads(one("CMD"))
    assert command == [*RUN, config_in_image]
    readme = (ROOT / "README.md").read_text()
    assert "pip install ." in readme and "python -m bot --config" in readme
    assert any(word == "RUN" and "pip install ." in rest for word, rest in instructions())

    config = load_config(ROOT / copied[config_in_image], ENV)
    assert config.storage.url == ""  # TinyDB, on the volume
    assert str(config.storage.path.parent) in json.loads(one("VOLUME"))
    port = config.server.address[1]
    assert one("EXPOSE") == str(port)
    check = one("HEALTHCHECK")
    assert f"http://127.0.0.1:{port}{HEALTH_PATH}" in check
    ignored = (ROOT / ".dockerignore").read_text().split()
    for source in copied.values():
        assert f"!{source}" in ignored, source


def test_compose_runs_the_image_on_tinydb_or_two_processes_on_its_postgresql():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    container_port = listen_port(ROOT / "deploy/container.toml")

    bot = services["bot"]
    assert "profiles" not in bot and bot["build"] == "."
    assert bot["volumes"] == ["bot-data:/data"] and "bot-data" in compose["volumes"]
    assert bot["ports"] == [f"127.0.0.1:8080:{container_port}"]
    assert bot["env_file"] == "deploy/alerts.env"
    assert f"{TOKEN_ENV}=" in (ROOT / "deploy/alerts.env.example").read_text()

    database = services["postgres"]
    assert database["image"] == "postgres:15" and database["profiles"] == ["postgres"]
    example = load_config(ROOT / "deploy/postgres.example.toml", ENV)
    url = urlsplit(example.storage.url)
    environment = database["environment"]
    assert (url.hostname, url.username, url.password, url.path) == (
        "postgres", environment["POSTGRES_USER"], environment["POSTGRES_PASSWORD"],
        f"/{environment['POSTGRES_DB']}",
    )  # fmt: skip
    assert example.telegram.webhook_url and example.telegram.webhook_secret
    port = example.server.address[1]
    published = set()
    for name in ("bot-a", "bot-b"):
        process = services[name]
        assert process["profiles"] == ["postgres"] and process["build"] == "."
        mount, _, _ = process["volumes"][0].partition(":ro")
        source, target = mount.split(":")
        assert source == "./deploy/postgres.toml"
        assert process["command"] == [*RUN, target]
        assert process["depends_on"]["postgres"]["condition"] == "service_healthy"
        [ports] = process["ports"]
        assert ports.endswith(f":{port}")
        published.add(ports)
    assert len(published) == 2  # the proxy reaches each on its own port


def test_the_systemd_unit_runs_the_readmes_command_restarting_on_failure_not_on_a_mistake():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy/accountability-alerts.service")
    service = unit["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[0].endswith("/.venv/bin/python")  # the README's virtualenv
    assert ["python", *command[1:-1]] == RUN
    assert (Path(service["WorkingDirectory"]) / command[-1]).name == "config.toml"
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # bot.__main__: a mistake, not an outage
    assert service["EnvironmentFile"].endswith("alerts.env")
    assert service["User"] not in ("root", "")
    assert unit["Install"]["WantedBy"] == "multi-user.target"
