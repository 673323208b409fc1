import pytest

from exports.repeating_models import Frequency, frequency_in_words


@pytest.mark.parametrize("factor, frequency, words", [
    (20, Frequency.DAILY, "every 20th day"),
    (1, Frequency.MONTHLY, "every month"),
    (2, Frequency.WEEKLY, "every 2nd week"),
    (3, Frequency.MONTHLY, "every 3rd month"),
    (1, Frequency.HALF_YEARLY, "every six months"),
    (2, Frequency.QUARTERLY, "every 2nd quarter"),
    (11, Frequency.YEARLY, "every 11th year"),
    (21, Frequency.DAILY, "every 21st day"),
    (112, Frequency.DAILY, "every 112th day"),
    (None, Frequency.YEARLY, "every year"),
    (1, None, "not set"),
])
def test_factor_and_frequency_in_words(factor, frequency, words):
    assert frequency_in_words(factor, frequency) == words


def test_codes_are_24sos():
    assert dict(Frequency.choices) == {1: "Weekly", 2: "Monthly", 3: "Quarterly", 4: "Every six months",
                                       5: "Yearly", 6: "Daily"}
