import dco


def test_all_is_sorted():
    assert dco.__all__ == sorted(dco.__all__)


def test_every_name_in_all_exists():
    missing = [name for name in dco.__all__ if not hasattr(dco, name)]
    assert missing == []


def test_version_is_a_string():
    assert isinstance(dco.__version__, str) and dco.__version__.count(".") == 2


def test_stage_values_are_the_documented_strings():
    assert [s.value for s in dco.FunnelStage] == ["awareness", "consideration", "decision"]
    assert dco.FunnelStage.DECISION == "decision"
