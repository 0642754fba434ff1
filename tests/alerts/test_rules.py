"""The rules file: the shipped one loads; a malformed one is one clear line naming the file, the rule (or
channel) and the field, from the library and from `misinfo alerts check`; secrets are refused."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from misinfo.alerts.rules import CampaignRule, ClaimRule, NarrativeBurstRule, SavedSearchRule, load_rules
from misinfo.errors import ConfigError
from misinfo.settings import CONFIG_DIR

GOOD_CHANNELS = """\
channels:
  - id: mail
    type: email
"""


def test_the_shipped_rules_file_loads():
    config = load_rules(CONFIG_DIR / "alerts.yaml")
    kinds = {type(r) for r in config.rules}
    assert kinds == {NarrativeBurstRule, CampaignRule, ClaimRule, SavedSearchRule}
    burst = config.rule("narrative-burst")
    assert isinstance(burst, NarrativeBurstRule) and burst.window == timedelta(hours=3)
    assert burst.cooldown == timedelta(hours=12)
    assert [c.id for c in config.channels if c.enabled] == ["email-desk"]  # webhooks ship switched off


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ("  - id: merger\n    kind: narrative_burst\n    threshold: -1\n    channels: [mail]\n",
         "rule 'merger': threshold: Input should be greater than 0"),
        ("  - id: merger\n    kind: narrative_burst\n    narratives: [province_merge]\n    channels: [mail]\n",
         "rule 'merger': narratives: unknown narrative 'province_merge'"),
        ("  - id: merger\n    kind: narrative_burst\n    window: 90m\n    channels: [mail]\n",
         "rule 'merger': window: '90m' is not a duration"),
        ("  - id: merger\n    kind: burst\n    channels: [mail]\n",
         "rule 'merger': kind: Input tag 'burst' found using 'kind' does not match"),
        ("  - id: merger\n    channels: [mail]\n", "rule 'merger': kind: Unable to extract tag"),
        ("  - id: merger\n    kind: campaign\n    min_acounts: 3\n    channels: [mail]\n",
         "rule 'merger': min_acounts: Extra inputs are not permitted"),
        ("  - id: merger\n    kind: claim\n    channels: [telegram]\n",
         "rule 'merger': channels: unknown channel 'telegram' (defined: mail)"),
        ("  - id: merger\n    kind: claim\n", "rule 'merger': channels: Field required"),
        ("  - kind: claim\n    channels: [mail]\n", "rule #1: id: Field required"),
        ("  - id: a\n    kind: claim\n    channels: [mail]\n  - id: a\n    kind: campaign\n    channels: [mail]\n",
         "rule 'a': id: used more than once"),
    ],
)  # fmt: skip
def test_a_bad_rule_is_one_line_naming_file_rule_and_field(tmp_path, rules, expected):
    path = tmp_path / "alerts.yaml"
    path.write_text(GOOD_CHANNELS + "rules:\n" + rules, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rules(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert expected in message, message


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("    type: webhook\n    url: https://hooks.example.vn/x\n    secret: abc\n",
         "channel 'hook': secret: secrets are never read from the rules file"),
        ("    type: webhook\n    url: https://api.telegram.org/bot123:ABC/sendMessage\n    format: telegram\n    chat_id: 1\n",
         "channel 'hook': url: a Telegram URL holds the bot token"),
        ("    type: webhook\n    url: https://hooks.example.vn/x\n",
         "channel 'hook': secret_env: a json webhook is signed"),
        ("    type: webhook\n    format: telegram\n    url_env: TG_URL\n", "channel 'hook': chat_id: a telegram webhook needs"),
        ("    type: webhook\n    url_env: lower_case\n    secret_env: S\n", "channel 'hook': url_env: String should match"),
        ("    type: sms\n", "channel 'hook': type: Input tag 'sms'"),
        ("    type: email\n    to: [not-an-address]\n", "channel 'hook': to: Value error, not an email address"),
    ],
)  # fmt: skip
def test_a_bad_channel_names_the_channel_and_field(tmp_path, channel, expected):
    path = tmp_path / "alerts.yaml"
    path.write_text("channels:\n  - id: hook\n" + channel + "rules: []\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rules(path)
    assert expected.replace("Value error, ", "") in str(err.value), str(err.value)


def test_bad_yaml_and_a_missing_file_are_one_line(tmp_path):
    path = tmp_path / "alerts.yaml"
    path.write_text("rules:\n  - id: x\n   kind: claim\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"alerts.yaml is not valid YAML at line 3"):
        load_rules(path)
    with pytest.raises(ConfigError, match="alert rules file not found: .*nope.yaml"):
        load_rules(tmp_path / "nope.yaml")


def test_the_cli_says_it_in_one_line_and_exits_2(tmp_path, home):
    path = tmp_path / "alerts.yaml"
    path.write_text(GOOD_CHANNELS + "rules:\n  - id: merger\n    kind: narrative_burst\n    min_posts: many\n"
                    "    channels: [mail]\n", encoding="utf-8")  # fmt: skip
    env = {"MISINFO_HOME": str(home), "MISINFO_ALERTS": str(path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "misinfo.cli", "alerts", "check"], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith("error: ") and "rule 'merger': min_posts: Input should be a valid integer" in lines[0]
