"""The channel catalog: each channel's fields, limits and units, and copy held to them."""

from dco.channels.catalog import Channel, FieldMeasure, channel_names, get_channel, load_catalog

__all__ = ["Channel", "FieldMeasure", "channel_names", "get_channel", "load_catalog"]
