"""The taxonomy and the claim registry: a repeated id is one clear error naming the file and the ids."""

from __future__ import annotations

import pytest
import yaml

from misinfo.errors import ConfigError
from misinfo.settings import CONFIG_DIR
from nlp.claims import load_registry
from nlp.taxonomy import load_taxonomy


def _repeat_first(source: str, key: str, tmp_path):
    data = yaml.safe_load((CONFIG_DIR / source).read_text(encoding="utf-8"))
    data[key].append(dict(data[key][0]))
    path = tmp_path / source
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path, data[key][0]["id"]


@pytest.mark.parametrize(("source", "key", "load", "what"), [
    ("narratives.yaml", "narratives", load_taxonomy, "narrative"),
    ("claims.yaml", "claims", load_registry, "claim"),
])  # fmt: skip
def test_a_repeated_id_is_one_config_error(tmp_path, source, key, load, what):
    path, repeated = _repeat_first(source, key, tmp_path)
    with pytest.raises(ConfigError, match=f"duplicate {what} ids: {repeated}") as err:
        load(path)
    assert str(path) in str(err.value)
