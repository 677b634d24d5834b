"""`once`: a property worked out on first use and kept on the instance."""

from dco._once import once


class Counted:
    def __init__(self) -> None:
        self.computed = 0

    @once
    def value(self) -> int:
        """The doc of the value."""
        self.computed += 1
        return 40 + self.computed


def test_the_value_is_worked_out_once_for_each_instance():
    first, second = Counted(), Counted()
    assert (first.value, first.value, second.value) == (41, 41, 41)
    assert (first.computed, second.computed) == (1, 1)
    assert first.__dict__["value"] == 41  # kept where later lookups find it first


def test_on_the_class_it_is_the_descriptor_with_its_doc():
    assert isinstance(Counted.value, once) and Counted.value.__doc__ == "The doc of the value."
