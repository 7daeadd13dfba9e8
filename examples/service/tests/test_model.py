import pytest

from app.model import predict, trained_model


def test_model_is_accurate_on_held_out_data():
    _, accuracy = trained_model()
    assert accuracy > 0.9


@pytest.mark.parametrize(
    "measurements, species",
    [
        ([5.1, 3.5, 1.4, 0.2], "setosa"),
        ([6.0, 2.7, 4.1, 1.0], "versicolor"),
        ([7.7, 3.0, 6.1, 2.3], "virginica"),
    ],
)
def test_predicts_known_flowers(measurements, species):
    assert predict(measurements) == species


def test_rejects_wrong_number_of_measurements():
    with pytest.raises(ValueError, match="expected 4 measurements"):
        predict([1.0, 2.0])
