"""Text as channels count it: normalising, measuring in a channel's unit, comparing copy."""

from dco.text.units import fold, graphemes, measure, nfc, truncate

__all__ = ["fold", "graphemes", "measure", "nfc", "truncate"]
