"""The scoring configuration: versioned, validated, replaceable by a force."""

import datetime as dt

import pytest

from highharm.scoring.config import ScoringConfigError, load_config, parse_config
from highharm.scoring.engine import score
from tests.scoring.helpers import frame, incident

SHIPPED = "src/highharm/data/scoring.toml"


def shipped_text() -> str:
    with open(SHIPPED, encoding="utf-8") as f:
        return f.read()


def test_it_ships_a_versioned_configuration():
    config = load_config(SHIPPED)
    assert config.version == "highharm-default-2026.1"
    assert config.window_days == 730
    assert config.period_days == 365
    assert config.serial_relationships == ("partner", "ex_partner")
    assert [b.points for b in config.frequency] == [25, 20, 15, 10, 5]
    assert config.flags["domestic"] == 0 and config.flags["strangulation"] == 15
    assert len(config.sha256) == 64


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('version = "highharm-default-2026.1"', 'version = ""'), "version"),
        (("window_days = 730", "window_days = 0"), "window_days"),
        (("window_days = 730", "window_days = 730\nwindow = 3"), "unknown key"),
        (("{ min = 6, points = 20 }", "{ min = 12, points = 20 }"), r"frequency.bands\[1\]"),
        (("{ max_days = 91, points = 10 }", "{ max_days = 91, points = -1 }"), "points"),
        (("stalking = 10", "stalkin = 10"), "flags.stalkin"),
        (('relationships = ["partner", "ex_partner"]', 'relationships = ["spouse"]'), "spouse"),
        (("harm_ratio = 1.5", "harm_ratio = 0.5"), "harm_ratio"),
        (("gap_points = 5", ""), "escalation.gap_points"),
        (("[serial]", "[serial"), "not valid TOML"),
    ],
)
def test_it_refuses_a_malformed_configuration_naming_the_key(change, message):
    old, new = change
    text = shipped_text()
    assert old in text
    with pytest.raises(ScoringConfigError, match=message):
        parse_config(text.replace(old, new, 1), source="force.toml")


def test_it_names_the_configuration_version_in_every_row():
    text = shipped_text().replace(
        'version = "highharm-default-2026.1"', 'version = "wessex-2026.2"'
    )
    config = parse_config(text)
    out = score(
        frame([incident("P1", dt.date(2026, 2, 1))]), as_of=dt.date(2026, 3, 1), config=config
    )
    assert out.get_column("config_version").to_list() == ["wessex-2026.2"]


def test_it_uses_the_force_configuration_named_in_settings(settings, tmp_path):
    from highharm.scoring.selectors import scoring_config

    path = tmp_path / "force.toml"
    path.write_text(shipped_text().replace("highharm-default-2026.1", "force-own-1"))
    settings.SCORING_CONFIG = str(path)
    assert scoring_config().version == "force-own-1"


def test_it_refuses_a_configuration_whose_top_score_is_too_high():
    text = shipped_text().replace("stalking = 10", "stalking = 9000")
    with pytest.raises(ScoringConfigError, match="highest possible score"):
        parse_config(text)
